/**
 * One GPIO alarm output (siren, strobe, relay): the shared PatternPlayer drives it; idle is the profile's safe
 * level, sounding is the other one. The safe level is written when the line is requested (glitch-free), on
 * `off`, at stop, and synchronously from exit handlers.
 */
import type { Logger } from 'pino';
import { PatternPlayer } from '../outputs/pattern-player.js';
import type { Timers } from '../outputs/timers.js';
import type { OutputCommand } from '../types.js';
import type { GpioLine } from './line.js';

export interface GpioOutputDeps {
  deviceId: string;
  line: GpioLine;
  safeState: boolean;
  maxOnS: number;
  clock: { mono(): number };
  timers: Timers;
  logger: Logger;
  /** Told when writes start failing (ok = false) and when they work again, to report availability. */
  onWriteHealth?(ok: boolean, err?: unknown): void;
}

export class GpioOutput {
  private readonly d: GpioOutputDeps;
  private readonly player: PatternPlayer;

  constructor(deps: GpioOutputDeps) {
    this.d = deps;
    this.player = new PatternPlayer({
      setLevel: async (on) => {
        try {
          await deps.line.write(on ? !deps.safeState : deps.safeState);
        } catch (err) {
          deps.onWriteHealth?.(false, err);
          throw err;
        }
        deps.onWriteHealth?.(true);
      },
      maxOnS: deps.maxOnS,
      logger: deps.logger,
      clock: deps.clock,
      timers: deps.timers,
    });
  }

  command(cmd: OutputCommand): void {
    if (cmd.pattern === 'off') this.player.off();
    else this.player.play(cmd.pattern, cmd.seconds, cmd.priority ?? 0);
  }

  playing(): ReturnType<PatternPlayer['playing']> {
    return this.player.playing();
  }

  /** Exit handlers and the supervisor's crash path: no timers, no promises, just the level. */
  applySafeStateSync(): boolean {
    this.player.dispose();
    return this.d.line.writeSync(this.d.safeState);
  }

  async stop(): Promise<void> {
    this.player.dispose();
    try {
      await this.d.line.write(this.d.safeState);
    } catch (err) {
      if (!this.d.line.writeSync(this.d.safeState)) {
        this.d.logger.error({ err, device: this.d.deviceId }, 'could not return the output to its safe state');
      }
    }
    await this.d.line.close();
  }
}
