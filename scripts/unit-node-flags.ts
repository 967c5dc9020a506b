/**
 * The node flags the shipped systemd unit starts the box with (systemd/qinhe.service's ExecStart, between the
 * node binary and the script). The soak and the footprint bench run the box with them, so what they measure is
 * what ships; the unit-file test checks that this Node accepts them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../config/paths.js';

export function unitNodeFlags(unitText: string): string[] {
  const exec = /^ExecStart=(.*)$/m.exec(unitText)?.[1];
  if (exec === undefined) throw new Error('the unit has no ExecStart line');
  const flags: string[] = [];
  for (const word of exec.trim().split(/\s+/).slice(1)) { // after the node binary
    if (!word.startsWith('-')) break; // the script
    flags.push(word);
  }
  return flags;
}

export function shippedNodeFlags(): string[] {
  return unitNodeFlags(readFileSync(join(packageRoot(), 'systemd', 'qinhe.service'), 'utf8'));
}
