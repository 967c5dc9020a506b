/**
 * Correlation: incidents that are one emergency seen by several devices. Within a zone and a time window, a
 * pair of kinds folds into one incident of the stronger kind: a charging point overheating plus smoke in the
 * same zone is one critical fire-risk, not two alarms for the center to reconcile.
 */
import type { IncidentKind, Severity } from '../core/contract.js';
import { detectedMono, type Incident } from './model.js';

export interface Correlation { kinds: IncidentKind[]; kind: IncidentKind; severity: Severity }

export const CORRELATIONS: Correlation[] = [
  { kinds: ['fire-risk', 'smoke'], kind: 'fire-risk', severity: 'critical' },
];

/** The open incident a new trigger joins, and what that incident becomes; undefined when it stands alone. */
export function correlate(open: Iterable<Incident>, trigger: { kind: IncidentKind; zone: string; mono: number; test?: boolean },
  windowS: number, rules: Correlation[] = CORRELATIONS): { incident: Incident; kind: IncidentKind; severity: Severity } | undefined {
  if (windowS <= 0) return undefined;
  for (const inc of open) {
    if (inc.status !== 'open' || inc.device.zone !== trigger.zone || Boolean(inc.test) !== Boolean(trigger.test)) continue;
    if (Math.abs(trigger.mono - detectedMono(inc)) > windowS * 1000) continue;
    const rule = rules.find((r) => r.kinds.includes(trigger.kind) && r.kinds.includes(inc.kind) && trigger.kind !== inc.kind);
    if (rule) return { incident: inc, kind: rule.kind, severity: strongest(inc.severity, rule.severity) };
  }
  return undefined;
}

const ORDER: Severity[] = ['minor', 'major', 'critical'];
export function strongest(a: Severity, b: Severity): Severity {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}
