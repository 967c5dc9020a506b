/** `qinhe discover onvif`: WS-Discovery Probe on the local network, with a progress bar on a terminal. */
import type { Command } from 'commander';
import Table from 'cli-table3';
import { SingleBar, Presets } from 'cli-progress';
import { QinheError } from '../../core/errors.js';
import { discoverCommand } from './discover.js';
import { discoverOnvif } from '../../../drivers/onvif/discovery.js';

export function register(program: Command): void {
  discoverCommand(program).command('onvif').description('Find ONVIF cameras (WS-Discovery multicast probe)')
    .option('--seconds <n>', 'how long to collect answers', '5')
    .option('--json', 'one JSON object on stdout')
    .action(async (o: { seconds: string; json?: boolean }) => {
      const seconds = Number(o.seconds);
      if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 300) throw new QinheError('QH_USAGE', '--seconds must be within 1–300');
      const bar = process.stderr.isTTY && !o.json
        ? new SingleBar({ format: 'probing {bar} {value}/{total} s | found {found}', stream: process.stderr }, Presets.shades_classic)
        : undefined;
      bar?.start(seconds, 0, { found: 0 });
      const devices = await discoverOnvif({ seconds, onProgress: (ms, found) => bar?.update(Math.floor(ms / 1000), { found }) });
      bar?.stop();
      if (o.json) { process.stdout.write(`${JSON.stringify({ ok: true, seconds, devices })}\n`); return; }
      if (devices.length === 0) { process.stdout.write(`no ONVIF device answered within ${seconds} s (same subnet? multicast allowed?)\n`); return; }
      const table = new Table({ head: ['address', 'hardware', 'name', 'service'], style: { head: [], border: [] } });
      for (const d of devices) table.push([d.address, d.hardware ?? '', d.name ?? '', d.xaddrs[0] ?? '']);
      process.stdout.write(`${devices.length} ONVIF device${devices.length === 1 ? '' : 's'}:\n${table.toString()}\n`);
    });
}
