/** Probes where everything is fine, each overridable to make one check fail. */
import type { LoadResult } from '../../../config/load.js';
import { boxConfigSchema, type BoxConfigInput } from '../../../config/schema.js';
import type { CheckProbes } from '../../../runtime/check/types.js';

export const CONFIG_FILE = '/etc/qinhe/qinhe.yaml';

export function configInput(over: Partial<BoxConfigInput> = {}): BoxConfigInput {
  return {
    version: 1, estate: { id: 'caima' }, box: { id: 'caima-01' },
    uplink: { url: 'mqtts://center.example:8883', caFile: '/etc/qinhe/ca.pem', certFile: '/etc/qinhe/box.pem' },
    storage: { dataDir: '/var/lib/qinhe', quotaMb: 512, evidenceRetentionMb: 1024 },
    serial: [{ id: 'rs485-0', path: '/dev/qinhe/rs485-0' }],
    devices: [
      { id: 'cam-a1', type: 'camera', profile: 'onvif-camera', zone: 'A1', address: 'onvif://10.0.0.5' },
      { id: 'panic-a1', type: 'panic', profile: 'gpio-panic', zone: 'A1', address: 'gpio://gpiochip0/17' },
    ],
    ...over,
  };
}

export function loadedFrom(input: BoxConfigInput): LoadResult {
  const config = boxConfigSchema.parse(input);
  return { ok: true, loaded: { file: CONFIG_FILE, config, profiles: new Map(), secrets: { cameras: {}, tls: { key: 'KEY' } }, secretsFile: '/etc/qinhe/secrets.yaml' } };
}

export function goodProbes(over: Partial<CheckProbes> = {}, input = configInput()): CheckProbes {
  return {
    env: { PATH: '/usr/bin' },
    loadConfig: () => loadedFrom(input),
    readText: (f) => `PEM of ${f}`,
    mode: () => 0o600,
    exists: () => true,
    listDir: (d) => (d === '/dev' ? ['gpiochip0', 'ttyUSB0'] : []),
    openSerial: async () => undefined,
    run: async (cmd) => (cmd === 'timedatectl'
      ? { code: 0, stdout: 'yes\n', stderr: '' }
      : { code: 0, stdout: 'ffmpeg version 5.1.6-0+deb12u1 Copyright', stderr: '' }),
    which: (cmd) => `/usr/bin/${cmd}`,
    tcpConnect: async () => undefined,
    tlsHandshake: async () => ({ authorized: true }),
    diskSpace: async () => ({ free: 20 * 1024 ** 3, total: 32 * 1024 ** 3 }),
    ...over,
  };
}

export const errno = (code: string) => Object.assign(new Error(code), { code });
