/**
 * A simulated estate: every device of an inventory brought to life on this machine, for the demo, the bench
 * and the integration tests.
 *
 *   onvif://host:port          ─► SimulatedCamera on 127.0.0.1 (the inventory port when free, else any)
 *   modbus-rtu:///dev/X?unit=N ─► one SimulatedModbusLine per path, over a socat PTY pair under `dir`
 *                                  (or an in-memory link pair when socat is missing), baud-accurate replies
 *   gpio://chip/line           ─► FakeGpio (the box's GPIO driver uses it as its backend)
 *
 * `addressOf(id)` is the address the box must use for a device (PTY link, camera port): the caller writes it
 * into the inventory before provisioning. Nothing starts in the constructor.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseAddress } from '../../../config/address.js';
import type { DeviceConfig, ProfileConfig } from '../../../config/schema.js';
import { FakeGpio } from '../../../drivers/gpio/fake.js';
import type { ByteLink, OpenLink } from '../../../drivers/transport/types.js';
import { SimulatedModbusLine } from '../modbus/simulated-line.js';
import type { UnitInit } from '../modbus/unit-memory.js';
import { SimulatedCamera, type CameraModel } from '../onvif/simulated-camera.js';
import { linkPair } from './link-pair.js';
import { PtyPair } from '../modbus/pty-pair.js';
import { socatAvailable } from './pty.js';
import { encodeWords, isBitTable, normalUnit } from './registers.js';

export interface EstateOptions {
  devices: DeviceConfig[];
  profiles: Map<string, ProfileConfig>;
  /** Where the PTY links are made. */
  dir: string;
  credentials: { username: string; password: string };
  /** `auto`: PTYs when socat exists, else in-memory links. */
  transport?: 'auto' | 'pty' | 'memory';
  /** Emulated line rate for reply timing (default 9600). */
  baud?: number;
  /** Slave processing time before each reply (default 2 ms). */
  turnaroundMs?: number;
  cameraModel?: CameraModel;
  /** Told of every socat the estate starts (each line's first, and every replug's), e.g. to report its pid. */
  onSocat?: (pid: number) => void;
}

interface SimLine {
  index: number;
  path: string;
  boxPath: string;
  units: Map<number, UnitInit>;
  sim?: SimulatedModbusLine;
  pty?: PtyPair;
  boxEnd?: ByteLink;
}

interface Placement {
  device: DeviceConfig;
  profile: ProfileConfig;
  kind: 'camera' | 'modbus' | 'gpio' | 'other';
  line?: SimLine;
  unit?: number;
  port?: number;
  gpio?: { chip: string; line: number };
}

export class SimulatedEstate {
  readonly gpio = new FakeGpio();
  private readonly placements = new Map<string, Placement>();
  private readonly lines = new Map<string, SimLine>();
  private readonly cameras = new Map<string, SimulatedCamera>();
  private transport: 'pty' | 'memory' = 'pty';
  private started = false;
  /** Every socat started and not yet exited (first starts and replugs): stop() and killLinksNow() end them. */
  private readonly socats = new Set<ChildProcess>();

  constructor(private readonly opts: EstateOptions) {
    for (const device of opts.devices) {
      const profile = opts.profiles.get(device.profile);
      const parsed = parseAddress(device.address);
      if (!profile || !parsed.ok) continue;
      const a = parsed.address;
      if (a.protocol === 'onvif') {
        this.placements.set(device.id, { device, profile, kind: 'camera', port: a.port });
      } else if (a.protocol === 'modbus-rtu') {
        const line = this.lineFor(a.path);
        line.units.set(a.unit, normalUnit(profile));
        this.placements.set(device.id, { device, profile, kind: 'modbus', line, unit: a.unit });
      } else {
        this.placements.set(device.id, { device, profile, kind: 'gpio', gpio: { chip: a.chip, line: a.line } });
      }
    }
  }

  private lineFor(path: string): SimLine {
    let line = this.lines.get(path);
    if (!line) {
      const index = this.lines.size;
      const units = new Map<number, UnitInit>();
      line = { index, path, boxPath: join(this.opts.dir, `ttyQH${index}`), units };
      this.lines.set(path, line);
    }
    return line;
  }

  get transportUsed(): 'pty' | 'memory' {
    return this.transport;
  }

