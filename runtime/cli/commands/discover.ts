/**
 * `qinhe discover <protocol>`: find devices. `discover modbus` scans unit addresses on a free serial port;
 * other protocols (`discover onvif`) add their subcommand to the same group through discoverCommand().
 */
import type { Command } from 'commander';
import Table from 'cli-table3';
import { SingleBar, Presets } from 'cli-progress';
import { QinheError, isQinheError } from '../../core/errors.js';
import { addPortOptions, intArg, openToolLine, plainStyle, withJsonErrors, type PortOptions } from './modbus.js';

/** The `discover` group of this program, created on first use (each protocol file adds its subcommand). */
export function discoverCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'discover')
    ?? program.command('discover').description('Find devices on the networks and lines of this box');
}

export interface FoundUnit {
  unit: number;
  /** `ok`: it answered the probe read; `exception`: it answered with an exception (it exists all the same). */
  answer: 'ok' | 'exception';
  exceptionCode?: number;
  latencyMs: number;
}

export function register(program: Command): void {
  addPortOptions(discoverCommand(program).command('modbus').description('Scan a serial line for Modbus units that answer'), { timeout: '100' })
    .option('--units <list>', 'units to try, e.g. 1-247 or 1-10,20', '1-247')
    .option('--register <addr>', 'holding register read as the probe', '0')
    .action((o: PortOptions & { units: string; register: string }) => withJsonErrors(o.json, async () => {
      const units = parseUnits(o.units);
      const address = intArg('--register', o.register, 0, 65535);
      // A late reply of one unit cannot pass for the next (the unit differs), so a short drain is enough here.
      const line = await openToolLine(o, 0, 10);
      const bar = process.stderr.isTTY && !o.json
        ? new SingleBar({ format: 'scanning {bar} {value}/{total} units | found {found}', stream: process.stderr }, Presets.shades_classic)
        : undefined;
      const found: FoundUnit[] = [];
      bar?.start(units.length, 0, { found: 0 });
      try {
        for (const unit of units) {
          const started = performance.now();
          try {
            await line.request({ unit, fc: 3, address, count: 1 }, { priority: 'command', retries: 0 });
            found.push({ unit, answer: 'ok', latencyMs: ms(performance.now() - started) });
          } catch (err) {
            if (isQinheError(err, 'QH_MODBUS_EXCEPTION')) {
              const code = Number(err.details?.exceptionCode);
              found.push({ unit, answer: 'exception', exceptionCode: code, latencyMs: ms(performance.now() - started) });
            } else if (isQinheError(err, 'QH_SERIAL_GONE')) {
              throw err;
            }
          }
          bar?.increment(1, { found: found.length });
        }
      } finally {
        bar?.stop();
        await line.stop();
      }
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ ok: true, port: o.port, baud: Number(o.baud), scanned: units.length, units: found })}\n`);
        return;
      }
      if (found.length === 0) {
        process.stdout.write(`no unit answered on ${o.port} at ${o.baud} bit/s (${units.length} tried); check baud, parity, A/B wiring\n`);
        return;
      }
      const table = new Table({ style: plainStyle(), head: ['unit', 'answer', 'latency ms'] });
      for (const f of found) table.push([f.unit, f.answer === 'ok' ? 'ok' : `exception ${f.exceptionCode}`, f.latencyMs]);
      process.stdout.write(`${found.length} unit${found.length === 1 ? '' : 's'} answered on ${o.port}:\n${table.toString()}\n`);
    }));
}

/** `1-247`, `1,2,5-9` → sorted unique unit list. */
export function parseUnits(text: string): number[] {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const from = Number(m?.[1]);
    const to = m?.[2] === undefined ? from : Number(m[2]);
    if (!m || from < 1 || to > 247 || from > to) throw new QinheError('QH_USAGE', `--units: "${part}" is not a unit or range within 1–247`);
    for (let u = from; u <= to; u++) out.add(u);
  }
  return [...out].sort((a, b) => a - b);
}

function ms(x: number): number {
  return Math.round(x * 10) / 10;
}
