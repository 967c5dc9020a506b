/** Alarm outputs shared by every output-capable driver (GPIO sirens, Modbus relays). */
export { PatternPlayer, type PatternPlayerOptions, type PlayingState } from './pattern-player.js';
export { PATTERN_SPECS, levelAt, type PatternSpec, type PatternPhase, type PatternStep, type LevelAt } from './patterns.js';
export { systemTimers, type Timers, type TimerHandle } from './timers.js';
