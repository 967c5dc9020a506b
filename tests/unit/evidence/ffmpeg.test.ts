import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFfmpeg, maskStderr, privateRtspInput, withCredentials } from '../../../drivers/evidence/ffmpeg.js';

describe('ffmpeg without leaking camera passwords', () => {
  const dirs: string[] = [];
  afterEach(async () => { for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true }); });

  it('masks credentials in ffmpeg stderr, including ones with reserved characters', () => {
    const url = withCredentials('rtsp://10.0.0.5:554/Streaming/Channels/101', { username: 'admin', password: 'p@ss:w/rd' });
    const masked = maskStderr(`[rtsp @ 0x55] method DESCRIBE failed: 401 Unauthorized\n${url}: Server returned 401`);
    expect(masked).not.toContain('p%40ss');
    expect(masked).toContain('rtsp://***@10.0.0.5:554/Streaming/Channels/101');
  });

  it('keeps the credentials out of argv: a 0600 input list in a 0700 directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qh-ff-'));
    dirs.push(dir);
    const url = withCredentials('rtsp://cam/stream', { username: 'u', password: "S3cr'x" });
    const input = await privateRtspInput(join(dir, 'private'), 'x', url);
    expect(input.args.join(' ')).not.toContain('S3cr');
    expect((await stat(input.file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'private'))).mode & 0o777).toBe(0o700);
    expect(await readFile(input.file, 'utf8')).toContain("file 'rtsp://u:S3cr'\\''x@cam/stream'");
  });

  it('reports a missing ffmpeg as QH_FFMPEG', () => {
    expect(() => findFfmpeg('/nonexistent/ffmpeg')).toThrow(expect.objectContaining({ code: 'QH_FFMPEG' }));
  });
});
