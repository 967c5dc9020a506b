/**
 * The installer's path: provision a box from the inventory CSV in one command, then validate it.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runQinhe } from '../../helpers/cli.js';

function secretsFile(dir: string, mode = 0o600): string {
  const f = join(dir, 'in-secrets.yaml');
  writeFileSync(f, 'cameras:\n  default: { username: admin, password: "Canary-Pw-4711" }\n');
  chmodSync(f, mode);
  return f;
}

describe('qinhe provision / config validate', () => {
  it('provisions the 477-device Caima inventory into a config that validates', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qinhe-prov-'));
    const out = join(dir, 'out');
    const r = runQinhe(['provision', '--inventory', join(ROOT, 'config/demo/caima-inventory.csv'), '--estate', 'caima', '--box', 'caima-01', '--out', out, '--secrets', secretsFile(dir), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { devices: number; serialLines: number };
    expect(result).toMatchObject({ devices: 477, serialLines: 4 });
    const v = runQinhe(['config', 'validate', join(out, 'qinhe.yaml')]);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('477 devices');
  });

  it('reports the five faults of a bad inventory with rows and columns, exit 1, and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qinhe-prov-'));
    const out = join(dir, 'out');
    const r = runQinhe(['provision', '--inventory', join(ROOT, 'tests/fixtures/broken/inventory/i10-five-faults.csv'), '--estate', 'caima', '--box', 'caima-01', '--out', out]);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.includes('i10-five-faults.csv'));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/row 2 column "id" \(value "cam-1"\): camera has no credentials/);
    expect(lines[1]).toMatch(/row 4 column "id" \(value "smoke-1"\): duplicate device id/);
    expect(lines[2]).toMatch(/row 5 column "address" .*unit 1 on \/dev\/ttyQH0 is already used/);
    expect(lines[3]).toMatch(/row 6 column "profile" \(value "gas-sensor-x9"\): unknown profile/);
    expect(lines[4]).toMatch(/row 7 column "address" \(value "modbus-rtu:\/dev\/ttyQH0\?unit=4"\)/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('refuses a secrets file readable by others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qinhe-prov-'));
    const r = runQinhe(['provision', '--inventory', join(ROOT, 'config/demo/caima-inventory.csv'), '--estate', 'caima', '--box', 'caima-01', '--out', join(dir, 'out'), '--secrets', secretsFile(dir, 0o644)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('chmod 600');
    expect(r.stderr).not.toContain('Canary-Pw-4711');
  });

  it('exits 2 on a usage error and 0 on --help for every subcommand', () => {
    expect(runQinhe(['provision', '--estate', 'x']).code).toBe(2);
    expect(runQinhe(['no-such-command']).code).toBe(2);
    for (const sub of [['provision'], ['config', 'validate'], ['run']]) {
      const h = runQinhe([...sub, '--help']);
      expect(h.code, sub.join(' ')).toBe(0);
      expect(h.stdout).toContain(`Usage: qinhe ${sub.join(' ')}`);
    }
    expect(runQinhe(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
