/**
 * The waiting requests of one line, by priority (actuation > command > poll, idea from zigbee-herdsman's
 * queue), FIFO within a priority. A retry waits in the queue with a not-before time, so the line serves
 * other units during a unit's backoff.
 */
import type { ModbusReply, ModbusRequest } from './pdu.js';

export type Priority = 'actuation' | 'command' | 'poll';
const RANK: Record<Priority, number> = { actuation: 0, command: 1, poll: 2 };

export interface Job {
  req: ModbusRequest;
  priority: Priority;
  retriesLeft: number;
  attempt: number;
  notBefore: number;
  seq: number;
  resolve(reply: ModbusReply): void;
  reject(err: unknown): void;
}

export class JobQueue {
  private jobs: Job[] = [];
  private seq = 0;

  get size(): number {
    return this.jobs.length;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  push(job: Job): void {
    this.jobs.push(job);
  }

  /** The best job ready at `now`, removed from the queue; else undefined. */
  take(now: number): Job | undefined {
    let best: Job | undefined;
    for (const job of this.jobs) {
      if (job.notBefore > now) continue;
      if (!best || RANK[job.priority] < RANK[best.priority] || (RANK[job.priority] === RANK[best.priority] && job.seq < best.seq)) best = job;
    }
    if (best) this.jobs = this.jobs.filter((j) => j !== best);
    return best;
  }

  /** Earliest not-before among waiting jobs (for the wake-up timer). */
  nextDue(): number | undefined {
    let min: number | undefined;
    for (const job of this.jobs) if (min === undefined || job.notBefore < min) min = job.notBefore;
    return min;
  }

  drain(): Job[] {
    const all = this.jobs;
    this.jobs = [];
    return all;
  }
}
