/**
 * A device's last state changes in a ring allocated once, at its full size, when the device is registered.
 *
 * Why not an array of `{ state, at, error }` objects: the soak's heap diff showed those arrays as the box's
 * largest growing structure (16,427 objects, 1 MB born and kept in 24 minutes), filling for hours as devices
 * flap one line or camera at a time. Here a change writes a double and two references into slots that exist
 * from the start, and an error text equal to one already held reuses that string, so after start-up the
 * history's memory only moves when a device reports an error text it has not reported before.
 */
import type { DeviceState } from '../../drivers/types.js';

export interface StateChange {
  state: DeviceState;
  at: number;
  error?: string;
}

export class ChangeHistory {
  private readonly at: Float64Array;
  private readonly states: DeviceState[];
  private readonly errors: Array<string | undefined>;
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.at = new Float64Array(capacity);
    this.states = new Array<DeviceState>(capacity).fill('unknown');
    this.errors = new Array<string | undefined>(capacity).fill(undefined);
  }

  get length(): number {
    return this.count;
  }

  /** Records a change; the oldest one goes once `capacity` are held. */
  push(state: DeviceState, at: number, error?: string): void {
    this.at[this.next] = at;
    this.states[this.next] = state;
    this.errors[this.next] = error === undefined ? undefined : this.errors.find((e) => e === error) ?? error;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** The changes held, oldest first (new objects: for the API and the CLI, not kept). */
  list(): StateChange[] {
    const out: StateChange[] = [];
    for (let k = 0; k < this.count; k++) {
      const i = (this.next - this.count + k + this.capacity) % this.capacity;
      const error = this.errors[i];
      out.push({ state: this.states[i]!, at: this.at[i]!, ...(error !== undefined ? { error } : {}) });
    }
    return out;
  }
}
