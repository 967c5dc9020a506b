/**
 * `qinhe modbus read|write`: technician tools on a free serial port, without the daemon. They use the same
 * line scheduler as the daemon (timing, CRC and reply checks), so what a technician sees is what the box sees.
 */
import { Command, Option } from 'commander';
import Table from 'cli-table3';
import { pino } from 'pino';
import { LineScheduler, type ModbusReply } from '../../../drivers/modbus/index.js';
import { openSerialLink } from '../../../drivers/transport/serial.js';
import { systemClock } from '../../../drivers/types.js';
import { QinheError, isQinheError } from '../../core/errors.js';
import { CliExit, EXIT_INVALID, EXIT_USAGE } from '../exit.js';

export interface PortOptions {
  port: string;
  baud: string;
  parity: 'none' | 'even' | 'odd';
  stopBits: string;
  timeout: string;
  json?: boolean;
}

/** Adds the serial options every Modbus tool shares. */
export function addPortOptions(cmd: Command, defaults: { timeout: string } = { timeout: '500' }): Command {
  return cmd
    .requiredOption('--port <path>', 'serial port, e.g. /dev/ttyUSB0')
    .option('--baud <rate>', 'baud rate', '9600')
    .addOption(new Option('--parity <parity>', 'parity').choices(['none', 'even', 'odd']).default('none'))
    .addOption(new Option('--stop-bits <n>', 'stop bits').choices(['1', '2']).default('1'))
    .option('--timeout <ms>', 'reply timeout per request', defaults.timeout)
    .option('--json', 'machine-readable output');
}

/** Opens the port for a tool; throws QH_SERIAL_OPEN (exit 1) when it is missing or busy. */
export async function openToolLine(o: PortOptions, retries = 1, staleGuardMs?: number): Promise<LineScheduler> {
  const baud = intArg('--baud', o.baud, 300, 4_000_000);
  const timeoutMs = intArg('--timeout', o.timeout, 10, 60_000);
  const line = new LineScheduler({
    id: 'cli', link: { path: o.port, baud, parity: o.parity, stopBits: o.stopBits === '2' ? 2 : 1, dataBits: 8 },
    timing: { timeoutMs, retries, interFrameGapMs: 0 }, openLink: openSerialLink,
    logger: pino({ level: 'silent' }), clock: systemClock, ...(staleGuardMs === undefined ? {} : { staleGuardMs }),
  });
  try {
    await line.open();
  } catch (err) {
    // serialport locks the port (flock): a running daemon holding it shows up as "Cannot lock port".
    if (isQinheError(err, 'QH_SERIAL_OPEN') && /lock|busy/i.test(err.message)) {
      throw new QinheError('QH_SERIAL_OPEN', `${err.message} (is the qinhe daemon using this port? stop it first: systemctl stop qinhe)`, { cause: err });
    }
    throw err;
  }
  return line;
}

/** No colour codes in tables unless stdout is a terminal. */
export function plainStyle(): { head: string[]; border: string[] } | undefined {
  return process.stdout.isTTY && !process.env.NO_COLOR ? undefined : { head: [], border: [] };
}

/** With --json, a coded error is printed as JSON on stdout (and still ends with exit 1, or 2 for usage). */
export async function withJsonErrors(json: boolean | undefined, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!json || !isQinheError(err)) throw err;
    process.stdout.write(`${JSON.stringify({ ok: false, code: err.code, message: err.message })}\n`);
    throw new CliExit(err.code === 'QH_USAGE' ? EXIT_USAGE : EXIT_INVALID);
  }
}

export function intArg(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) throw new QinheError('QH_USAGE', `${name} must be an integer ${min}–${max}, got "${text}"`);
  return n;
}

