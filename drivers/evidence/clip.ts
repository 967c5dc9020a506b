/**
 * A clip from preS before to postS after an event: wait until the ring holds footage past the window's end,
 * copy the covering segments out of the ring (the wrap would overwrite them), then join them without
 * re-encoding (`-f concat -c copy`) into an MP4.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { QinheError } from '../../runtime/core/errors.js';
import type { Clock } from '../types.js';
import { runFfmpeg } from './ffmpeg.js';
import type { SegmentRing } from './ring-buffer.js';

export interface ClipRequest {
  ring: SegmentRing;
  ffmpeg: string;
  eventMono: number;
  preS: number;
  postS: number;
  segmentS: number;
  out: string;
  workDir: string;
  clock: Clock;
  signal?: AbortSignal;
}

export async function makeClip(r: ClipRequest): Promise<void> {
  const from = r.eventMono - r.preS * 1000;
  const to = r.eventMono + r.postS * 1000;
  const deadline = r.clock.mono() + (to - r.clock.mono()) + (r.segmentS * 3 + 10) * 1000;
  for (;;) {
    const end = await r.ring.newestCompleteEnd();
    if (end !== undefined && end >= to) break;
    if (r.clock.mono() > deadline || r.signal?.aborted) break;
    await new Promise((res) => setTimeout(res, 250));
  }
  const segs = await r.ring.covering(from, to);
  if (segs.length === 0) throw new QinheError('QH_FFMPEG', 'the ring buffer holds no footage for this event');
  const tmp = await mkdtemp(join(r.workDir, 'clip-'));
  try {
    const copies: string[] = [];
    for (const [i, s] of segs.entries()) {
      const dst = join(tmp, `part${String(i).padStart(3, '0')}.ts`);
      await copyFile(s.file, dst);
      copies.push(dst);
    }
    const list = join(tmp, 'list.ffconcat');
    await writeFile(list, `ffconcat version 1.0\n${copies.map((c) => `file '${c}'`).join('\n')}\n`);
    await runFfmpeg(r.ffmpeg, ['-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-movflags', '+faststart', '-y', r.out], 30_000);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
