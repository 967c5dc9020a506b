/**
 * `qinhe test siren TARGET --seconds N`, `qinhe test snapshot DEVICE [--out FILE]`, `qinhe test drill [DEVICE]`:
 * on-site proofs that the local alarm path, a camera and the whole chain to the center work. A drill raises a
 * real incident marked `test: true` upstream, so the center sees it arrive but does not dispatch.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { bytes, printJson } from '../../api/text.js';
import type { DrillResult, SirenTestResult, SnapshotResult } from '../../api/types.js';
import { QinheError } from '../../core/errors.js';
import { ApiClient, apiOptions, type SocketOptions } from '../client.js';
import { paint } from '../report.js';

type Opts = SocketOptions & { json?: boolean };

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 300) throw new QinheError('QH_USAGE', '--seconds must be an integer from 1 to 300');
  return n;
}

export function register(program: Command): void {
  const test = program.command('test').description('On-site tests: sirens, camera snapshots, an end-to-end drill');
  apiOptions(test.command('siren').description('Sound a siren (device id or zone) for a few seconds; local only'))
    .argument('<target>', 'output device id or zone')
    .option('-s, --seconds <n>', 'on-time, 1–300 s', seconds, 3)
    .option('--pattern <p>', 'continuous, fire, intrusion, chirp, escalated', 'chirp')
    .action(async (target: string, opts: Opts & { seconds: number; pattern: string }) => {
      const r = await ApiClient.from(opts).post<SirenTestResult>('/v1/test/siren', { target, seconds: opts.seconds, pattern: opts.pattern });
      if (opts.json) return printJson(r);
      const c = paint();
      process.stdout.write(`${c.green('✔')} sounding ${r.devices.join(', ') || '(no outputs)'} with ${r.pattern} for ${r.seconds} s\n`);
    });
  apiOptions(test.command('snapshot').description('Take a snapshot from a camera now'))
    .argument('<device>', 'camera device id')
    .option('-o, --out <file>', 'also write the JPEG here')
    .action(async (deviceId: string, opts: Opts & { out?: string }) => {
      const r = await ApiClient.from(opts).post<SnapshotResult>('/v1/test/snapshot', { deviceId, inline: Boolean(opts.out) });
      if (opts.out && r.dataBase64) writeFileSync(opts.out, Buffer.from(r.dataBase64, 'base64'));
      const { dataBase64: _omit, ...shown } = r;
      if (opts.json) return printJson({ ...shown, ...(opts.out ? { out: opts.out } : {}) });
      const c = paint();
      process.stdout.write(`${c.green('✔')} ${r.deviceId}: ${r.mime} ${bytes(r.bytes)} at ${r.capturedAt}\n  ${r.file}${opts.out ? `\n  copied to ${opts.out}` : ''}\n  sha256 ${r.sha256}\n`);
    });
  apiOptions(test.command('drill').description('Raise a test incident end to end (marked test upstream: the center does not dispatch)'))
    .argument('[device]', 'device the drill incident is about (default: the box picks one)')
    .action(async (deviceId: string | undefined, opts: Opts) => {
      const r = await ApiClient.from(opts).post<DrillResult>('/v1/test/drill', deviceId ? { deviceId } : {});
      if (opts.json) return printJson(r);
      const c = paint();
      process.stdout.write(`${c.green('✔')} drill incident ${r.incidentId} raised on ${r.deviceId} at ${r.raisedAt} (test: the center will not dispatch)\n` +
        `  follow it: qinhe incident ${r.incidentId}\n`);
    });
}
