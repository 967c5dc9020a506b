/**
 * A snapshot: the camera's snapshot URI over HTTP with digest auth (bounded like every camera reply), and
 * when the camera has none or it fails, a single frame grabbed from RTSP by ffmpeg.
 */
import { rm, writeFile } from 'node:fs/promises';
import { QinheError } from '../../runtime/core/errors.js';
import { digestRequest } from '../onvif/soap/http.js';
import { newDigestState } from '../onvif/soap/digest.js';
import { privateRtspInput, runFfmpeg } from './ffmpeg.js';

export const SNAPSHOT_MAX_BYTES = 8 * 1024 * 1024;

export async function httpSnapshot(url: URL, creds: { username: string; password: string } | undefined, out: string, timeoutMs = 10_000): Promise<void> {
  const reply = await digestRequest({ method: 'GET', url, limits: { timeoutMs, maxBytes: SNAPSHOT_MAX_BYTES } },
    creds ? newDigestState(creds.username, creds.password) : undefined);
  if (reply.status !== 200) throw new QinheError(reply.status === 401 ? 'QH_ONVIF_AUTH' : 'QH_ONVIF_REQUEST', `snapshot HTTP ${reply.status}`);
  // JPEG SOI marker (FF D8 FF): anything else is not a picture, whatever the content type says.
  if (reply.body.length < 4 || reply.body[0] !== 0xff || reply.body[1] !== 0xd8 || reply.body[2] !== 0xff) {
    throw new QinheError('QH_ONVIF_HOSTILE', 'snapshot reply is not a JPEG');
  }
  await writeFile(out, reply.body);
}

export async function rtspFrame(ffmpeg: string, privateDir: string, urlWithCredentials: string, out: string): Promise<void> {
  const input = await privateRtspInput(privateDir, `frame-${process.hrtime.bigint()}`, urlWithCredentials);
  try {
    await runFfmpeg(ffmpeg, [...input.args, '-frames:v', '1', '-update', '1', '-q:v', '3', '-y', out], 20_000);
  } finally {
    await rm(input.file, { force: true });
  }
}
