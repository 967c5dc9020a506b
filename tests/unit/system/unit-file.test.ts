/**
 * The systemd unit as CI sees it: `systemd-analyze verify` passes and `systemd-analyze security --offline=true`
 * rates its exposure at most 2.0 (systemd >= 252 has --offline). ExecStart must name an existing file when
 * verified, so the test checks a copy whose ExecStart points at this Node and this checkout's CLI entry.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/cli.js';
import { shippedEnvironment, shippedNodeFlags, unitEnvironment, unitNodeFlags } from '../../../scripts/unit-node-flags.js';

const UNIT = join(ROOT, 'systemd/qinhe.service');
const ANALYZE = '/usr/bin/systemd-analyze';
const dir = mkdtempSync(join(tmpdir(), 'qinhe-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function localCopy(text = readFileSync(UNIT, 'utf8')): string {
  const file = join(dir, 'qinhe.service');
  const patched = text.replace(/\/usr\/bin\/node((?: -\S+)*) \/opt\/qinhe\/dist\/runtime\/cli\/main\.js/, `${process.execPath}$1 ${join(ROOT, 'runtime/cli/main.ts')}`);
  writeFileSync(file, patched);
  return file;
}

export function exposure(output: string): number | undefined {
  const m = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(output);
  return m ? Number(m[1]) : undefined;
}

function settings(text: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) map.set(m[1]!, [...(map.get(m[1]!) ?? []), m[2]!]);
  }
  return map;
}

describe.skipIf(!existsSync(ANALYZE))('systemd/qinhe.service', () => {
  it('passes systemd-analyze verify', () => {
    const r = spawnSync(ANALYZE, ['verify', localCopy()], { encoding: 'utf8' });
    expect(r.stderr.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it('fails verify when ExecStart names a file that does not exist (the check is real)', () => {
    const r = spawnSync(ANALYZE, ['verify', localCopy(readFileSync(UNIT, 'utf8').replace('/usr/bin/node', '/nonexistent/node'))], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
  });

  it('rates an exposure of at most 2.0 in systemd-analyze security --offline', () => {
    const r = spawnSync(ANALYZE, ['security', '--offline=true', localCopy()], { encoding: 'utf8' });
    const level = exposure(r.stdout);
    expect(level, r.stdout + r.stderr).toBeDefined();
    expect(level!).toBeLessThanOrEqual(2.0);
  });

  it('a unit without the hardening rates worse than 2.0 (the parse is real)', () => {
    const bare = readFileSync(UNIT, 'utf8').split('\n').filter((l) => !/^(Protect|Private|Restrict|SystemCall|Capability|NoNew|Device|Lock|ProcSubset|Remove|Keyring|UMask)/.test(l)).join('\n');
    const r = spawnSync(ANALYZE, ['security', '--offline=true', localCopy(bare)], { encoding: 'utf8' });
    expect(exposure(r.stdout)).toBeGreaterThan(2.0);
  });

  it('has the notify, watchdog, restart and access settings the box relies on', () => {
    const s = settings(readFileSync(UNIT, 'utf8'));
    expect(s.get('Type')).toEqual(['notify']);
    expect(s.get('NotifyAccess')).toEqual(['all']);
    expect(s.get('WatchdogSec')).toEqual(['30s']);
    expect(s.get('Restart')).toEqual(['always']);
    expect(s.get('RuntimeDirectory')).toEqual(['qinhe']);
    expect(s.get('RuntimeDirectoryMode')).toEqual(['0750']);
    expect(s.get('StateDirectory')).toEqual(['qinhe']);
    expect(s.get('CapabilityBoundingSet')).toEqual(['']);
    expect(s.get('ProtectProc')).toEqual(['invisible']);
    expect(s.get('LoadCredential')).toEqual(['secrets.yaml:/etc/qinhe/secrets.yaml']);
    expect(s.get('SupplementaryGroups')).toEqual(['dialout gpio']);
    expect(s.get('DeviceAllow')).toEqual(expect.arrayContaining(['char-ttyUSB rw', 'char-ttyACM rw', 'char-ttyAMA rw', 'char-gpiochip rw']));
  });
});

describe("the unit's node flags", () => {
  it('are the words between the node binary and the script on ExecStart', () => {
    expect(unitNodeFlags('[Service]\nExecStart=/usr/bin/node --a --b=1 /opt/x.js run --config /y\n')).toEqual(['--a', '--b=1']);
    expect(unitNodeFlags('ExecStart=/usr/bin/node /opt/x.js run --config /y')).toEqual([]);
    expect(() => unitNodeFlags('[Service]\nType=notify\n')).toThrow(/ExecStart/);
  });

  it('are accepted by this Node (the soak and the footprint bench start the box with them)', () => {
    const r = spawnSync(process.execPath, [...shippedNodeFlags(), '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ok');
  });
});

describe('scripts/install.sh', () => {
  it('is valid bash (bash -n)', () => {
    const r = spawnSync('bash', ['-n', join(ROOT, 'scripts/install.sh')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('systemd/99-qinhe-serial.rules', () => {
  it('names every RS-485 symlink under /dev/qinhe and keys ports by ID_PATH, never by kernel name alone', () => {
    const rules = readFileSync(join(ROOT, 'systemd/99-qinhe-serial.rules'), 'utf8').split('\n').filter((l) => l.includes('SYMLINK+='));
    expect(rules.length).toBeGreaterThanOrEqual(4);
    for (const r of rules) {
      expect(r).toMatch(/SYMLINK\+="qinhe\/rs485-[a-z0-9]+"/);
      if (!r.includes('ttyAMA0')) expect(r).toMatch(/ENV\{ID_PATH\}==/);
    }
  });
});

describe("the unit's environment", () => {
  it('is every Environment= assignment, quoted values with spaces kept whole, a later one winning', () => {
    const unit = '[Service]\nEnvironment=A=1 "B=two words"\nExecStart=/usr/bin/node x.js\nEnvironment=A=3 C=\n';
    expect(unitEnvironment(unit)).toEqual({ A: '3', B: 'two words', C: '' });
    expect(unitEnvironment('[Service]\nExecStart=/usr/bin/node x.js\n')).toEqual({});
  });

  it('caps the malloc arenas in the shipped unit (the soak and the footprint bench run the box with it)', () => {
    expect(shippedEnvironment()).toMatchObject({ MALLOC_ARENA_MAX: '2', NODE_ENV: 'production' });
  });
});
