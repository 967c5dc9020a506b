/**
 * The corpus of broken configs, inventories and profiles: each file has one fault, and its expected message
 * parts (the line or row, the path or column, the value, the reason) are listed in manifest.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue, type ConfigIssue } from '../../../config/issues.js';
import { parseInventory } from '../../../config/inventory.js';
import { checkDevices } from '../../../config/devices-check.js';
import { loadBoxConfig } from '../../../config/load.js';
import { loadProfileFile, loadProfiles } from '../../../config/profiles.js';
import { EMPTY_SECRETS } from '../../../config/secrets.js';

const dir = join(import.meta.dirname, '../../fixtures/broken');
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Array<{ file: string; kind: string; expect: string[] }>;
const profiles = loadProfiles().profiles;

function issuesFor(kind: string, file: string): ConfigIssue[] {
  if (kind === 'config') {
    const r = loadBoxConfig(file);
    return r.ok ? [] : r.issues;
  }
  if (kind === 'profile') return loadProfileFile(file).issues;
  const inv = parseInventory(readFileSync(file, 'utf8'), file);
  const devices = inv.rows.map((r) => r.device);
  return [...inv.issues, ...checkDevices(devices, (i, field) => ({ file, row: inv.rows[i]?.row ?? 0, field }), { profiles, secrets: EMPTY_SECRETS })];
}

describe('broken fixtures', () => {
  it('has at least 20 broken files', () => {
    expect(manifest.length).toBeGreaterThanOrEqual(20);
  });

  for (const entry of manifest) {
    it(`rejects ${entry.file} with a precise message`, () => {
      const issues = issuesFor(entry.kind, join(dir, entry.file));
      expect(issues.length).toBeGreaterThan(0);
      const text = issues.map(formatIssue).join('\n');
      for (const part of entry.expect) {
        const line = /^line (\d+)$/.exec(part);
        const row = /^row (\d+)$/.exec(part);
        if (line) expect(issues.map((i) => i.line), text).toContain(Number(line[1]));
        else if (row) expect(issues.map((i) => i.row), text).toContain(Number(row[1]));
        else expect(text).toContain(part);
      }
      // every issue names its file
      for (const i of issues) expect(i.file).toContain(entry.file.split('/')[1]!.slice(0, 3));
    });
  }
});
