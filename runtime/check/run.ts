/**
 * Runs every check in order and never throws: a check that crashes is reported as failed with its error.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { boxConfigSchema, type BoxConfig } from '../../config/schema.js';
import { errorMessage } from '../core/errors.js';
import { checkConfig, checkSecrets } from './config-checks.js';
import { checkFfmpeg, checkGpio, checkSerial } from './hardware.js';
import { checkBroker } from './network.js';
import { checkClock, checkDisk } from './system.js';
import type { Check, CheckContext, CheckProbes, CheckResult } from './types.js';

export const CHECKS: Array<[string, Check]> = [
  ['config', checkConfig], ['secrets', checkSecrets], ['serial', checkSerial], ['gpio', checkGpio],
  ['ffmpeg', checkFfmpeg], ['broker', checkBroker], ['clock', checkClock], ['disk', checkDisk],
];

/** The config as far as its schema goes (profiles and secrets may still be broken). */
function schemaOnly(file: string, read: (f: string) => string): BoxConfig | undefined {
  try {
    const parsed = boxConfigSchema.safeParse(parseYaml(read(file)));
    if (!parsed.success) return undefined;
    const c = parsed.data;
    const base = dirname(resolve(file));
    const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
    return {
      ...c, storage: { ...c.storage, dataDir: abs(c.storage.dataDir) },
      uplink: { ...c.uplink, ...(c.uplink.caFile ? { caFile: abs(c.uplink.caFile) } : {}), ...(c.uplink.certFile ? { certFile: abs(c.uplink.certFile) } : {}) },
      ...(c.secretsFile ? { secretsFile: abs(c.secretsFile) } : {}),
    };
  } catch {
    return undefined;
  }
}

export async function runChecks(configFile: string, probes: CheckProbes, opts: { timeoutMs?: number } = {}): Promise<CheckResult[]> {
  const ctx: CheckContext = { configFile, probes, timeoutMs: opts.timeoutMs ?? 5000 };
  const loaded = probes.loadConfig(configFile);
  if (loaded.ok) {
    ctx.loaded = loaded.loaded;
    ctx.config = loaded.loaded.config;
  } else {
    const c = schemaOnly(configFile, probes.readText);
    if (c) ctx.config = c;
  }
  const results: CheckResult[] = [];
  for (const [id, check] of CHECKS) {
    try {
      results.push(...await check(ctx));
    } catch (err) {
      results.push({ id, status: 'fail', message: `the ${id} check itself failed: ${errorMessage(err)}`, hint: 'report this with the output of qinhe check --json' });
    }
  }
  return results;
}
