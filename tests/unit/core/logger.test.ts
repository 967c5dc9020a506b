import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskUrlCredentials } from '../../../runtime/core/logger.js';

function capture() {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
  return { logger: createLogger({ destination: stream, level: 'debug' }), text: () => chunks.join('') };
}

describe('logger redaction', () => {
  it('never writes passwords, keys or credentials, wherever they sit in a log object', () => {
    const { logger, text } = capture();
    const secret = 'Canary-Pw-4711';
    logger.info({ password: secret }, 'top-level');
    logger.info({ camera: { password: secret, username: 'admin' } }, 'nested');
    logger.info({ secrets: { cameras: { default: { password: secret } } } }, 'secrets object');
    logger.info({ tlsKey: `-----BEGIN PRIVATE KEY-----${secret}` }, 'key');
    logger.info({ url: `rtsp://admin:${secret}@10.0.0.7:554/Streaming/Channels/101` }, 'url field');
    logger.warn(`ffmpeg said: Opening 'rtsp://admin:${secret}@10.0.0.7/stream' for reading`);
    logger.child({ device: 'cam-1' }).error({ err: new Error(`connect rtsp://u:${secret}@h/x failed`) }, 'err');
    const out = text();
    expect(out.split('\n').filter(Boolean)).toHaveLength(7);
    expect(out).toContain('admin');
    expect(out).not.toContain(secret);
  });

  it('masks URL credentials in free text', () => {
    expect(maskUrlCredentials('a rtsp://admin:pw@h:554/x b mqtts://u:p@broker')).toBe('a rtsp://admin:***@h:554/x b mqtts://u:***@broker');
  });
});
