/**
 * Provisioning: the installer's inventory CSV → a validated box configuration (and a secrets file, mode
 * 0600, when the sheet or --secrets carries camera credentials). Every problem is reported at once; nothing
 * is written unless the whole inventory is valid; files are written atomically.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseAddress } from './address.js';
import { writeFileAtomic } from './atomic-write.js';
import { checkDevices } from './devices-check.js';
import { parseInventory } from './inventory.js';
import type { ConfigIssue } from './issues.js';
import { loadBoxConfig } from './load.js';
import { loadProfiles } from './profiles.js';
import { boxConfigSchema, type BoxConfigInput, type SerialLineConfig } from './schema.js';
import { EMPTY_SECRETS, loadSecrets, type Secrets } from './secrets.js';

export interface ProvisionOptions {
  inventoryFile: string;
  estate: string;
  box: string;
  outDir: string;
  secretsFile?: string;
  profilesDir?: string;
  broker?: string;
  baud?: SerialLineConfig['baud'];
  dataDir?: string;
}

export type ProvisionResult =
  | { ok: true; configFile: string; secretsFile?: string; devices: number; byType: Record<string, number>; serialLines: number }
  | { ok: false; issues: ConfigIssue[] };

export const CONFIG_FILE_NAME = 'qinhe.yaml';
export const SECRETS_FILE_NAME = 'secrets.yaml';
const ID = /^[a-z0-9-]{1,32}$/;

/** Builds the config (and secrets) in memory; writes nothing. */
export function buildFromInventory(opts: ProvisionOptions): { config?: BoxConfigInput; secrets?: Secrets; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  if (!ID.test(opts.estate)) issues.push({ file: '--estate', value: opts.estate, message: 'must be 1–32 characters of a-z 0-9 -' });
  if (!ID.test(opts.box)) issues.push({ file: '--box', value: opts.box, message: 'must be 1–32 characters of a-z 0-9 -' });

  let text: string;
  try {
    text = readFileSync(opts.inventoryFile, 'utf8');
  } catch (err) {
    return { issues: [...issues, { file: opts.inventoryFile, message: `cannot read inventory: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }] };
  }
  const inv = parseInventory(text, opts.inventoryFile);
  issues.push(...inv.issues);
  const profiles = loadProfiles(opts.profilesDir);
  issues.push(...profiles.issues);

  let secrets: Secrets = { ...EMPTY_SECRETS, cameras: {} };
  if (opts.secretsFile) {
    const s = loadSecrets(opts.secretsFile);
    issues.push(...s.issues);
    if (s.secrets) secrets = { ...s.secrets, cameras: { ...s.secrets.cameras } };
  }
  for (const r of inv.rows) if (r.credentials) secrets.cameras[r.device.id] = r.credentials;

  const devices = inv.rows.map((r) => r.device);
  issues.push(...checkDevices(devices, (i, field) => ({ file: opts.inventoryFile, row: inv.rows[i]?.row ?? 0, field }), { profiles: profiles.profiles, brokenProfiles: profiles.broken, secrets }));
  if (issues.length > 0) return { issues };

  const paths = [...new Set(devices.map((d) => parseAddress(d.address)).flatMap((a) => (a.ok && a.address.protocol === 'modbus-rtu' ? [a.address.path] : [])))];
  const config: BoxConfigInput = {
    version: 1,
    estate: { id: opts.estate },
    box: { id: opts.box },
    ...(Object.keys(secrets.cameras).length > 0 || secrets.mqtt || secrets.tls ? { secretsFile: SECRETS_FILE_NAME } : {}),
    uplink: { url: opts.broker ?? 'mqtt://127.0.0.1:1883' },
    storage: { dataDir: opts.dataDir ?? '/var/lib/qinhe' },
    serial: paths.map((path, i) => ({ id: `rs485-${i + 1}`, path, baud: opts.baud ?? 9600 })),
    devices,
  };
  const check = boxConfigSchema.safeParse(config);
  if (!check.success) return { issues: check.error.issues.map((i) => ({ file: opts.inventoryFile, path: i.path.join('.'), message: i.message })) };
  return { config, secrets, issues: [] };
}

export function provision(opts: ProvisionOptions): ProvisionResult {
  const built = buildFromInventory(opts);
  if (!built.config || built.issues.length > 0) return { ok: false, issues: built.issues };
  const configFile = join(opts.outDir, CONFIG_FILE_NAME);
  const header = `# Qinhe box configuration for estate ${opts.estate}, box ${opts.box}.\n` +
    `# Provisioned from ${opts.inventoryFile} on ${new Date().toISOString()}. Check it with: qinhe config validate ${CONFIG_FILE_NAME}\n`;
  let secretsFile: string | undefined;
  if (built.config.secretsFile && built.secrets) {
    secretsFile = join(opts.outDir, SECRETS_FILE_NAME);
    writeFileAtomic(secretsFile, `# Qinhe secrets: keep mode 0600.\n${stringify(built.secrets)}`, 0o600);
  }
  writeFileAtomic(configFile, header + stringify(built.config, { lineWidth: 0 }));
  // The file we wrote must load: the same validation `config validate` and `run` use.
  const reloaded = loadBoxConfig(configFile);
  if (!reloaded.ok) return { ok: false, issues: reloaded.issues };
  const byType: Record<string, number> = {};
  for (const d of reloaded.loaded.config.devices) byType[d.type] = (byType[d.type] ?? 0) + 1;
  return { ok: true, configFile, ...(secretsFile ? { secretsFile } : {}), devices: reloaded.loaded.config.devices.length, byType, serialLines: reloaded.loaded.config.serial.length };
}
