/**
 * Provisioning the demo box into its data dir, with the same code as `qinhe provision` (buildFromInventory,
 * then the same atomic writes and the same load-back check), plus what a demo needs and says so:
 *   - secrets.yaml (0600): generated once with the simulated cameras' credentials, kept across restarts;
 *   - the center key pair (Ed25519): generated once unless --center-key-file names the center's public key;
 *   - the scenario's silent unit gets its offline rule at afterS 0, so device-offline shows inside a minute;
 *   - local API socket, ack timeout, and shorter health period for a live view.
 *
 *   DIR/etc/qinhe.yaml  DIR/etc/secrets.yaml  DIR/etc/inventory.csv  DIR/etc/center-key.pem (private, 0600)
 *   DIR/etc/center-key.pub.pem  DIR/var/ (outbox.db, incidents)  DIR/dev/ttyQH0..3 (PTY links)  DIR/api.sock
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeFileAtomic } from '../../config/atomic-write.js';
import { formatIssue } from '../../config/issues.js';
import { loadBoxConfig, type LoadedConfig } from '../../config/load.js';
import { buildFromInventory, CONFIG_FILE_NAME, SECRETS_FILE_NAME } from '../../config/provision.js';
import type { BoxConfigInput } from '../../config/schema.js';
import { loadSecrets } from '../../config/secrets.js';
import { generateCenterKeyPair } from '../commands/sign.js';
import { QinheError } from '../core/errors.js';

export interface DemoPaths {
  dataDir: string;
  etc: string;
  var: string;
  dev: string;
  configFile: string;
  secretsFile: string;
  inventoryFile: string;
  apiSocket: string;
  logFile: string;
}

export function demoPaths(dataDir: string): DemoPaths {
  const etc = join(dataDir, 'etc');
  return {
    dataDir, etc, var: join(dataDir, 'var'), dev: join(dataDir, 'dev'),
    configFile: join(etc, CONFIG_FILE_NAME), secretsFile: join(etc, SECRETS_FILE_NAME), inventoryFile: join(etc, 'inventory.csv'),
    apiSocket: join(dataDir, 'api.sock'), logFile: join(dataDir, 'demo.log'),
  };
}

export function makeDirs(p: DemoPaths): void {
  for (const d of [p.dataDir, p.etc, p.var, p.dev]) mkdirSync(d, { recursive: true, mode: 0o700 });
}

/** The simulated cameras' credentials: from the existing secrets file, else new ones written (0600). */
export function demoCameraCredentials(p: DemoPaths): { username: string; password: string } {
  if (existsSync(p.secretsFile)) {
    const s = loadSecrets(p.secretsFile);
    const cred = s.secrets?.cameras.default;
    if (cred) return cred;
  }
  const cred = { username: 'admin', password: randomBytes(12).toString('base64url') };
  writeFileAtomic(p.secretsFile, `# Qinhe demo secrets (simulated cameras): keep mode 0600.\n${stringify({ cameras: { default: cred } })}`, 0o600);
  return cred;
}

export interface CenterKey {
  publicKeyFile: string;
  /** Only when the demo made the pair: where a person finds the private key to sign commands. */
  privateKeyFile?: string;
}

export function demoCenterKey(p: DemoPaths, given?: string): CenterKey {
  if (given) {
    if (!existsSync(given)) throw new QinheError('QH_CONFIG_IO', `--center-key-file ${given} does not exist`);
    return { publicKeyFile: given };
  }
  const privateKeyFile = join(p.etc, 'center-key.pem');
  const publicKeyFile = join(p.etc, 'center-key.pub.pem');
  if (!existsSync(privateKeyFile) || !existsSync(publicKeyFile)) {
    const pair = generateCenterKeyPair();
    writeFileAtomic(privateKeyFile, pair.privateKeyPem, 0o600);
    writeFileAtomic(publicKeyFile, pair.publicKeyPem, 0o644);
  }
  return { publicKeyFile, privateKeyFile };
}

export function readPrivateKey(key: CenterKey): string | undefined {
  return key.privateKeyFile ? readFileSync(key.privateKeyFile, 'utf8') : undefined;
}

export interface DemoProvisionInput {
  paths: DemoPaths;
  estate: string;
  box: string;
  broker: string;
  centerKey: CenterKey;
  ackTimeoutS?: number;
  /** Device whose offline rule is shortened to afterS 0 (the scenario silences it). */
  offline?: { id: string; ruleId: string };
}

/** Builds, writes and loads back the demo box configuration. */
export function provisionDemo(i: DemoProvisionInput): LoadedConfig {
  const built = buildFromInventory({
    inventoryFile: i.paths.inventoryFile, estate: i.estate, box: i.box, outDir: i.paths.etc, broker: i.broker,
    dataDir: i.paths.var, secretsFile: i.paths.secretsFile, baud: 9600,
  });
  if (!built.config || built.issues.length > 0) {
    throw new QinheError('QH_CONFIG_INVALID', `demo provisioning failed:\n${built.issues.map(formatIssue).join('\n')}`);
  }
  const config: BoxConfigInput = {
    ...built.config,
    estate: { id: i.estate, name: 'Caima (demo)' },
    uplink: { ...built.config.uplink, centerKeys: [i.centerKey.publicKeyFile], healthIntervalS: 30 },
    api: { socket: i.paths.apiSocket },
    ...(i.ackTimeoutS ? { incidents: { ackTimeoutS: i.ackTimeoutS } } : {}),
    devices: built.config.devices?.map((d) => (d.id === i.offline?.id ? { ...d, rules: [{ id: i.offline.ruleId, afterS: 0 }] } : d)),
  };
  if (built.secrets && built.config.secretsFile) {
    writeFileAtomic(i.paths.secretsFile, `# Qinhe demo secrets (simulated cameras): keep mode 0600.\n${stringify(built.secrets)}`, 0o600);
  }
  const header = `# Qinhe demo box (estate ${i.estate}, box ${i.box}), provisioned from ${i.paths.inventoryFile} at ${new Date().toISOString()}.\n` +
    '# Rewritten at every demo start. Check it with: qinhe config validate <this file>\n';
  writeFileAtomic(i.paths.configFile, header + stringify(config, { lineWidth: 0 }));
  const loaded = loadBoxConfig(i.paths.configFile, { requireSecrets: true });
  if (!loaded.ok) throw new QinheError('QH_CONFIG_INVALID', `demo config does not load:\n${loaded.issues.map(formatIssue).join('\n')}`);
  return loaded.loaded;
}
