/**
 * End-of-line supervised inputs. A GPIO line is digital, so the EOL resistor is read by the input board's
 * window comparator, which presents two lines: the contact on the device's offset N and "loop out of its
 * normal window" on N+1 (the next offset; it counts as used by this device). A cut wire reads as a very high
 * resistance, which the contact side sees as active; a bridged (shorted) loop reads as inactive. So:
 *
 *   fault=0            normal  (the contact reports as usual)
 *   fault=1 contact=1  open    (cut or removed)
 *   fault=1 contact=0  short   (bridged to defeat the contact)
 */
export type LoopState = 'normal' | 'open' | 'short';

export function classifyLoop(contactActive: boolean, faultActive: boolean): LoopState {
  if (!faultActive) return 'normal';
  return contactActive ? 'open' : 'short';
}

/** The companion fault line of a supervised input at `line`. */
export function faultLineOf(line: number): number {
  return line + 1;
}
