/**
 * Loads and validates a box configuration with everything it refers to (profiles, secrets), reporting every
 * problem at once with file, line, path, value and reason. Nothing here has side effects: a bad new config
 * is rejected while the running one stays.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve, dirname } from 'node:path';
import { checkDevices } from './devices-check.js';
import type { ConfigIssue } from './issues.js';
import { loadProfiles } from './profiles.js';
import { boxConfigSchema, type BoxConfig, type ProfileConfig } from './schema.js';
import { EMPTY_SECRETS, loadSecrets, secretsPath, type Secrets } from './secrets.js';
import { parseYamlSource, positionOf, zodIssues, type YamlSource } from './yaml-source.js';

export interface LoadedConfig {
  file: string;
  config: BoxConfig;
  profiles: Map<string, ProfileConfig>;
  secrets: Secrets;
  /** where the secrets came from, if anywhere */
  secretsFile: string | undefined;
}

export type LoadResult = { ok: true; loaded: LoadedConfig } | { ok: false; issues: ConfigIssue[] };

export interface LoadOptions {
  /** Require the secrets file to exist (the daemon does; `config validate` checks it when present). */
  requireSecrets?: boolean;
  env?: NodeJS.ProcessEnv;
}

export function loadBoxConfig(file: string, opts: LoadOptions = {}): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, issues: [{ file, message: `cannot read config: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }] };
  }
  const src = parseYamlSource(text, file);
  if (src.issues.length > 0) return { ok: false, issues: src.issues };
  const parsed = boxConfigSchema.safeParse(src.value);
  if (!parsed.success) {
    return { ok: false, issues: zodIssues(src, parsed.error) };
  }
  const config = resolvePaths(parsed.data, dirname(resolve(file)));
  const issues: ConfigIssue[] = [];

  const profileSet = loadProfiles(config.profilesDir);
  issues.push(...profileSet.issues);

  const sFile = secretsPath(config.secretsFile, opts.env);
  let secrets: Secrets = EMPTY_SECRETS;
  if (sFile) {
    const s = loadSecrets(sFile);
    issues.push(...s.issues);
    if (s.secrets) secrets = s.secrets;
  } else if (opts.requireSecrets && config.devices.some((d) => profileSet.profiles.get(d.profile)?.needsCredentials)) {
    issues.push({ file, ...positionOf(src, ['secretsFile']), path: 'secretsFile', message: 'cameras need credentials: set secretsFile (mode 0600) or provide systemd credential secrets.yaml' });
  }

  issues.push(...crossCheck(src, config, profileSet.profiles, profileSet.broken, sFile ? secrets : undefined));
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, loaded: { file, config, profiles: profileSet.profiles, secrets, secretsFile: sFile } };
}

/** Relative file paths in the config are relative to the config file. */
function resolvePaths(config: BoxConfig, base: string): BoxConfig {
  const abs = (p: string | undefined) => (p === undefined || isAbsolute(p) ? p : resolve(base, p));
  return {
    ...config,
    ...(config.secretsFile ? { secretsFile: abs(config.secretsFile) } : {}),
    ...(config.profilesDir ? { profilesDir: abs(config.profilesDir) } : {}),
    storage: { ...config.storage, dataDir: abs(config.storage.dataDir) ?? config.storage.dataDir },
    uplink: {
      ...config.uplink,
      ...(config.uplink.caFile ? { caFile: abs(config.uplink.caFile) } : {}),
      ...(config.uplink.certFile ? { certFile: abs(config.uplink.certFile) } : {}),
      centerKeys: config.uplink.centerKeys.map((k) => abs(k) ?? k),
    },
  };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function crossCheck(src: YamlSource, config: BoxConfig, profiles: Map<string, ProfileConfig>, brokenProfiles: Set<string>, secrets: Secrets | undefined): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (path: (string | number)[], value: unknown, message: string) =>
    issues.push({ file: src.file, ...positionOf(src, path), path: path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '['), value, message });

  let url: URL | undefined;
  try {
    url = new URL(config.uplink.url);
  } catch {
    at(['uplink', 'url'], config.uplink.url, 'not a URL (expected mqtts://host:8883)');
  }
  if (url) {
    if (!['mqtt:', 'mqtts:'].includes(url.protocol)) at(['uplink', 'url'], config.uplink.url, 'scheme must be mqtts:// (or mqtt:// to loopback)');
    else if (url.protocol === 'mqtt:' && !LOOPBACK.has(url.hostname) && !config.uplink.insecure) {
      at(['uplink', 'url'], config.uplink.url, 'plain TCP is allowed only to a loopback broker or with uplink.insecure: true; use mqtts://');
    }
    if (url.username || url.password) at(['uplink', 'url'], undefined, 'credentials do not belong in the URL: use uplink.username and the secrets file');
  }

  const lineIds = new Set<string>();
  const paths = new Set<string>();
  config.serial.forEach((line, i) => {
    if (lineIds.has(line.id)) at(['serial', i, 'id'], line.id, 'duplicate serial line id');
    if (paths.has(line.path)) at(['serial', i, 'path'], line.path, 'this port is already configured (one master per line)');
    lineIds.add(line.id);
    paths.add(line.path);
  });

  issues.push(...checkDevices(config.devices, (i, field) => ({
    file: src.file, ...positionOf(src, ['devices', i, field]), path: `devices[${i}].${field}`,
  }), { profiles, brokenProfiles, serialPaths: paths, ...(secrets ? { secrets } : {}) }));

  const ids = new Set(config.devices.map((d) => d.id));
  config.devices.forEach((d, i) => {
    d.linkedCameras?.forEach((c, j) => {
      if (!ids.has(c)) at(['devices', i, 'linkedCameras', j], c, 'no such device');
    });
    const profile = profiles.get(d.profile);
    d.rules?.forEach((r, j) => {
      if (profile && !profile.rules.some((pr) => pr.id === r.id)) at(['devices', i, 'rules', j, 'id'], r.id, `profile ${profile.model} has no rule with this id`);
    });
  });
  config.actions.forEach((a, i) => {
    a.sirens.forEach((s, j) => {
      if (s !== 'zone' && !ids.has(s)) at(['actions', i, 'sirens', j], s, 'no such device (or use "zone")');
    });
  });
  return issues;
}
