/** The "center" of the scenarios: the integration tests' Observer plus an arrival time for every message. */
import type { IClientOptions } from 'mqtt';
import { Observer } from '../../integration/uplink/observer.js';

export interface Arrival {
  topic: string;
  at: number;
  json: Record<string, unknown> | null;
  /** The broker's DUP flag: a redelivery to this subscriber (e.g. after its session resumed), not a new publish. */
  dup?: boolean;
}

export class Center {
  readonly arrivals: Arrival[] = [];

  private constructor(readonly observer: Observer) {
    observer.client.on('message', (topic, payload, packet) => {
      let json: Record<string, unknown> | null = null;
      try { json = JSON.parse(payload.toString()) as Record<string, unknown>; } catch { json = null; }
      this.arrivals.push({ topic, at: Date.now(), json, dup: packet.dup === true });
    });
  }

  /** `extra`: mqtt.js options (e.g. a fixed clientId, clean: false and a session expiry for a persistent session). */
  static async connect(url: string, filter = 'qinhe/caima/caima-01/#', extra: IClientOptions = {}): Promise<Center> {
    return new Center(await Observer.connect(url, filter, extra));
  }

  of(suffix: string): Arrival[] {
    return this.arrivals.filter((a) => a.topic.endsWith(suffix));
  }

  close(): Promise<void> {
    return this.observer.close();
  }
}

/** Most arrivals in any window of `ms` (sliding, over sorted times). */
export function maxInWindow(times: number[], ms: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < t.length; hi++) {
    while (t[hi]! - t[lo]! >= ms) lo += 1;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}
