/** The options of `qinhe demo` (see runtime/cli/commands/demo.ts for the flags). */
import { resolve } from 'node:path';
import { QinheError } from '../core/errors.js';

export interface DemoOptions {
  /** Broker URL; undefined: an embedded broker on 127.0.0.1 (1883 if free). */
  broker?: string;
  estate: string;
  box: string;
  dataDir: string;
  /** The center's Ed25519 public key (PEM); undefined: the demo makes a key pair in the data dir. */
  centerKeyFile?: string;
  ackTimeoutS?: number;
  scenario: 'caima' | 'none';
  /** First N inventory rows, keeping at least one device of every profile. */
  devices?: number;
  /** Exit after this many seconds. */
  durationS?: number;
  inventory: string;
  /** Center view: the subscriber prints what the center receives. */
  center: boolean;
  /** The demo center acknowledges each raised incident after this many seconds (signed with the demo key). */
  centerAckS?: number;
  /** Force the in-memory serial links even where socat exists. */
  transport: 'auto' | 'pty' | 'memory';
  /** plain: one line per change (CI, pipes); tty: redraw in place; auto: tty when stdout is a TTY. */
  display: 'auto' | 'tty' | 'plain' | 'none';
  logLevel: string;
}

export interface RawDemoFlags {
  broker?: string; estate: string; box: string; dataDir: string; centerKeyFile?: string; ackTimeout?: string;
  scenario: string; devices?: string; duration?: string; inventory: string; center?: boolean; centerAck?: string;
  transport: string; display: string; logLevel: string;
}

const ID = /^[a-z0-9-]{1,32}$/;

function positive(name: string, text: string | undefined, { min = 1, max = Infinity } = {}): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || n > max) throw new QinheError('QH_USAGE', `${name} must be a number from ${min} to ${max}, got "${text}"`);
  return n;
}

export function parseDemoFlags(f: RawDemoFlags): DemoOptions {
  if (!ID.test(f.estate)) throw new QinheError('QH_USAGE', `--estate must be 1–32 characters of a-z 0-9 -, got "${f.estate}"`);
  if (!ID.test(f.box)) throw new QinheError('QH_USAGE', `--box must be 1–32 characters of a-z 0-9 -, got "${f.box}"`);
  if (f.scenario !== 'caima' && f.scenario !== 'none') throw new QinheError('QH_USAGE', `--scenario must be caima or none, got "${f.scenario}"`);
  if (!['auto', 'pty', 'memory'].includes(f.transport)) throw new QinheError('QH_USAGE', '--transport must be auto, pty or memory');
  if (!['auto', 'tty', 'plain', 'none'].includes(f.display)) throw new QinheError('QH_USAGE', '--display must be auto, tty, plain or none');
  if (f.broker !== undefined && !/^(mqtts?|tcp|ssl|tls):\/\//.test(f.broker)) throw new QinheError('QH_USAGE', `--broker must be an mqtt:// or mqtts:// URL, got "${f.broker}"`);
  const opts: DemoOptions = {
    estate: f.estate, box: f.box, dataDir: resolve(f.dataDir), scenario: f.scenario, inventory: resolve(f.inventory),
    center: Boolean(f.center), transport: f.transport as DemoOptions['transport'], display: f.display as DemoOptions['display'],
    logLevel: f.logLevel,
  };
  if (f.broker !== undefined) opts.broker = f.broker;
  if (f.centerKeyFile !== undefined) opts.centerKeyFile = resolve(f.centerKeyFile);
  const ack = positive('--ack-timeout', f.ackTimeout, { min: 5, max: 3600 });
  if (ack !== undefined) opts.ackTimeoutS = Math.round(ack);
  const devices = positive('--devices', f.devices, { min: 1, max: 100_000 });
  if (devices !== undefined) opts.devices = Math.floor(devices);
  const duration = positive('--duration', f.duration, { min: 1 });
  if (duration !== undefined) opts.durationS = duration;
  const centerAck = positive('--center-ack', f.centerAck, { min: 0 });
  if (centerAck !== undefined) opts.centerAckS = centerAck;
  return opts;
}
