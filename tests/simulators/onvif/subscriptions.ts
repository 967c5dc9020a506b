/** The simulated camera's PullPoint subscriptions: queues, expiry in camera time, held PullMessages. */
import type { SimEvent } from './soap-replies.js';

export interface SimSubscription {
  id: string;
  termination: number;
  queue: SimEvent[];
  waiter?: { timer: NodeJS.Timeout; deliver: (events: SimEvent[]) => void };
}

/** Real cameras allow a handful of subscriptions; beyond it the oldest is dropped. */
const MAX_SUBSCRIPTIONS = 10;

export class SubscriptionTable {
  private readonly subs = new Map<string, SimSubscription>();
  private next = 1;

  create(termination: number): string {
    const id = String(this.next++);
    this.subs.set(id, { id, termination, queue: [] });
    if (this.subs.size > MAX_SUBSCRIPTIONS) this.delete(this.subs.keys().next().value ?? null);
    return id;
  }

  get(id: string | null, now: number): SimSubscription | undefined {
    const sub = id === null ? undefined : this.subs.get(id);
    if (sub && sub.termination < now) { this.delete(sub.id); return undefined; }
    return sub;
  }

  delete(id: string | null): void {
    const sub = id === null ? undefined : this.subs.get(id);
    if (!sub) return;
    if (sub.waiter) { clearTimeout(sub.waiter.timer); sub.waiter.deliver([]); }
    this.subs.delete(sub.id);
  }

  clear(): void {
    for (const id of [...this.subs.keys()]) this.delete(id);
    this.subs.clear();
  }

  live(now: number): number {
    return [...this.subs.values()].filter((s) => s.termination >= now).length;
  }

  push(ev: SimEvent, now: number): void {
    for (const sub of this.subs.values()) {
      if (sub.termination < now) continue;
      sub.queue.push(ev);
      if (sub.queue.length > 1000) sub.queue.shift();
      this.flush(sub);
    }
  }

  waitFor(sub: SimSubscription, holdMs: number, deliver: (events: SimEvent[]) => void): void {
    if (sub.waiter) { clearTimeout(sub.waiter.timer); sub.waiter.deliver([]); }
    const timer = setTimeout(() => { sub.waiter = undefined; deliver([]); }, holdMs);
    sub.waiter = { timer, deliver };
    if (sub.queue.length > 0) this.flush(sub);
  }

  private flush(sub: SimSubscription): void {
    if (!sub.waiter) return;
    const { timer, deliver } = sub.waiter;
    sub.waiter = undefined;
    clearTimeout(timer);
    deliver(sub.queue.splice(0));
  }
}
