/**
 * In-memory GPIO for tests and the demo: it drives inputs (a panic press, an enclosure opened) and shows what
 * outputs do (a siren's level and every write). It keeps each line's physical level, so a line keeps its last
 * level after it is released, as real hardware does, and active-low inversion is exercised like the real backends.
 */
import { QinheError } from '../../runtime/core/errors.js';
import { lineId, type GpioBackend, type GpioChipInfo, type GpioLine, type GpioLineSpec } from './line.js';

export interface FakeChip {
  name: string;
  label?: string;
  lines: number;
}

export type LineRef = string | { chip: string; line: number };

interface FakeLineState {
  physical: boolean;
  /** Driven by setPhysical/setInput or a write (else an input rests at its inactive level). */
  touched: boolean;
  spec?: GpioLineSpec;
  open: boolean;
  /** Bumped on every open, so a stale handle cannot touch a reopened line. */
  generation: number;
  failWrites: boolean;
  watchers: Array<(level: boolean) => void>;
  errorHandlers: Array<(err: Error) => void>;
  writes: Array<{ at: number; level: boolean }>;
}

export class FakeGpio {
  private readonly chipList: FakeChip[];
  private readonly lines = new Map<string, FakeLineState>();
  private readonly listeners = new Set<(line: string, level: boolean) => void>();

  constructor(opts: { chips?: FakeChip[] } = {}) {
    this.chipList = opts.chips ?? [{ name: 'gpiochip0', label: 'fake-gpio', lines: 58 }];
  }

  /** The backend the GPIO driver uses (`createGpioDriver(ctx, { backend: 'fake', fake })`). */
  backend(): GpioBackend {
    return {
      name: 'fake',
      probe: () => Promise.resolve({ ok: true }),
      chips: () => Promise.resolve(this.chipList.map((c): GpioChipInfo => ({ name: c.name, label: c.label ?? c.name, lines: c.lines }))),
      open: (spec) => Promise.resolve(this.open(spec)),
    };
  }

  /** Drive an input to its logical level (`true` = pressed/open/active), honouring the line's active-low. */
  setInput(ref: LineRef, active: boolean): void {
    const state = this.state(ref);
    if (state.spec?.direction === 'out' && state.open) throw new Error(`${key(ref)} is an output`);
    this.setPhysical(ref, state.spec?.activeLow ? !active : active);
  }

  /** Drive a line's electrical level (true = high). */
  setPhysical(ref: LineRef, high: boolean): void {
    const state = this.state(ref);
    state.touched = true;
    if (state.physical === high) return;
    state.physical = high;
    if (state.open && state.spec?.direction === 'in') {
      const level = this.logical(state);
      for (const w of [...state.watchers]) w(level);
    }
  }

  /** Logical level of a line (`true` = active), or undefined if nothing ever touched it. */
  output(ref: LineRef): boolean | undefined {
    const state = this.lines.get(key(ref));
    return state ? this.logical(state) : undefined;
  }

  physical(ref: LineRef): boolean | undefined {
    return this.lines.get(key(ref))?.physical;
  }

  /** Every logical write to a line, with Date.now() at the time (fake timers make it deterministic). */
  writes(ref: LineRef): ReadonlyArray<{ at: number; level: boolean }> {
    return this.lines.get(key(ref))?.writes ?? [];
  }

  isOpen(ref: LineRef): boolean {
    return this.lines.get(key(ref))?.open ?? false;
  }

  /** Make writes to a line fail (QH_GPIO_IO) until called again with false. */
  failWrites(ref: LineRef, fail = true): void {
    this.state(ref).failWrites = fail;
  }

  /** Report an asynchronous failure of an open line (as a dying monitor process would). */
  failLine(ref: LineRef, err: Error): void {
    for (const h of [...this.state(ref).errorHandlers]) h(err);
  }

  /** Release every line as the kernel does when the holding process dies: levels stay where they were. */
  releaseAll(): void {
    for (const state of this.lines.values()) {
      state.open = false;
      state.watchers = [];
      state.errorHandlers = [];
    }
  }

  /** Observe output writes (the demo shows the siren). Returns an unsubscribe function. */
  onOutput(listener: (line: string, level: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private open(spec: GpioLineSpec): GpioLine {
    const chip = this.chipList.find((c) => c.name === spec.chip);
    if (!chip || spec.line >= chip.lines) {
      throw new QinheError('QH_GPIO_NO_LINE', `no line ${lineId(spec)} (fake chips: ${this.chipList.map((c) => `${c.name}[${c.lines}]`).join(', ')})`);
    }
    const state = this.state(spec);
    if (state.open) throw new QinheError('QH_GPIO_IO', `line ${lineId(spec)} is busy`);
    const generation = state.generation + 1;
    Object.assign(state, { open: true, spec, generation, watchers: [], errorHandlers: [] });
    // An input nobody has driven rests at its inactive level (the pull-up or pull-down of a real board).
    if (spec.direction === 'in' && !state.touched) state.physical = spec.activeLow;
    if (spec.direction === 'out') this.drive(state, spec.initial ?? false);
    // A handle whose line was released (closed, or its process "died") writes nothing, even after reopening.
    const mine = () => state.open && state.generation === generation;
    const write = (level: boolean): boolean => {
      if (!mine() || state.failWrites) return false;
      this.drive(state, level);
      return true;
    };
    return {
      spec,
      read: () => Promise.resolve(this.logical(state)),
      write: (level) => write(level) ? Promise.resolve() : Promise.reject(new QinheError('QH_GPIO_IO', `write to ${lineId(spec)} failed`)),
      writeSync: (level) => write(level),
      watch: (fn) => void state.watchers.push(fn),
      onError: (fn) => void state.errorHandlers.push(fn),
      close: () => {
        if (!mine()) return Promise.resolve();
        state.open = false;
        state.watchers = [];
        state.errorHandlers = [];
        return Promise.resolve();
      },
    };
  }

  private drive(state: FakeLineState, level: boolean): void {
    state.touched = true;
    state.physical = state.spec?.activeLow ? !level : level;
    state.writes.push({ at: Date.now(), level });
    const id = state.spec ? lineId(state.spec) : '';
    for (const l of [...this.listeners]) l(id, level);
  }

  private logical(state: FakeLineState): boolean {
    return state.spec?.activeLow ? !state.physical : state.physical;
  }

  private state(ref: LineRef): FakeLineState {
    const k = key(ref);
    let s = this.lines.get(k);
    if (!s) {
      s = { physical: false, touched: false, open: false, generation: 0, failWrites: false, watchers: [], errorHandlers: [], writes: [] };
      this.lines.set(k, s);
    }
    return s;
  }
}

/** `gpio://gpiochip0/17`, `gpiochip0/17` or `{ chip, line }` → `gpiochip0/17`. */
function key(ref: LineRef): string {
  return typeof ref === 'string' ? ref.replace(/^gpio:\/\//, '') : lineId(ref);
}
