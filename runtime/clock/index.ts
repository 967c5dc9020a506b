export { ClockMonitor, type ClockMonitorContext, type SyncListener } from './clock-monitor.js';
export { ManualClock } from './manual-clock.js';
export { anyProbe, defaultClockProbe, timedatectlProbe, timesyncFileProbe, type ClockProbe } from './probes.js';
export { systemTimers, type TimerHandle, type Timers } from './timers.js';
