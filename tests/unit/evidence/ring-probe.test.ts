import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { probeRtsp, SegmentRing } from '../../../drivers/evidence/ring-buffer.js';
import { freePort } from '../../helpers/mosquitto.js';
import { tempDir } from '../store/fixtures.js';

const systemClock = { now: () => Date.now(), mono: () => performance.now() };
let tmp: ReturnType<typeof tempDir>;
let server: Server | undefined;
let ring: SegmentRing | undefined;
afterEach(async () => {
  await ring?.stop();
  server?.close();
  tmp.cleanup();
});

describe('clip ring: the RTSP port is probed before ffmpeg is spawned', () => {
  it('says which host:port is unreachable, without the credentials', async () => {
    tmp = tempDir();
    const port = await freePort();
    await expect(probeRtsp(`rtsp://admin:s3cret@127.0.0.1:${port}/stream`, 1000)).rejects.toThrow(`RTSP port 127.0.0.1:${port} unreachable: ECONNREFUSED`);
    await expect(probeRtsp(`rtsp://admin:s3cret@127.0.0.1:${port}/stream`, 1000)).rejects.not.toThrow(/s3cret|admin/);
  });

  it('spawns no ffmpeg while the port is closed, and one once it opens', async () => {
    tmp = tempDir();
    const port = await freePort();
    const marker = join(tmp.dir, 'spawned');
    const fake = join(tmp.dir, 'ffmpeg');
    writeFileSync(fake, `#!/bin/sh\necho x >> ${marker}\nsleep 30\n`);
    chmodSync(fake, 0o755);
    const dir = join(tmp.dir, 'ring');
    mkdirSync(dir, { recursive: true });
    const lines: Array<{ msg: string; reason?: string }> = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => { lines.push(JSON.parse(l) as { msg: string; reason?: string }); } });
    ring = new SegmentRing({ cameraId: 'cam-1', ffmpeg: fake, dir, rtspUrl: () => `rtsp://admin:s3cret@127.0.0.1:${port}/s`,
      segmentS: 1, segments: 5, stallS: 30, clock: systemClock, logger });
    ring.start();
    await new Promise((r) => setTimeout(r, 1500));
    expect(existsSync(marker)).toBe(false);
    expect(lines.filter((l) => l.msg === 'clip ring buffer down')).toHaveLength(1);
    expect(lines[0]?.reason).toContain(`127.0.0.1:${port} unreachable`);
    expect(JSON.stringify(lines)).not.toContain('s3cret');
    server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', () => r()));
    for (let i = 0; i < 50 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(marker)).toBe(true);
    expect(ring.running).toBe(true);
  }, 20_000);
});
