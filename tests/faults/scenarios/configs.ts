/**
 * Item 17 — configs and inventories. A corpus of broken files generated from valid bases (lib/corpus.ts) must
 * be rejected 100 %, each with a message that names the file and the line (config) or row (inventory) of the
 * fault. Then a running `qinhe run` box gets broken configs on SIGHUP and must keep running its last good one
 * (and still accept a good one afterwards).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkDevices } from '../../../config/devices-check.js';
import { formatIssue, type ConfigIssue } from '../../../config/issues.js';
import { parseInventory } from '../../../config/inventory.js';
import { loadBoxConfig } from '../../../config/load.js';
import { loadProfiles } from '../../../config/profiles.js';
import { EMPTY_SECRETS } from '../../../config/secrets.js';
import { qinheArgv } from '../../helpers/cli.js';
import { spawnChild } from '../lib/child.js';
import { configCorpus, inventoryCorpus, VALID_CONFIG, VALID_INVENTORY, type Broken } from '../lib/corpus.js';
import { sleep, waitUntil, type Ctx, type Scenario } from '../lib/suite.js';

const profiles = loadProfiles().profiles;

function issuesOf(b: Broken, file: string): ConfigIssue[] {
  if (b.kind === 'config') {
    const r = loadBoxConfig(file);
    return r.ok ? [] : r.issues;
  }
  const inv = parseInventory(readFileSync(file, 'utf8'), file);
  return [...inv.issues, ...checkDevices(inv.rows.map((r) => r.device), (i, field) => ({ file, row: inv.rows[i]?.row ?? 0, field }),
    { profiles, secrets: EMPTY_SECRETS })];
}

async function sighup(ctx: Ctx, broken: Broken[]): Promise<void> {
  const dir = ctx.tmp('sighup');
  const config = join(dir, 'qinhe.yaml');
  const good = readFileSync(VALID_CONFIG, 'utf8').replace('/tmp/qinhe-faults-config-data', join(dir, 'data'));
  writeFileSync(config, good);
  const box = spawnChild(process.execPath, [...qinheArgv(), 'run', '--config', config], { env: { ...process.env, NO_COLOR: '1' } });
  ctx.defer(() => box.kill());
  const msgs = () => box.lines.map((l) => { try { return String((JSON.parse(l) as { msg?: string }).msg); } catch { return ''; } });
  await waitUntil(() => msgs().includes('box running'), 'box running', 60_000, 50);
  let rejected = 0;
  for (const b of broken) {
    writeFileSync(config, b.text.replace('/tmp/qinhe-faults-config-data', join(dir, 'data')));
    const before = msgs().filter((m) => m.startsWith('config reload rejected')).length;
    box.proc.kill('SIGHUP');
    try {
      await waitUntil(() => msgs().filter((m) => m.startsWith('config reload rejected')).length > before, 'reload rejected', 10_000, 20);
      rejected += 1;
    } catch { ctx.log(`SIGHUP with ${b.name}: no rejection logged`); }
  }
  await sleep(200);
  const aliveAfterBroken = box.proc.exitCode === null && box.proc.signalCode === null;
  writeFileSync(config, good.replace('ackTimeoutS: 60', 'ackTimeoutS: 90'));
  box.proc.kill('SIGHUP');
  let reloaded = true;
  await waitUntil(() => msgs().includes('config reloaded'), 'config reloaded', 20_000, 50).catch(() => { reloaded = false; });
  ctx.figure('sighupBroken', broken.length);
  ctx.figure('sighupRejected', rejected);
  ctx.check('a running box keeps its last good config on SIGHUP', rejected === broken.length && aliveAfterBroken && reloaded,
    `${rejected}/${broken.length} broken reloads rejected, alive=${aliveAfterBroken}, a good reload afterwards ${reloaded ? 'accepted' : 'NOT accepted'}`);
}

export const configs: Scenario = {
  id: 'configs', item: 17, title: 'broken configs and inventories', sizes: 'CI full corpus + 12 SIGHUPs; --full + 60 SIGHUPs',
  async run(ctx) {
    const dir = ctx.tmp('corpus');
    const corpus = [...configCorpus(), ...inventoryCorpus()];
    const valid = issuesOf({ kind: 'config' } as Broken, VALID_CONFIG).length + issuesOf({ kind: 'inventory' } as Broken, VALID_INVENTORY).length;
    let accepted = 0;
    let imprecise = 0;
    let exact = 0;
    const examples: string[] = [];
    for (const b of corpus) {
      const file = join(dir, `${b.name}.${b.kind === 'config' ? 'yaml' : 'csv'}`);
      writeFileSync(file, b.text);
      const issues = issuesOf(b, file);
      if (issues.length === 0) {
        accepted += 1;
        if (examples.length < 30) examples.push(`accepted: ${b.name}`);
        continue;
      }
      const pos = (i: ConfigIssue) => (b.kind === 'config' ? i.line : (i.row ?? i.line));
      const namesFile = issues.every((i) => i.file === file);
      const located = issues.some((i) => pos(i) !== undefined && Math.abs(pos(i)! - b.at) <= b.near);
      const text = issues.map(formatIssue).join('\n');
      const mentions = b.mention === undefined || text.includes(b.mention);
      if (issues.some((i) => pos(i) === b.at)) exact += 1;
      if (!namesFile || !located || !mentions) {
        imprecise += 1;
        if (examples.length < 30) examples.push(`${b.name} (want ${b.kind === 'config' ? 'line' : 'row'} ${b.at}${b.near ? `±${b.near}` : ''}${b.mention ? `, "${b.mention}"` : ''}): ${text.split('\n')[0]!.replace(dir + '/', '')}`);
      }
    }
    for (const e of examples) ctx.log(e);
    ctx.figure('corpus', corpus.length);
    ctx.figure('configFiles', corpus.filter((b) => b.kind === 'config').length);
    ctx.figure('inventoryFiles', corpus.filter((b) => b.kind === 'inventory').length);
    ctx.figure('accepted', accepted);
    ctx.figure('imprecise', imprecise);
    ctx.figure('exactLineOrRow', exact);
    ctx.check('the valid bases are accepted (control)', valid === 0, `${valid} issues on the bases`);
    ctx.check('≥ 200 broken files', corpus.length >= 200, `${corpus.length}`);
    ctx.check('100 % rejected', accepted === 0, `${corpus.length - accepted}/${corpus.length}`);
    ctx.check('every rejection names the file and the line/row', imprecise === 0, `${corpus.length - accepted - imprecise}/${corpus.length - accepted} precise`);
    const configsOnly = corpus.filter((b) => b.kind === 'config');
    const step = Math.max(1, Math.floor(configsOnly.length / (ctx.full ? 60 : 12)));
    await sighup(ctx, configsOnly.filter((_, i) => i % step === 0).slice(0, ctx.full ? 60 : 12));
  },
};
