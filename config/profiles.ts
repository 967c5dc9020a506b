/**
 * Device profiles as data: one YAML file per device model in config/profiles/ (and an optional extra
 * directory from the box config). An installer adds a model by adding a file; a broken profile is reported
 * like a broken config, with file and line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { profileSchema, type ProfileConfig } from './schema.js';
import type { ConfigIssue } from './issues.js';
import { parseYamlSource, positionOf, zodIssues } from './yaml-source.js';
import { builtinProfilesDir } from './paths.js';

export interface ProfileSet {
  profiles: Map<string, ProfileConfig>;
  /** model → file it came from */
  files: Map<string, string>;
  issues: ConfigIssue[];
  /** models (file names) that exist but failed to load */
  broken: Set<string>;
}

export function loadProfileFile(file: string): { profile?: ProfileConfig; issues: ConfigIssue[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { issues: [{ file, message: `cannot read profile: ${(err as Error).message}` }] };
  }
  const src = parseYamlSource(text, file);
  if (src.issues.length > 0) return { issues: src.issues };
  const parsed = profileSchema.safeParse(src.value);
  if (!parsed.success) return { issues: zodIssues(src, parsed.error) };
  const profile = parsed.data;
  const issues: ConfigIssue[] = [];
  const expected = basename(file).replace(/\.ya?ml$/, '');
  if (profile.model !== expected) {
    issues.push({ file, ...positionOf(src, ['model']), path: 'model', value: profile.model, message: `model must equal the file name "${expected}"` });
  }
  const names = new Set<string>();
  profile.points.forEach((p, i) => {
    if (names.has(p.name)) issues.push({ file, ...positionOf(src, ['points', i, 'name']), path: `points[${i}].name`, value: p.name, message: 'duplicate point name' });
    names.add(p.name);
  });
  const ruleIds = new Set<string>();
  profile.rules.forEach((r, i) => {
    if (ruleIds.has(r.id)) issues.push({ file, ...positionOf(src, ['rules', i, 'id']), path: `rules[${i}].id`, value: r.id, message: 'duplicate rule id' });
    ruleIds.add(r.id);
    if ('point' in r && !names.has(r.point)) {
      issues.push({ file, ...positionOf(src, ['rules', i, 'point']), path: `rules[${i}].point`, value: r.point, message: 'rule refers to a point the profile does not declare' });
    }
  });
  if (profile.protocol === 'modbus-rtu' && profile.points.length === 0) {
    issues.push({ file, ...positionOf(src, ['protocol']), path: 'points', message: 'a modbus-rtu profile needs at least one point' });
  }
  if (profile.protocol === 'gpio' && !profile.gpio) {
    issues.push({ file, ...positionOf(src, ['protocol']), path: 'gpio', message: 'a gpio profile needs a gpio section (direction, activeLow, ...)' });
  }
  if (profile.output && !profile.points.some((p) => p.name === profile.output?.point && p.writable)) {
    issues.push({ file, ...positionOf(src, ['output', 'point']), path: 'output.point', value: profile.output.point, message: 'output point must be a writable point of this profile' });
  }
  return issues.length > 0 ? { issues } : { profile, issues };
}

/** Loads the built-in profiles, then those of `extraDir` (which may add models or replace built-in ones). */
export function loadProfiles(extraDir?: string): ProfileSet {
  const set: ProfileSet = { profiles: new Map(), files: new Map(), issues: [], broken: new Set() };
  for (const dir of [builtinProfilesDir(), ...(extraDir ? [extraDir] : [])]) {
    let entries: string[];
    try {
      entries = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
    } catch (err) {
      set.issues.push({ file: dir, message: `cannot read profiles directory: ${(err as Error).message}` });
      continue;
    }
    for (const name of entries) {
      const file = join(dir, name);
      const { profile, issues } = loadProfileFile(file);
      set.issues.push(...issues);
      if (!profile) set.broken.add(name.replace(/\.ya?ml$/, ''));
      if (profile) {
        set.profiles.set(profile.model, profile);
        set.files.set(profile.model, file);
      }
    }
  }
  return set;
}
