/**
 * A pre-event ring buffer per clip camera: one supervised ffmpeg copying the RTSP stream into short MPEG-TS
 * segments (`-f segment -segment_wrap N`, so only the last N exist). The directory is watched: a segment's
 * end time is its last write; a stream with no new segment for `stallS` is killed and restarted (with
 * backoff). Down and recovery are logged once each. Before each start the RTSP port is probed with a plain TCP
 * connect: a camera whose stream port is closed costs a connect per retry, not an ffmpeg process (spawning one
 * from a 150 MB box costs milliseconds of CPU each time, times 40 cameras).
 */
import type { Logger } from 'pino';
import { readdir, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Clock } from '../types.js';
import { privateRtspInput, startFfmpeg, type FfmpegRun } from './ffmpeg.js';

export interface Segment {
  file: string;
  startMono: number;
  endMono: number;
}

export interface RingOptions {
  cameraId: string;
  ffmpeg: string;
  /** Working directory of this camera's ring (created, 0700). */
  dir: string;
  /** The stream URL with credentials: written only to the private input file. */
  rtspUrl: () => string | undefined;
  segmentS: number;
  segments: number;
  stallS: number;
  clock: Clock;
  logger: Logger;
}

const SEGMENT = /^seg(\d{3})\.ts$/;

export class SegmentRing {
  private run: FfmpegRun | undefined;
  private timer: NodeJS.Timeout | undefined;
  private known = new Map<string, number>();
  private lastGrowthMono = 0;
  private startedMono = 0;
  private restarts = 0;
  private down = false;
  private stopped = true;
  private nextStartMono = 0;

  constructor(private readonly o: RingOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => { void this.tick(); }, 1000);
    void this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.kill();
  }

  get running(): boolean {
    return this.run !== undefined;
  }

  private async kill(): Promise<void> {
    const run = this.run;
    this.run = undefined;
    if (!run) return;
    run.child.kill('SIGTERM');
    const t = setTimeout(() => run.child.kill('SIGKILL'), 3000);
    await run.done;
    clearTimeout(t);
  }

  private async launch(): Promise<void> {
    const url = this.o.rtspUrl();
    if (!url) return;
    await probeRtsp(url, 3000);
    const input = await privateRtspInput(join(this.o.dir, '.input'), 'stream', url);
    for (const f of await readdir(this.o.dir).catch(() => [] as string[])) if (SEGMENT.test(f)) await rm(join(this.o.dir, f), { force: true });
    this.known.clear();
    const run = startFfmpeg(this.o.ffmpeg, [...input.args, '-map', '0:v:0', '-c', 'copy', '-f', 'segment',
      '-segment_time', String(this.o.segmentS), '-segment_wrap', String(this.o.segments), '-reset_timestamps', '1',
      '-segment_format', 'mpegts', join(this.o.dir, 'seg%03d.ts')]);
    this.run = run;
    this.startedMono = this.o.clock.mono();
    this.lastGrowthMono = this.startedMono;
    void run.done.then(({ code }) => {
      if (this.run !== run) return;
      this.run = undefined;
      this.failed(`ffmpeg exited ${code}: ${run.stderrTail().trim().slice(-200)}`);
    });
    // ffmpeg read the list when it opened its input; the credentials need not stay on disk.
    setTimeout(() => { void rm(input.file, { force: true }); }, 5000).unref();
  }

  private failed(reason: string): void {
    this.restarts += 1;
    this.nextStartMono = this.o.clock.mono() + Math.min(60_000, 1000 * 2 ** Math.min(this.restarts, 6));
    if (!this.down) {
      this.down = true;
      this.o.logger.warn({ reason }, 'clip ring buffer down');
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const now = this.o.clock.mono();
    if (!this.run) {
      if (now >= this.nextStartMono) await this.launch().catch((err: unknown) => this.failed(String(err)));
      return;
    }
    await this.scan();
    if (now - this.lastGrowthMono > this.o.stallS * 1000) {
      await this.kill();
      this.failed(`no new segment for ${this.o.stallS} s (stalled)`);
    }
  }

  private async scan(): Promise<void> {
    const wallNow = this.o.clock.now();
    const monoNow = this.o.clock.mono();
    for (const f of await readdir(this.o.dir).catch(() => [] as string[])) {
      if (!SEGMENT.test(f)) continue;
      const s = await stat(join(this.o.dir, f)).catch(() => undefined);
      if (!s || s.size === 0) continue;
      const endMono = monoNow - (wallNow - s.mtimeMs);
      if (this.known.get(f) !== endMono) {
        if ((this.known.get(f) ?? -Infinity) < endMono && endMono > this.startedMono) this.grew();
        this.known.set(f, endMono);
      }
    }
  }

  private grew(): void {
    this.lastGrowthMono = this.o.clock.mono();
    if (this.down) {
      this.down = false;
      this.restarts = 0;
      this.o.logger.info('clip ring buffer recovered');
    }
  }

  /** Complete segments (not the one being written) overlapping [fromMono, toMono], oldest first. */
  async covering(fromMono: number, toMono: number): Promise<Segment[]> {
    await this.scan();
    const list = [...this.known.entries()].map(([f, end]) => ({ file: join(this.o.dir, f), endMono: end }))
      .sort((a, b) => a.endMono - b.endMono);
    const complete = list.slice(0, -1);
    const out: Segment[] = [];
    for (let i = 0; i < complete.length; i += 1) {
      const seg = complete[i];
      if (!seg) continue;
      const startMono = complete[i - 1]?.endMono ?? seg.endMono - this.o.segmentS * 1000;
      if (seg.endMono >= fromMono && startMono <= toMono) out.push({ file: seg.file, startMono, endMono: seg.endMono });
    }
    return out;
  }

  /** The end of the newest complete segment (for waiting on post-event footage). */
  async newestCompleteEnd(): Promise<number | undefined> {
    await this.scan();
    const ends = [...this.known.values()].sort((a, b) => a - b);
    return ends.length >= 2 ? ends[ends.length - 2] : undefined;
  }
}

/** Resolves when a TCP connection to the URL's host and port (554 by default) opens; the error names host:port only. */
export function probeRtsp(url: string, timeoutMs: number): Promise<void> {
  let host: string;
  let port: number;
  try {
    const u = new URL(url);
    host = u.hostname.replace(/^\[|\]$/g, '');
    port = Number(u.port || 554);
  } catch {
    return Promise.reject(new Error('the stream URL cannot be parsed'));
  }
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const done = (err?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(new Error(`RTSP port ${host}:${port} unreachable: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      else resolve();
    };
    const timer = setTimeout(() => done(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
    socket.once('connect', () => done());
    socket.once('error', (err) => done(err));
  });
}
