/** Config, profiles and the secrets file's mode. */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { formatIssue } from '../../config/issues.js';
import { fail, ok, warn, type CheckContext, type CheckResult } from './types.js';

export async function checkConfig(ctx: CheckContext): Promise<CheckResult[]> {
  if (ctx.loaded) {
    const c = ctx.loaded.config;
    return [ok('config', `${ctx.configFile} valid: estate ${c.estate.id}, box ${c.box.id}, ${c.devices.length} devices, ${ctx.loaded.profiles.size} profiles`)];
  }
  const r = ctx.probes.loadConfig(ctx.configFile);
  if (r.ok) return [ok('config', `${ctx.configFile} valid`)];
  const first = r.issues.slice(0, 5).map(formatIssue).join('; ');
  return [fail('config', `${ctx.configFile}: ${r.issues.length} problem${r.issues.length === 1 ? '' : 's'}: ${first}${r.issues.length > 5 ? '; …' : ''}`,
    `see them all: qinhe config validate ${ctx.configFile}`)];
}

/** The secrets file: config secretsFile, else $CREDENTIALS_DIRECTORY/secrets.yaml, else the LoadCredential source. */
export function secretsFileFor(ctx: CheckContext): string {
  const configured = ctx.config?.secretsFile;
  if (configured) return isAbsolute(configured) ? configured : resolve(dirname(ctx.configFile), configured);
  if (ctx.probes.env.CREDENTIALS_DIRECTORY) return join(ctx.probes.env.CREDENTIALS_DIRECTORY, 'secrets.yaml');
  return '/etc/qinhe/secrets.yaml';
}

export async function checkSecrets(ctx: CheckContext): Promise<CheckResult[]> {
  const file = secretsFileFor(ctx);
  const mode = ctx.probes.mode(file);
  const needs = ctx.loaded ? [...ctx.loaded.config.devices].some((d) => ctx.loaded?.profiles.get(d.profile)?.needsCredentials) : true;
  if (mode === undefined) {
    return [needs
      ? warn('secrets', `no secrets file at ${file} (or not readable by this user)`, `create it with mode 0600 (cameras and the broker need credentials); run check with sudo to read it`)
      : ok('secrets', `no secrets file at ${file}; no device needs credentials`)];
  }
  if ((mode & 0o077) !== 0) {
    return [fail('secrets', `${file} has mode 0${(mode & 0o777).toString(8)}: readable by group or others`, `sudo chmod 600 ${file}`)];
  }
  return [ok('secrets', `${file} mode 0${(mode & 0o777).toString(8)}`)];
}
