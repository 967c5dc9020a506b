/**
 * What an incident does locally, as data (pure): which sirens/strobes sound with which pattern, which
 * charging ports are cut off, which cameras take evidence.
 *
 * Configured actions (BoxConfig.actions) match by kind (or `*`), zone (or `*` = the incident's zone) and
 * severity; the most specific match wins (kind+zone > kind > zone > any). `sirens: ["zone"]` means the sirens
 * and strobes of the incident's zone. With no match, the default: the zone's sirens and strobes, pattern
 * `fire` for fire-risk/smoke, `intrusion` for intrusion/panic/tamper, `continuous` for falling-object, none for
 * device/box faults and minor incidents; cut-off on fire-risk from a charging point; evidence always.
 *
 * Cut-off, defined: an OutputCommand `{ deviceId, pattern: 'off', seconds: 0, priority: 0 }` sent to
 *   (a) the charging point itself when its profile declares an `output` (its own port relay), and
 *   (b) every device whose `tags.cutoff` names the charging point (a separate relay feeding that port).
 * The Modbus driver writes `off` as false to the profile's `output.point`, so a charging point's `output.point`
 * must be its port power-enable coil (true = energised): `off` then cuts the port. `seconds` is meaningless for
 * `off` (the drivers send `seconds: 0` themselves). The port stays cut after resolve: re-energising is a
 * technician's decision.
 */
import type { ActionConfig, BoxConfig } from '../../config/schema.js';
import type { OutputPattern, ResolvedDevice } from '../../drivers/types.js';
import type { IncidentKind, Severity } from '../core/contract.js';

export interface ActionPlan {
  sirens: string[];
  pattern: OutputPattern;
  seconds: number;
  cutoffs: string[];
  cameras: string[];
}

const DEFAULT_PATTERN: Partial<Record<IncidentKind, OutputPattern>> = {
  'fire-risk': 'fire', smoke: 'fire', intrusion: 'intrusion', panic: 'intrusion', tamper: 'intrusion', 'falling-object': 'continuous',
};
export const DEFAULT_ALARM_SECONDS = 120;
const OUTPUT_TYPES = new Set(['siren', 'strobe']);

export interface PlanInput {
  kind: IncidentKind;
  severity: Severity;
  zone: string;
  /** The device whose rule fired (absent for box faults). */
  device?: ResolvedDevice;
}

export function planActions(input: PlanInput, actions: BoxConfig['actions'], devices: ResolvedDevice[]): ActionPlan {
  const chosen = bestMatch(input, actions);
  const zoneOutputs = () => devices.filter((d) => OUTPUT_TYPES.has(d.config.type) && d.config.zone === input.zone).map((d) => d.config.id);
  let sirens: string[];
  let pattern: OutputPattern;
  let seconds = DEFAULT_ALARM_SECONDS;
  let cutoff: boolean;
  let evidence = true;
  if (chosen) {
    sirens = chosen.sirens.flatMap((s) => (s === 'zone' ? zoneOutputs() : [s]));
    pattern = chosen.pattern;
    seconds = chosen.seconds;
    cutoff = chosen.cutoff;
    evidence = chosen.evidence;
  } else {
    const p = DEFAULT_PATTERN[input.kind];
    sirens = p && input.severity !== 'minor' ? zoneOutputs() : [];
    pattern = p ?? 'continuous';
    cutoff = input.kind === 'fire-risk';
  }
  const dev = input.device;
  return {
    sirens: [...new Set(sirens)],
    pattern,
    seconds,
    cutoffs: cutoff && dev && dev.config.type === 'charging-point' ? cutoffTargets(dev, devices) : [],
    cameras: evidence && dev ? camerasFor(dev, devices) : [],
  };
}

function bestMatch(input: PlanInput, actions: ActionConfig[]): ActionConfig | undefined {
  let best: ActionConfig | undefined;
  let bestScore = -1;
  for (const a of actions) {
    if (a.kind !== '*' && a.kind !== input.kind) continue;
    if (a.zone !== '*' && a.zone !== input.zone) continue;
    if (a.severity && !a.severity.includes(input.severity)) continue;
    const score = (a.kind !== '*' ? 2 : 0) + (a.zone !== '*' ? 1 : 0);
    if (score > bestScore) { best = a; bestScore = score; }
  }
  return best;
}

export function cutoffTargets(cp: ResolvedDevice, devices: ResolvedDevice[]): string[] {
  const out = cp.profile.output ? [cp.config.id] : [];
  for (const d of devices) if (d.config.tags?.cutoff === cp.config.id) out.push(d.config.id);
  return out;
}

export function camerasFor(dev: ResolvedDevice, devices: ResolvedDevice[]): string[] {
  if (dev.config.type === 'camera') return [dev.config.id, ...(dev.config.linkedCameras ?? [])];
  if (dev.config.linkedCameras) return dev.config.linkedCameras;
  return devices.filter((d) => d.config.type === 'camera' && d.config.zone === dev.config.zone).map((d) => d.config.id);
}
