/**
 * The character-device backend (kernels without sysfs GPIO) drives the Debian `gpiod` tools, libgpiod 1.6:
 * gpiodetect/gpioinfo (chips, lines), gpioget (initial level), gpiomon (edges), gpioset --mode=signal (holds an output).
 *
 * Why the tools and not node-libgpiod: node-libgpiod compiles against libgpiod-dev headers, so every box (and
 * every Node upgrade) needs a toolchain and a rebuild, and a crash in the addon takes the whole daemon down. The
 * tools are one `apt install gpiod`, and a line held by a child process is released by the kernel whatever
 * happens to us. The costs, accepted: one process per line; an output changes level by ending its gpioset and
 * starting another (a few ms in which the line is released and keeps its last level on common pin controllers;
 * alarm patterns step at ≥ 100 ms); the level of an input after gpioget and before gpiomon starts is tracked from
 * edges only. libgpiod 2.x tools changed their options; this speaks 1.6 (Debian 12 / Raspberry Pi OS bookworm).
 *
 * How it was checked: this machine has no /dev/gpiochip*, so no line has been driven by these tools. Every command
 * line the backend runs goes through Debian's real gpiod 1.6 tools in tests/integration/gpio (their option parser
 * accepts it; they fail only at the absent chip), and a tool's own reason for failing is checked to reach our
 * error. The backend is selected only when chips and tools both exist. Verify on a box with `qinhe gpio list`
 * and a walk test.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { QinheError, errorMessage } from '../../runtime/core/errors.js';
import type { GpioBackend, GpioChipInfo, GpioLine, GpioLineInfo, GpioLineSpec, ProbeResult } from './line.js';

export interface CdevBackendOptions {
  /** Where the chips are (`/dev`). */
  devDir?: string;
  /** Directory of the gpiod tools, else found on PATH. */
  toolsDir?: string;
}

export function createCdevBackend(opts: CdevBackendOptions = {}): GpioBackend {
  const devDir = opts.devDir ?? '/dev';
  const tool = (name: string) => (opts.toolsDir ? `${opts.toolsDir}/${name}` : name);
  return {
    name: 'cdev',
    async probe(): Promise<ProbeResult> {
      let devices: string[] = [];
      try {
        devices = (await readdir(devDir)).filter((e) => /^gpiochip\d+$/.test(e));
      } catch {
        // no such directory: same as no chips
      }
      if (devices.length === 0) return { ok: false, reason: `no GPIO character devices (${devDir}/gpiochip*)` };
      try {
        await run(tool('gpiodetect'), []);
      } catch (err) {
        return { ok: false, reason: `gpiod tools unusable (apt install gpiod): ${errorMessage(err)}` };
      }
      return { ok: true };
    },
    async chips() {
      const chips = parseGpiodetect(await run(tool('gpiodetect'), []));
      const info = parseGpioinfo(await run(tool('gpioinfo'), []).catch(() => ''));
      return chips.map((c) => (info.has(c.name) ? { ...c, lineInfo: info.get(c.name) ?? [] } : c));
    },
    async open(spec) {
      return spec.direction === 'in' ? openInput(tool, spec) : openOutput(tool, spec);
    },
  };
}

/** `gpiochip0 [pinctrl-bcm2711] (58 lines)` per line. */
export function parseGpiodetect(text: string): GpioChipInfo[] {
  const chips: GpioChipInfo[] = [];
  for (const m of text.matchAll(/^(\S+) \[(.*)\] \((\d+) lines?\)$/gm)) {
    chips.push({ name: m[1] ?? '', label: m[2] ?? '', lines: Number(m[3]) });
  }
  return chips;
}

/**
 * gpioinfo (libgpiod 1.6): a `gpiochip0 - 58 lines:` header per chip, then per line
 * `line  17:   "GPIO17" "qinhe:siren-1"  output  active-high [used]` (name or unnamed; consumer, kernel or unused).
 */
export function parseGpioinfo(text: string): Map<string, GpioLineInfo[]> {
  const chips = new Map<string, GpioLineInfo[]>();
  let current: GpioLineInfo[] | undefined;
  for (const raw of text.split('\n')) {
    const header = /^(\S+) - \d+ lines?:$/.exec(raw.trim());
    if (header) {
      current = [];
      chips.set(header[1] ?? '', current);
      continue;
    }
    const m = /^\s*line\s+(\d+):\s+(unnamed|"[^"]*")\s+(unused|kernel|"[^"]*")\s+(input|output)\s+(active-high|active-low)/.exec(raw);
    if (!m || !current) continue;
    const name = m[2] === 'unnamed' ? undefined : m[2]?.slice(1, -1);
    const consumer = m[3] === 'unused' ? undefined : m[3]?.replace(/^"|"$/g, '');
    current.push({
      offset: Number(m[1]), direction: m[4] === 'output' ? 'output' : 'input', activeLow: m[5] === 'active-low',
      ...(name ? { name } : {}), ...(consumer ? { consumer } : {}),
    });
  }
  return chips;
}

