/**
 * The node flags the shipped systemd unit starts the box with (systemd/qinhe.service's ExecStart, between the
 * node binary and the script), and the environment it sets (its Environment= lines). The soak and the footprint
 * bench run the box with both, so what they measure is what ships; the unit-file test checks that this Node
 * accepts the flags.
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

/** The variables of every Environment= line, in order (a later one wins); a value in double quotes may hold spaces. */
export function unitEnvironment(unitText: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [, line] of unitText.matchAll(/^Environment=(.*)$/gm)) {
    for (const [, quoted, bare] of (line ?? '').matchAll(/"([^"]*)"|(\S+)/g)) {
      const assignment = quoted ?? bare ?? '';
      const eq = assignment.indexOf('=');
      if (eq > 0) env[assignment.slice(0, eq)] = assignment.slice(eq + 1);
    }
  }
  return env;
}

/** `K=V K=V` for a report, or `none`. */
export function environmentText(env: Record<string, string>): string {
  return Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ') || 'none';
}

const unitText = (): string => readFileSync(join(packageRoot(), 'systemd', 'qinhe.service'), 'utf8');

export function shippedNodeFlags(): string[] {
  return unitNodeFlags(unitText());
}

export function shippedEnvironment(): Record<string, string> {
  return unitEnvironment(unitText());
}
