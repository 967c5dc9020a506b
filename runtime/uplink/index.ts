/** The MQTT uplink of contract v1: uplink.ts (connection), drain.ts (outbox → broker), health.ts (R/health). */
export { Uplink, type UplinkOptions } from './uplink.js';
export { Drainer } from './drain.js';
export { reconnectDelay, RetryBudget, systemTimers, type BackoffPolicy, type Jitter, type Timers } from './backoff.js';
export { HealthReporter, type HealthReporterOptions } from './health.js';
export { checkTransport, isLoopbackHost, topicRoot, STATE_LOST, STATE_STOPPED } from './options.js';