/**
 * What a long-running tool last wrote to stderr (its reason for exiting, e.g. `gpioset: error setting the GPIO line
 * values: Device or resource busy`), as `: <text>` for an error message, or '' when it said nothing. Bounded.
 */
function lastWords(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-300);
  });
  return () => {
    const last = text.trim().split('\n').pop()?.trim();
    return last ? `: ${last}` : '';
  };
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 5000 }, (err, stdout, stderr) => {
      if (err) reject(new QinheError('QH_GPIO_IO', `${file} ${args.join(' ')}: ${stderr.trim() || err.message}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

function lowFlag(spec: GpioLineSpec): string[] {
  return spec.activeLow ? ['--active-low'] : [];
}

async function openInput(tool: (n: string) => string, spec: GpioLineSpec): Promise<GpioLine> {
  let level = (await run(tool('gpioget'), [...lowFlag(spec), spec.chip, String(spec.line)])).trim() === '1';
  const watchers: Array<(level: boolean) => void> = [];
  const errorHandlers: Array<(err: Error) => void> = [];
  let closed = false;
  // %e: 1 rising, 0 falling, of the logical level (the kernel applies active-low to edge events).
  const mon = spawn(tool('gpiomon'), [...lowFlag(spec), '--line-buffered', '--format=%e', spec.chip, String(spec.line)],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let buffer = '';
  mon.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const l of lines) {
      if (l.trim() !== '0' && l.trim() !== '1') continue;
      level = l.trim() === '1';
      for (const w of watchers) w(level);
    }
  });
  const said = lastWords(mon);
  const failed = (why: string) => {
    if (closed) return;
    const err = new QinheError('QH_GPIO_IO', `gpiomon for ${spec.chip}/${spec.line} ${why}`);
    for (const h of errorHandlers) h(err);
  };
  mon.on('error', (err) => failed(`failed: ${err.message}`));
  mon.on('close', (code, signal) => failed(`exited (${signal ?? code})${said()}`));
  return {
    spec,
    read: () => Promise.resolve(level),
    write: () => Promise.reject(new QinheError('QH_GPIO_IO', `${spec.chip}/${spec.line} is an input`)),
    writeSync: () => false,
    watch: (fn) => void watchers.push(fn),
    onError: (fn) => void errorHandlers.push(fn),
    close() {
      closed = true;
      mon.kill('SIGTERM');
      return Promise.resolve();
    },
  };
}

async function openOutput(tool: (n: string) => string, spec: GpioLineSpec): Promise<GpioLine> {
  const args = (level: boolean) => [...lowFlag(spec), spec.chip, `${spec.line}=${level ? 1 : 0}`];
  const errorHandlers: Array<(err: Error) => void> = [];
  let holder: ChildProcess | undefined;
  let level = spec.initial ?? false;
  let closed = false;

  const hold = (value: boolean): ChildProcess => {
    const child = spawn(tool('gpioset'), ['--mode=signal', ...args(value)], { stdio: ['ignore', 'ignore', 'pipe'] });
    const said = lastWords(child);
    child.on('error', (err) => {
      if (holder === child && !closed) for (const h of errorHandlers) h(new QinheError('QH_GPIO_IO', `gpioset ${spec.chip}/${spec.line}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      if (holder === child && !closed) {
        holder = undefined;
        for (const h of errorHandlers) h(new QinheError('QH_GPIO_IO', `gpioset for ${spec.chip}/${spec.line} exited (${signal ?? code})${said()}`));
      }
    });
    return child;
  };
  const release = async (): Promise<void> => {
    const child = holder;
    holder = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  };

  holder = hold(level);
  return {
    spec,
    read: () => Promise.resolve(level),
    async write(value) {
      if (closed) throw new QinheError('QH_GPIO_IO', `${spec.chip}/${spec.line} is closed`);
      if (value === level && holder) return;
      await release();
      level = value;
      holder = hold(value);
    },
    writeSync(value) {
      // Exit handlers: end the holder, then set the level with a one-shot gpioset (retried while the kernel
      // still shows the line busy).
      holder?.kill('SIGKILL');
      holder = undefined;
      for (let attempt = 0; attempt < 5; attempt++) {
        const r = spawnSync(tool('gpioset'), ['--mode=exit', ...args(value)], { timeout: 1000 });
        if (r.status === 0) {
          level = value;
          return true;
        }
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
      return false;
    },
    watch: () => undefined,
    onError: (fn) => void errorHandlers.push(fn),
    async close() {
      if (closed) return;
      closed = true;
      await release();
    },
  };
}
