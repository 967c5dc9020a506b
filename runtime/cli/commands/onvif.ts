/**
 * `qinhe onvif probe|events`: technician tools against one camera. The password comes from a file (mode
 * 0600), never from argv, so it shows in no process listing and no shell history.
 */
import type { Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { pino } from 'pino';
import { QinheError } from '../../core/errors.js';
import { parseAddress } from '../../../config/address.js';
import { systemClock, type FactSink } from '../../../drivers/types.js';
import { CameraSession } from '../../../drivers/onvif/session.js';
import { eventTopics } from '../../../drivers/onvif/events/pull-point.js';
import { SubscriptionSupervisor } from '../../../drivers/onvif/supervisor.js';
import { ParserRegistry } from '../../../drivers/onvif/parsers/registry.js';

interface CameraOpts { url: string; user?: string; passwordFile?: string; json?: boolean }

export function cameraTarget(url: string): { host: string; port: number } {
  if (url.startsWith('onvif://')) {
    const r = parseAddress(url);
    if (!r.ok || r.address.protocol !== 'onvif') throw new QinheError('QH_USAGE', `--url: ${r.ok ? 'not onvif' : r.reason}`);
    return { host: r.address.host, port: r.address.port };
  }
  let u: URL;
  try { u = new URL(url); } catch { throw new QinheError('QH_USAGE', '--url: expected onvif://host[:port] or http://host[:port]'); }
  if (u.protocol !== 'http:' || u.username || u.password) throw new QinheError('QH_USAGE', '--url: http://host[:port] without credentials (use --user and --password-file)');
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 80) };
}

export function readPasswordFile(file: string): string {
  let mode: number;
  try { mode = statSync(file).mode; } catch { throw new QinheError('QH_USAGE', `--password-file: cannot read ${file}`); }
  if ((mode & 0o077) !== 0) throw new QinheError('QH_SECRETS_MODE', `${file} is readable by group or others (chmod 600 it)`);
  return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
}

function session(o: CameraOpts): CameraSession {
  const { host, port } = cameraTarget(o.url);
  if ((o.user === undefined) !== (o.passwordFile === undefined)) throw new QinheError('QH_USAGE', '--user and --password-file go together');
  return new CameraSession({ host, port, clock: systemClock, ...(o.user !== undefined && o.passwordFile !== undefined
    ? { username: o.user, password: readPasswordFile(o.passwordFile) } : {}) });
}

const cameraOptions = (c: Command): Command => c
  .requiredOption('--url <url>', 'camera: onvif://host[:port] or http://host[:port]')
  .option('--user <name>', 'camera user')
  .option('--password-file <file>', 'file holding the camera password (mode 0600)');

export function register(program: Command): void {
  const onvif = program.command('onvif').description('ONVIF camera tools');

  cameraOptions(onvif.command('probe').description('Device information, profiles, stream and snapshot URIs, event topics'))
    .option('--json', 'one JSON object on stdout')
    .action(async (o: CameraOpts) => {
      const s = session(o);
      const info = await s.connect();
      const topics = await eventTopics(s.soap, info.eventsPath).catch(() => [] as string[]);
      const result = { ok: true, ...info, eventTopics: topics };
      if (o.json) { process.stdout.write(`${JSON.stringify(result)}\n`); return; }
      const lines = [`${info.manufacturer} ${info.model}  firmware ${info.firmwareVersion}  serial ${info.serialNumber}`,
        `clock offset: ${(info.clockOffsetMs / 1000).toFixed(1)} s (camera − box)`,
        ...info.profiles.map((p) => `profile ${p.token}: ${p.name} ${p.encoding ?? ''} ${p.width ?? '?'}×${p.height ?? '?'}`),
        `stream:   ${info.streamUri ?? '(none)'}`, `snapshot: ${info.snapshotUri ?? '(none)'}`,
        `event topics (${topics.length}):`, ...topics.map((t) => `  ${t}`)];
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  cameraOptions(onvif.command('events').description('Subscribe and print normalised events as JSON lines'))
    .option('--seconds <n>', 'how long to listen', '60')
    .option('--map <topic=kind...>', 'map a vendor topic (or suffix) to a kind, e.g. ThrowingDetector/ThrowingObject=falling-object')
    .action(async (o: CameraOpts & { seconds: string; map?: string[] }) => {
      const seconds = Number(o.seconds);
      if (!Number.isFinite(seconds) || seconds <= 0) throw new QinheError('QH_USAGE', '--seconds must be a positive number');
      const mappings = (o.map ?? []).map((m) => {
        const i = m.lastIndexOf('=');
        if (i <= 0) throw new QinheError('QH_USAGE', `--map: "${m}" is not topic=kind`);
        return { topic: m.slice(0, i), kind: m.slice(i + 1) };
      });
      const out = (obj: Record<string, unknown>): void => { process.stdout.write(`${JSON.stringify(obj)}\n`); };
      const facts: FactSink = {
        reading: () => undefined,
        event: (f) => out({ at: new Date(f.at).toISOString(), topic: f.topic, kind: f.kind, active: f.active, data: f.data ?? {} }),
        availability: (f) => out({ at: new Date(f.at).toISOString(), availability: f.state, ...(f.error ? { error: f.error } : {}) }),
      };
      const logger = pino({ level: 'warn', base: { name: 'qinhe-onvif-events' } }, pino.destination(2));
      const sup = new SubscriptionSupervisor({ deviceId: 'cli', session: session(o), registry: new ParserRegistry(mappings),
        facts, clock: systemClock, logger: logger.child({ device: o.url }), offlineAfterS: Math.min(30, seconds), pullTimeoutS: 5 });
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), seconds * 1000);
      const onSig = (): void => controller.abort();
      process.once('SIGINT', onSig);
      await sup.run(controller.signal);
      clearTimeout(timer);
      process.off('SIGINT', onSig);
      if (sup.subscriptionsCreated === 0) throw new QinheError('QH_ONVIF_REQUEST', 'no event subscription could be created');
    });
}
