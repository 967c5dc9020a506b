import type { Logger } from 'pino';
import type { BoxConfig } from '../../config/schema.js';
import type { Clock, ResolvedDevice } from '../../drivers/types.js';
import type { ClockMonitor } from '../clock/clock-monitor.js';
import type { Timers } from '../clock/timers.js';
import type { EventBus } from '../core/bus.js';
import type { EvidencePort, OutboxPort, OutputPort } from '../core/ports.js';
import type { SmsSender } from '../escalation/sms.js';

export interface IncidentEngineContext {
  bus: EventBus;
  outbox: OutboxPort;
  outputs: OutputPort;
  evidence?: EvidencePort;
  config: BoxConfig;
  devices: ResolvedDevice[];
  clock: Clock;
  /** Defaults to the process timers (monotonic). */
  timers?: Timers;
  logger: Logger;
  /** incidents.sqlite lives here. */
  dataDir: string;
  /** SMS fallback for escalations (to config.incidents.smsNumbers). */
  sms?: SmsSender;
  /** Without one, the wall clock is taken as synced. */
  clockMonitor?: ClockMonitor;
  /** At most one `updated` per incident per this many seconds for repeated triggers (default 30). */
  updateIntervalS?: number;
  /** Period of the tick that drives time-based rules (default 1000 ms). */
  tickMs?: number;
}