  /** Starts cameras and lines. Throws when a camera or line cannot start (everything started is stopped). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const want = this.opts.transport ?? 'auto';
    this.transport = want === 'auto' ? (socatAvailable() ? 'pty' : 'memory') : want;
    try {
      for (const line of this.lines.values()) await this.startLine(line);
      await Promise.all([...this.placements.values()].filter((p) => p.kind === 'camera').map((p) => this.startCamera(p)));
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  private async startLine(line: SimLine): Promise<void> {
    const sim = new SimulatedModbusLine({ units: line.units, baud: this.opts.baud ?? 9600, turnaroundMs: this.opts.turnaroundMs ?? 2 });
    line.sim = sim;
    if (this.transport === 'pty') {
      line.pty = new PtyPair(line.boxPath, `${line.boxPath}.sim`, (proc) => this.track(proc));
      await line.pty.start();
      await sim.attach(line.pty.b);
    } else {
      const [boxEnd, simEnd] = linkPair(line.boxPath);
      await simEnd.open();
      sim.connect(simEnd);
      line.boxEnd = boxEnd;
    }
  }

  private track(proc: ChildProcess): void {
    if (proc.pid === undefined) return;
    this.socats.add(proc);
    proc.once('exit', () => this.socats.delete(proc));
    this.opts.onSocat?.(proc.pid);
  }

  /** Pids of the socat processes running now. */
  socatPids(): number[] {
    return [...this.socats].map((p) => p.pid!).filter((pid) => pid !== undefined);
  }

  /**
   * SIGKILLs every socat still running, synchronously: for a process's `exit` handler, where nothing
   * asynchronous runs (stop() is the orderly way).
   */
  killLinksNow(): void {
    for (const p of this.socats) {
      try { p.kill('SIGKILL'); } catch { /* gone */ }
    }
  }

  private newCamera(p: Placement, port: number): SimulatedCamera {
    return new SimulatedCamera({ port, model: this.opts.cameraModel ?? 'hikvision', ...this.opts.credentials, serial: p.device.id.toUpperCase() });
  }

  private async startCamera(p: Placement): Promise<void> {
    const make = (port: number) => this.newCamera(p, port);
    let cam = make(p.port ?? 0);
    try {
      await cam.start();
    } catch {
      cam = make(0); // the inventory port is taken (another demo, a test): any free one
      await cam.start();
    }
    p.port = cam.port;
    this.cameras.set(p.device.id, cam);
  }

  /** For the in-memory transport: the Modbus driver opens the box end of a line through this. */
  get openPort(): OpenLink | undefined {
    if (this.transport !== 'memory') return undefined;
    return (options) => {
      const line = [...this.lines.values()].find((l) => l.boxPath === options.path);
      if (!line?.boxEnd) throw new Error(`no simulated line at ${options.path}`);
      return line.boxEnd;
    };
  }

  /** The address the box must use for this device (rewritten serial path or camera port). */
  addressOf(id: string): string {
    const p = this.placement(id);
    if (p.kind === 'camera') return `onvif://127.0.0.1:${p.port}`;
    if (p.kind === 'modbus' && p.line) return `modbus-rtu://${p.line.boxPath}?unit=${p.unit}`;
    return p.device.address;
  }

  deviceIds(): string[] {
    return [...this.placements.keys()];
  }

  device(id: string): { config: DeviceConfig; profile: ProfileConfig } {
    const p = this.placement(id);
    return { config: p.device, profile: p.profile };
  }

  camera(id: string): SimulatedCamera {
    const cam = this.cameras.get(id);
    if (!cam) throw new Error(`${id} is not a simulated camera`);
    return cam;
  }

  /** Sets a Modbus point in engineering units (°C, A, true/false). */
  setPoint(id: string, pointName: string, value: number | boolean): void {
    const { sim, unit, point } = this.modbusPoint(id, pointName);
    if (isBitTable(point)) {
      sim.setRegister(unit, point.table, point.address, Boolean(value));
      return;
    }
    encodeWords(point, Number(value)).forEach((w, i) => sim.setRegister(unit, point.table, point.address + i, w));
  }

