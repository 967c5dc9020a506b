/**
 * What the Modbus integration tests need from the machine: socat PTY pairs and Debian's python3-pymodbus.
 * Tests skip (with the reason) when either is missing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's python: a pyenv python3 may be first on PATH and lack pymodbus. */
export const PYTHON = '/usr/bin/python3';

export function missingTools(): string | undefined {
  if (spawnSync('socat', ['-V'], { stdio: 'ignore' }).status !== 0) return 'socat is not installed (apt-get install socat)';
  const py = spawnSync(PYTHON, ['-c', 'import pymodbus, serial_asyncio'], { stdio: 'ignore' });
  if (py.status !== 0) return `${PYTHON} lacks pymodbus/serial_asyncio (apt-get install python3-pymodbus python3-serial-asyncio)`;
  return undefined;
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'qinhe-modbus-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export { PtyPair } from '../../simulators/modbus/pty-pair.js';
