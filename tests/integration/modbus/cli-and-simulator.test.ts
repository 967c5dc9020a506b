/**
 * The technician tools and the demo's simulated line, end to end over a socat PTY pair (no daemon).
 * Skips, saying why, only when socat is missing.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { register as registerDiscover, discoverCommand, parseUnits } from '../../../runtime/cli/commands/discover.js';
import { register as registerModbus } from '../../../runtime/cli/commands/modbus.js';
import { isQinheError } from '../../../runtime/core/errors.js';
import { CliExit, EXIT_INVALID, EXIT_USAGE } from '../../../runtime/cli/exit.js';
import { SerialLink } from '../../../drivers/transport/serial.js';
import { SimulatedModbusLine } from '../../simulators/modbus/simulated-line.js';
import { PtyPair, tempDir } from './pty.js';

const noSocat = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status !== 0;
if (noSocat) console.warn('[modbus cli] skipped: socat is not installed (apt-get install socat)');

async function cli(args: string[]): Promise<{ out: string; error?: unknown }> {
  const program = new Command('qinhe').exitOverride();
  registerModbus(program);
  registerDiscover(program);
  for (const c of program.commands) { c.exitOverride(); for (const s of c.commands) s.exitOverride().configureOutput({ writeErr: () => undefined }); }
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out += String(chunk); return true; });
  try {
    await program.parseAsync(args, { from: 'user' });
    return { out };
  } catch (error) {
    return { out, error };
  } finally {
    spy.mockRestore();
  }
}

describe('discover group', () => {
  it('is shared: a second protocol adds its subcommand to the same discover command', () => {
    const program = new Command('qinhe');
    registerDiscover(program);
    discoverCommand(program).command('onvif');
    expect(program.commands.filter((c) => c.name() === 'discover')).toHaveLength(1);
    expect(discoverCommand(program).commands.map((c) => c.name())).toEqual(['modbus', 'onvif']);
  });

  it('parses unit lists and rejects ranges outside 1–247', () => {
    expect(parseUnits('1-3,7,2')).toEqual([1, 2, 3, 7]);
    expect(() => parseUnits('0-5')).toThrow(/1–247/);
    expect(() => parseUnits('10-2')).toThrow();
  });
});

describe.skipIf(noSocat)('qinhe modbus / discover modbus and the simulated line over a PTY', () => {
  const tmp = tempDir();
  const pair = new PtyPair(join(tmp.dir, 'master'), join(tmp.dir, 'slave'));
  const sim = new SimulatedModbusLine({
    units: new Map([[7, { holding: { 0: 235, 1: 1200 }, coil: { 0: false } }], [12, { input: { 3: 42 } }], [30, {}]]),
  });

  beforeAll(async () => {
    await pair.start();
    await sim.attach(pair.b);
  });
  afterEach(() => {
    sim.setSilent(7, false);
    sim.setException(30, undefined);
    sim.setBadCrc(12, false);
  });
  afterAll(async () => {
    await sim.close();
    await pair.stop();
    tmp.remove();
  });

  it('reads registers as JSON and sees a value the scenario changed', async () => {
    const base = ['modbus', 'read', '--port', pair.a, '--unit', '7', '--register', '0', '--count', '2', '--json'];
    expect(JSON.parse((await cli(base)).out)).toMatchObject({ ok: true, unit: 7, function: 3, values: [235, 1200] });
    sim.setRegister(7, 'holding', 0, 612);
    expect(JSON.parse((await cli(base)).out).values).toEqual([612, 1200]);
    const input = await cli(['modbus', 'read', '--port', pair.a, '--unit', '12', '--register', '3', '--function', '4', '--json']);
    expect(JSON.parse(input.out).values).toEqual([42]);
  });

  it('writes a register and a coil', async () => {
    await cli(['modbus', 'write', '--port', pair.a, '--unit', '7', '--register', '5', '--value', '321']);
    expect(sim.getRegister(7, 'holding', 5)).toBe(321);
    const r = await cli(['modbus', 'write', '--port', pair.a, '--unit', '7', '--register', '0', '--value', 'on', '--coil', '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, function: 5 });
    expect(sim.getRegister(7, 'coil', 0)).toBe(true);
  });

  it('fails with coded errors: silent unit, exception, bad CRC, missing port, bad usage', async () => {
    const read = (unit: string, port = pair.a) => cli(['modbus', 'read', '--port', port, '--unit', unit, '--register', '0', '--timeout', '100']);
    sim.setSilent(7, true);
    sim.setException(30, 2);
    sim.setBadCrc(12, true);
    const codes: string[] = [];
    for (const [unit, port] of [['7', pair.a], ['30', pair.a], ['12', pair.a], ['1', join(tmp.dir, 'nope')], ['300', pair.a]] as const) {
      const { error } = await read(unit, port);
      codes.push(isQinheError(error) ? error.code : String(error));
    }
    expect(codes).toEqual(['QH_MODBUS_TIMEOUT', 'QH_MODBUS_EXCEPTION', 'QH_MODBUS_CRC', 'QH_SERIAL_OPEN', 'QH_USAGE']);
  });

  it('with --json, reports a coded error as JSON and ends with exit 1 (2 for usage)', async () => {
    sim.setSilent(7, true);
    const r = await cli(['modbus', 'read', '--port', pair.a, '--unit', '7', '--register', '0', '--timeout', '50', '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, code: 'QH_MODBUS_TIMEOUT' });
    expect(r.error).toBeInstanceOf(CliExit);
    expect((r.error as CliExit).exitCode).toBe(EXIT_INVALID);
    const usage = await cli(['modbus', 'write', '--port', pair.a, '--unit', '7', '--register', '0', '--value', '70000', '--json']);
    expect(JSON.parse(usage.out)).toMatchObject({ ok: false, code: 'QH_USAGE' });
    expect((usage.error as CliExit).exitCode).toBe(EXIT_USAGE);
  });

  it('says the daemon may hold the port when it is locked', async () => {
    const holder = new SerialLink({ path: pair.a, baud: 9600, parity: 'none', stopBits: 1, dataBits: 8 });
    await holder.open();
    try {
      const r = await cli(['modbus', 'read', '--port', pair.a, '--unit', '7', '--register', '0']);
      expect(isQinheError(r.error, 'QH_SERIAL_OPEN')).toBe(true);
      expect((r.error as Error).message).toMatch(/daemon/);
    } finally {
      await holder.close();
    }
  });

  it('discovers the units that answer, an exception counting as an answer', async () => {
    sim.setException(30, 2);
    const r = await cli(['discover', 'modbus', '--port', pair.a, '--units', '1-40', '--json']);
    const found = JSON.parse(r.out) as { units: { unit: number; answer: string }[] };
    expect(found.units.map((u) => [u.unit, u.answer])).toEqual([[7, 'ok'], [12, 'ok'], [30, 'exception']]);
  });
});