function parseValues(text: string, coil: boolean): (number | boolean)[] {
  return text.split(',').map((part) => {
    const t = part.trim().toLowerCase();
    if (coil) {
      if (['1', 'on', 'true'].includes(t)) return true;
      if (['0', 'off', 'false'].includes(t)) return false;
      throw new QinheError('QH_USAGE', `--value for a coil must be on/off, 1/0 or true/false, got "${part}"`);
    }
    return intArg('--value', t.startsWith('0x') ? String(Number.parseInt(t, 16)) : t, 0, 65535);
  });
}

export function register(program: Command): void {
  const modbus = program.command('modbus').description('Modbus RTU technician tools (work without the daemon while the port is free)');

  addPortOptions(modbus.command('read').description('Read registers or bits from one unit'))
    .requiredOption('--unit <n>', 'unit (slave) address 1–247')
    .requiredOption('--register <addr>', 'zero-based start address')
    .option('--count <n>', 'how many registers or bits', '1')
    .addOption(new Option('--function <fc>', '1 coils, 2 discrete inputs, 3 holding, 4 input registers').choices(['1', '2', '3', '4']).default('3'))
    .action((o: PortOptions & { unit: string; register: string; count: string; function: string }) => withJsonErrors(o.json, async () => {
      const unit = intArg('--unit', o.unit, 1, 247);
      const address = intArg('--register', o.register, 0, 65535);
      const fc = Number(o.function) as 1 | 2 | 3 | 4;
      const count = intArg('--count', o.count, 1, fc <= 2 ? 2000 : 125);
      const line = await openToolLine(o);
      try {
        const reply = await line.request({ unit, fc, address, count }, { priority: 'command' });
        printRead(o, unit, fc, address, reply);
      } finally {
        await line.stop();
      }
    }));

  addPortOptions(modbus.command('write').description('Write a holding register (FC6/FC16) or a coil (FC5/FC15)'))
    .requiredOption('--unit <n>', 'unit (slave) address 1–247')
    .requiredOption('--register <addr>', 'zero-based address')
    .requiredOption('--value <v>', 'value 0–65535 (or on/off with --coil); comma-separated for several')
    .option('--coil', 'write a coil instead of a holding register')
    .action((o: PortOptions & { unit: string; register: string; value: string; coil?: boolean }) => withJsonErrors(o.json, async () => {
      const unit = intArg('--unit', o.unit, 1, 247);
      const address = intArg('--register', o.register, 0, 65535);
      const values = parseValues(o.value, Boolean(o.coil));
      const line = await openToolLine(o);
      try {
        const req = o.coil
          ? values.length === 1 ? { unit, fc: 5 as const, address, value: values[0] === true } : { unit, fc: 15 as const, address, values: values.map((v) => v === true) }
          : values.length === 1 ? { unit, fc: 6 as const, address, value: Number(values[0]) } : { unit, fc: 16 as const, address, values: values.map(Number) };
        await line.request(req, { priority: 'command' });
        if (o.json) process.stdout.write(`${JSON.stringify({ ok: true, port: o.port, unit, function: req.fc, register: address, values })}\n`);
        else process.stdout.write(`wrote ${values.join(',')} to unit ${unit} ${o.coil ? 'coil' : 'register'} ${address} (FC${req.fc})\n`);
      } finally {
        await line.stop();
      }
    }));
}

function printRead(o: PortOptions, unit: number, fc: number, address: number, reply: ModbusReply): void {
  const values = reply.kind === 'written' ? [] : reply.values;
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ ok: true, port: o.port, unit, function: fc, register: address, count: values.length, values })}\n`);
    return;
  }
  const table = new Table({ style: plainStyle(), head: ['address', 'value', fc <= 2 ? 'bit' : 'hex'] });
  values.forEach((v, i) => table.push([address + i, typeof v === 'boolean' ? (v ? 1 : 0) : v, typeof v === 'boolean' ? (v ? 'on' : 'off') : `0x${v.toString(16).padStart(4, '0')}`]));
  process.stdout.write(`unit ${unit}, FC${fc}:\n${table.toString()}\n`);
}
