/**
 * `qinhe logs [-f] [-n N] [FILE|-]`: the daemon's log, readable. Without FILE it runs
 * `journalctl -u qinhe -o json` (so it needs journal access: root, or groups systemd-journal/adm); with FILE
 * (or `-` for stdin) it reads pino JSON lines directly, so it works without journald (`qinhe run ... | qinhe logs -`).
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { QinheError } from '../../core/errors.js';
import { formatLogLine, parseLogLine } from '../../system/log-lines.js';
import { paint } from '../report.js';

interface Opts { follow?: boolean; lines: number; unit: string; json?: boolean }

export function register(program: Command): void {
  program.command('logs')
    .description('The daemon log, readable (journalctl -u qinhe, or a file / stdin of pino JSON lines)')
    .argument('[file]', 'pino JSON log file, or - for stdin (default: the systemd journal)')
    .option('-f, --follow', 'keep printing new lines (journal only)')
    .option('-n, --lines <n>', 'last N lines', (v) => Number.parseInt(v, 10), 100)
    .option('-u, --unit <unit>', 'systemd unit', 'qinhe')
    .option('--json', 'one JSON object per line ({time, level, context, message, error})')
    .action(async (file: string | undefined, opts: Opts) => {
      if (!Number.isInteger(opts.lines) || opts.lines < 1) throw new QinheError('QH_USAGE', '-n must be a positive integer');
      const print = printer(Boolean(opts.json));
      if (file === '-') return readLines(process.stdin, print, opts.lines);
      if (file) return readLines(createReadStream(file), print, opts.lines);
      await journal(opts, print);
    });
}

function printer(json: boolean): (raw: string) => void {
  const c = paint();
  return (raw) => {
    const l = parseLogLine(raw);
    if (!l) return;
    process.stdout.write(`${json ? JSON.stringify(l) : formatLogLine(l, c)}\n`);
  };
}

/** A file or stdin: print the last `n` lines (a file is finite; stdin is shown as it comes once it ends). */
async function readLines(input: NodeJS.ReadableStream, print: (raw: string) => void, n: number): Promise<void> {
  const tail: string[] = [];
  const rl = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of rl) {
      tail.push(line);
      if (tail.length > n) tail.shift();
    }
  } catch (err) {
    throw new QinheError('QH_CONFIG_IO', `cannot read the log: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  for (const line of tail) print(line);
}

async function journal(opts: Opts, print: (raw: string) => void): Promise<void> {
  const args = ['-u', opts.unit, '-o', 'json', '-n', String(opts.lines), '--no-pager', ...(opts.follow ? ['-f'] : [])];
  const child = spawn('journalctl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT'
      ? new QinheError('QH_CONFIG_IO', 'journalctl not found (no systemd journal here): pass a pino JSON log file, or pipe it: qinhe run -c FILE | qinhe logs -')
      : err));
    child.once('spawn', resolve);
  });
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  await spawned;
  const rl = createInterface({ input: child.stdout, crlfDelay: Infinity });
  const stop = () => child.kill('SIGTERM');
  process.once('SIGINT', stop);
  for await (const line of rl) print(line);
  const code = await closed;
  process.off('SIGINT', stop);
  if (code !== 0 && code !== null) {
    throw new QinheError('QH_CONFIG_IO', `journalctl failed (${code}): ${stderr.trim() || 'no output'}; reading the journal needs root or group systemd-journal`);
  }
}