  /** Reads a Modbus point back in engineering units (16-bit types; bits as booleans). */
  getPoint(id: string, pointName: string): number | boolean {
    const { sim, unit, point } = this.modbusPoint(id, pointName);
    const raw = sim.getRegister(unit, point.table, point.address);
    if (typeof raw === 'boolean') return raw;
    const signed = point.type === 'int16' && raw >= 0x8000 ? raw - 0x10000 : raw;
    return signed * point.scale + point.offset;
  }

  /** A Modbus unit stops answering (true) or answers again (false). */
  setSilent(id: string, silent: boolean): void {
    const p = this.placement(id);
    if (!p.line?.sim || p.unit === undefined) throw new Error(`${id} is not a started Modbus device`);
    p.line.sim.setSilent(p.unit, silent);
  }

  /** Drives a GPIO input (panic pressed, enclosure opened) at its logical level. */
  setInput(id: string, active: boolean): void {
    const p = this.placement(id);
    if (!p.gpio) throw new Error(`${id} is not a GPIO device`);
    this.gpio.setInput(p.gpio, active);
  }

  /** GPIO line of a device (for watching outputs). */
  gpioLine(id: string): { chip: string; line: number } | undefined {
    return this.placements.get(id)?.gpio;
  }

  /** Requests served per line (the bench and the summary). */
  lineStats(): Array<{ path: string; boxPath: string; units: number; requests: number }> {
    return [...this.lines.values()].map((l) => ({ path: l.path, boxPath: l.boxPath, units: l.units.size, requests: l.sim?.slave.requests ?? 0 }));
  }

  /** Indexes of the serial lines (the box opens line i at `dir`/ttyQH<i>). */
  lineIndexes(): number[] {
    return [...this.lines.values()].map((l) => l.index);
  }

  /**
   * The RS-485 adapter of line `index` unplugged (pty transport only): socat is killed, so both ends fail with
   * EIO as an unplugged USB adapter does. The units keep their registers and faults (they were not
   * power-cycled); replugLine() starts socat again on the same paths and the simulator reattaches.
   */
  async unplugLine(index: number): Promise<void> {
    const line = this.lineAt(index);
    if (!line.pty) throw new Error(`line ${index} is not a PTY line (unplugging needs the pty transport)`);
    await line.pty.stop();
    await line.sim?.close().catch(() => undefined);
  }

  async replugLine(index: number): Promise<void> {
    const line = this.lineAt(index);
    // A replug still waiting when the estate stopped would start a socat nobody stops.
    if (!this.started) throw new Error(`line ${index}: the estate is stopped`);
    if (!line.pty || !line.sim) throw new Error(`line ${index} is not a started PTY line`);
    await line.pty.start();
    await line.sim.attach(line.pty.b);
  }

  /**
   * Camera `id` power-cycled: it goes away at once (its connections reset, new ones too) and after `downMs` it
   * answers again on the same port (its listening socket never closed), with no subscriptions and its clock
   * restarted at 2000-01-01 (no RTC until NTP), as cameras do.
   */
  async rebootCamera(id: string, downMs: number): Promise<void> {
    const cam = this.camera(id);
    cam.powerOff();
    await new Promise((r) => setTimeout(r, downMs));
    if (!this.started) return;
    cam.powerOn();
  }

  private lineAt(index: number): SimLine {
    const line = [...this.lines.values()].find((l) => l.index === index);
    if (!line) throw new Error(`no simulated line ${index}`);
    return line;
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.cameras.values()].map((c) => c.stop()));
    this.cameras.clear();
    this.started = false;
    for (const line of this.lines.values()) {
      await line.sim?.close().catch(() => undefined);
      await line.pty?.stop();
    }
    // Any socat the lines no longer hold (a replug that raced the stop): none may outlive the estate.
    await Promise.all([...this.socats].map((p) => new Promise<void>((resolve) => {
      if (p.exitCode !== null || p.signalCode !== null) { resolve(); return; }
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    })));
  }

  private placement(id: string): Placement {
    const p = this.placements.get(id);
    if (!p) throw new Error(`no simulated device ${id}`);
    return p;
  }

  private modbusPoint(id: string, pointName: string) {
    const p = this.placement(id);
    const point = p.profile.points.find((x) => x.name === pointName);
    if (!p.line?.sim || p.unit === undefined || !point) throw new Error(`${id} has no Modbus point ${pointName} (or its line is not started)`);
    return { sim: p.line.sim, unit: p.unit, point };
  }
}
