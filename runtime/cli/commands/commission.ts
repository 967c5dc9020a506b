/**
 * `qinhe commission`: the installer's walk test against the running daemon. Every device in turn (read,
 * snapshot, trip, press, listen) with a live checklist; its events go upstream marked as tests; the result
 * is an HTML report with the snapshots embedded. Answers come from the terminal (y/n; `s` + Enter skips a
 * wait), or from piped stdin.
 */
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { printJson } from '../../api/text.js';
import type { DeviceView, StatusView } from '../../api/types.js';
import { Checklist, summary } from '../../commission/checklist.js';
import { planWalk } from '../../commission/plan.js';
import { renderReport } from '../../commission/report.js';
import { runWalk, type CommissionApi, type Installer } from '../../commission/walk.js';
import { QinheError } from '../../core/errors.js';
import { ApiClient, apiOptions, type SocketOptions } from '../client.js';
import { CliExit, EXIT_INVALID } from '../exit.js';
import { paint } from '../report.js';

interface Opts extends SocketOptions {
  json?: boolean; zone?: string; type?: string; device?: string[]; out: string; installer: string; eventTimeout: number;
}

export function register(program: Command): void {
  apiOptions(program.command('commission').description('Walk test every device with the installer; writes an HTML commissioning report'))
    .option('--zone <zone>', 'only this zone')
    .option('--type <type>', 'only this device type')
    .option('--device <id...>', 'only these devices')
    .option('-o, --out <file>', 'report file', `commissioning-${new Date().toISOString().slice(0, 10)}.html`)
    .option('--installer <name>', 'who did the walk test (in the report)', process.env.SUDO_USER ?? process.env.USER ?? 'installer')
    .option('--event-timeout <s>', 'how long to wait for each contact or button', (v) => Number.parseInt(v, 10), 60)
    .action(async (opts: Opts) => {
      if (!Number.isInteger(opts.eventTimeout) || opts.eventTimeout < 1 || opts.eventTimeout > 120) throw new QinheError('QH_USAGE', '--event-timeout must be 1–120 s');
      const client = ApiClient.from(opts);
      const status = await client.get<StatusView>('/v1/status');
      const all = await client.get<DeviceView[]>('/v1/devices', { type: opts.type, zone: opts.zone });
      const devices = opts.device ? all.filter((d) => opts.device?.includes(d.id)) : all;
      if (devices.length === 0) throw new QinheError('QH_USAGE', 'no devices match');
      const steps = planWalk(devices);
      const checklist = new Checklist(opts.json ? process.stderr : process.stdout, paint(opts.json ? process.stderr : process.stdout));
      const installer = new LineInstaller(process.stderr, () => checklist.reset());
      const startedAt = new Date().toISOString();
      try {
        const results = await runWalk(steps, { api: httpApi(client), installer, eventTimeoutMs: opts.eventTimeout * 1000, onUpdate: (r) => checklist.update(r) });
        const finishedAt = new Date().toISOString();
        writeFileSync(opts.out, renderReport(results, { status, installer: opts.installer, startedAt, finishedAt }));
        const failed = results.filter((r) => r.status === 'fail').length;
        if (opts.json) {
          printJson({ ok: failed === 0, report: opts.out, startedAt, finishedAt, results: results.map(({ snapshot, step, ...r }) => ({ ...r, deviceId: step.device.id, kind: step.kind, ...(snapshot ? { snapshotBytes: snapshot.bytes } : {}) })) });
        } else {
          process.stdout.write(`${summary(results)}; report written to ${opts.out}\n`);
        }
        if (failed > 0) throw new CliExit(EXIT_INVALID);
      } finally {
        installer.close();
      }
    });
}

function httpApi(client: ApiClient): CommissionApi {
  const id = (d: string) => encodeURIComponent(d);
  return {
    readNow: (d) => client.post(`/v1/devices/${id(d)}/read`, {}),
    testSnapshot: (d, o) => client.post('/v1/test/snapshot', { deviceId: d, inline: o.inline }),
    testSiren: (t, seconds, pattern) => client.post('/v1/test/siren', { target: t, seconds, pattern }),
    waitForEvent: (d, timeoutMs) => client.get(`/v1/devices/${id(d)}/next-event`, { timeoutMs }),
    setTestMode: (ids, on, ttlS) => client.post('/v1/test-mode', { deviceIds: ids, on, ...(ttlS ? { ttlS } : {}) }),
  };
}

/**
 * Answers read line by line from stdin (a terminal or a pipe); at the end of input nobody can answer.
 * `s` during a wait skips that step; any other line is kept for the next question.
 */
class LineInstaller implements Installer {
  private readonly lines: string[] = [];
  private readonly waiters: Array<(line: string | undefined) => void> = [];
  private readonly skippers = new Set<() => void>();
  private ended = false;
  private readonly rl = createInterface({ input: process.stdin, crlfDelay: Infinity });

  constructor(private readonly out: NodeJS.WritableStream, private readonly onPrompt: () => void) {
    this.rl.on('line', (l) => this.push(l.trim().toLowerCase()));
    this.rl.on('close', () => { this.ended = true; for (const w of this.waiters.splice(0)) w(undefined); });
  }

  private push(line: string): void {
    if ((line === 's' || line === 'skip') && this.skippers.size > 0) {
      for (const skip of [...this.skippers]) skip();
      return;
    }
    const w = this.waiters.shift();
    if (w) w(line);
    else this.lines.push(line);
  }

  private next(): Promise<string | undefined> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async confirm(question: string): Promise<boolean | undefined> {
    this.out.write(`${question} `);
    this.onPrompt();
    for (;;) {
      const a = await this.next();
      if (a === undefined) return undefined;
      if (a === 'y' || a === 'yes') return true;
      if (a === 'n' || a === 'no') return false;
      this.out.write('please answer y or n: ');
    }
  }

  skipRequested(): { promise: Promise<void>; cancel(): void } {
    let skip: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => { skip = resolve; });
    const i = this.lines.findIndex((l) => l === 's' || l === 'skip');
    if (i >= 0) {
      this.lines.splice(i, 1);
      skip();
    } else {
      this.skippers.add(skip);
    }
    return { promise, cancel: () => { this.skippers.delete(skip); } };
  }

  close(): void {
    this.rl.close();
  }
}
