/**
 * Picking up incidents left open by a crash or a power cut. Monotonic time does not survive a reboot, so the
 * time since detection is rebuilt from what was saved: the elapsed time at the last save plus the downtime
 * measured on the wall clock. A box without RTC may boot with a wall clock behind (or far ahead of) the one it
 * saved with; a downtime outside 0–24 h is not believed and counted as zero, so stages can be late but never
 * fire twice (stages done are saved with the incident).
 */
import type { Clock } from '../../drivers/types.js';
import type { Incident } from './model.js';

const MAX_BELIEVED_DOWNTIME_MS = 24 * 3600_000;

/** Shifts the incident's monotonic instants onto this boot's clock; returns the time since detection. */
export function rebase(inc: Incident, clock: Clock): number {
  const downtime = clock.now() - inc.savedWall;
  const believed = downtime >= 0 && downtime <= MAX_BELIEVED_DOWNTIME_MS ? downtime : 0;
  const elapsed = Math.max(0, inc.savedElapsedMs + believed);
  const shift = clock.mono() - elapsed - (inc.mono.detectedAt ?? 0);
  for (const k of Object.keys(inc.mono) as Array<keyof Incident['mono']>) {
    const v = inc.mono[k];
    if (v !== undefined) inc.mono[k] = v + shift;
  }
  inc.mono.detectedAt = clock.mono() - elapsed;
  return elapsed;
}
