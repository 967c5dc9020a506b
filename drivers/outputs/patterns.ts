/**
 * Alarm output patterns as data: a pattern is a list of phases, each a repeating cycle of on/off steps; a phase
 * with `forMs` hands over to the next one, the last phase repeats for ever (the player bounds it in time).
 * `levelAt` is pure so the player can resume a preempted pattern exactly where its own timeline stands.
 *
 *   fire        temporal-three (ISO 8201 / NFPA 72 §18.4.2): 0.5 on, 0.5 off ×3, then 1.5 s off; a 4 s cycle
 *   intrusion   rapid pulse 0.25 on / 0.25 off, chosen to be unmistakably different from the fire cadence
 *   chirp       0.1 s on every 2 s (attention, reminders, commissioning)
 *   escalated   10 s of slow chirps, 10 s of 0.5/0.5 pulses, then continuous (pre-alarm that grows)
 *   continuous  steady on
 */
import type { OutputPattern } from '../types.js';

export interface PatternStep {
  on: boolean;
  ms: number;
}

export interface PatternPhase {
  steps: readonly PatternStep[];
  /** How long this phase lasts before the next one; absent on the last phase. */
  forMs?: number;
}

export type PatternSpec = readonly PatternPhase[];

const on = (ms: number): PatternStep => ({ on: true, ms });
const off = (ms: number): PatternStep => ({ on: false, ms });

export const PATTERN_SPECS: Readonly<Record<OutputPattern, PatternSpec>> = {
  continuous: [{ steps: [on(Number.POSITIVE_INFINITY)] }],
  fire: [{ steps: [on(500), off(500), on(500), off(500), on(500), off(1500)] }],
  intrusion: [{ steps: [on(250), off(250)] }],
  chirp: [{ steps: [on(100), off(1900)] }],
  escalated: [
    { steps: [on(200), off(1800)], forMs: 10_000 },
    { steps: [on(500), off(500)], forMs: 10_000 },
    { steps: [on(Number.POSITIVE_INFINITY)] },
  ],
};

export interface LevelAt {
  on: boolean;
  /** Milliseconds until the level may next change (Infinity when steady for ever). */
  changeInMs: number;
}

/** The output level `elapsedMs` after a pattern started, and when to look again. */
export function levelAt(spec: PatternSpec, elapsedMs: number): LevelAt {
  let t = Math.max(0, elapsedMs);
  for (let i = 0; i < spec.length; i++) {
    const phase = spec[i];
    if (!phase) break;
    const last = i === spec.length - 1;
    const phaseLeft = last || phase.forMs === undefined ? Number.POSITIVE_INFINITY : phase.forMs - t;
    if (phaseLeft <= 0) {
      t -= phase.forMs ?? 0;
      continue;
    }
    const step = stepAt(phase.steps, t);
    return { on: step.on, changeInMs: Math.min(step.leftMs, phaseLeft) };
  }
  return { on: false, changeInMs: Number.POSITIVE_INFINITY };
}

function stepAt(steps: readonly PatternStep[], t: number): { on: boolean; leftMs: number } {
  const cycle = steps.reduce((sum, s) => sum + s.ms, 0);
  if (steps.length === 0 || !(cycle > 0)) return { on: false, leftMs: Number.POSITIVE_INFINITY };
  let pos = Number.isFinite(cycle) ? t % cycle : t;
  for (const s of steps) {
    if (pos < s.ms) return { on: s.on, leftMs: s.ms - pos };
    pos -= s.ms;
  }
  // Only reachable through floating-point rounding at the very end of a cycle: the cycle restarts.
  const first = steps[0] as PatternStep;
  return { on: first.on, leftMs: first.ms };
}
