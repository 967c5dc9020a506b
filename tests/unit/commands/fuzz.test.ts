import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandDispatcher, generateCenterKeyPair, signCommand } from '../../../runtime/commands/index.js';
import type { ReplyV1 } from '../../../runtime/core/contract.js';
import { openStore, type Store } from '../../../runtime/store/index.js';
import { FakeClock, silentLogger, storageConfig, tempDir } from '../store/fixtures.js';
import { RecordingOutbox, RecordingTarget } from './support.js';
import { mulberry32 } from '../../simulators/estate/scenario.js';

const NAMES = ['ack', 'onsite', 'resolve', 'siren', 'silence', 'snapshot', 'health', 'reboot', '', '__proto__', 'constructor', 'a/b', 'ack\u0000'];
const HOSTILE = [
  '', ' ', 'null', 'true', '0', '-1e309', '"x"', '[]', '{}', '{"v":1}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}',
  '{"v":1,"id":"01A","issuedAt":"2026-11-26T03:00:00.000Z","expiresAt":"9999-12-31T23:59:59.999Z","args":{"__proto__":{}},"sig":"x"}',
  '\u0000\u0001\u0002', '\uFEFF{"v":1}', '{"v":1,"id":' + '9'.repeat(400) + '}', '['.repeat(5000) + ']'.repeat(5000),
  '{"a":'.repeat(3000) + '1' + '}'.repeat(3000), '{"v":1,"id":"' + 'A'.repeat(70_000) + '"}', '{"v":1,"id":"01A","sig":' + '"x",'.repeat(2) + '}',
];

function randomJson(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 4 ? 5 : 8));
  switch (k) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return [0, -1, 1e308, -0, 2 ** 53 + 1, 0.1, 300, 301][Math.floor(r() * 8)];
    case 3: return ['', 'ack', '01ABC', '2026-11-26T03:00:00.000Z', '\u202e', 'x'.repeat(Math.floor(r() * 300))][Math.floor(r() * 6)];
    case 4: return Math.floor(r() * 1e6);
    case 5: return Array.from({ length: Math.floor(r() * 4) }, () => randomJson(r, depth + 1));
    default: {
      const keys = ['v', 'id', 'issuedAt', 'expiresAt', 'args', 'sig', 'target', 'seconds', 'pattern', '__proto__', 'constructor', 'incidentId'];
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(r() * 6); i++) o[keys[Math.floor(r() * keys.length)]!] = randomJson(r, depth + 1);
      return o;
    }
  }
}

describe('command fuzz', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  const center = generateCenterKeyPair();
  beforeAll(() => {
    tmp = tempDir('qinhe-fuzz-');
    store = openStore({ dataDir: tmp.dir, storage: storageConfig(), logger: silentLogger() }).store;
  });
  afterAll(() => { store.close(); tmp.cleanup(); });

  it('answers 10,000+ random and hostile payloads with exactly one well-formed reply each, never crashing', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 0x51ee7);
    const r = mulberry32(seed);
    const clock = new FakeClock(Date.now());
    const target = new RecordingTarget();
    const outbox = new RecordingOutbox();
    const d = new CommandDispatcher({ keys: [center.publicKeyPem], target, outbox, store, clock, logger: silentLogger() });
    const valid = signCommand('siren', { args: { target: 'siren-b3', pattern: 'fire', seconds: 10 }, now: clock.now() }, center.privateKeyPem);
    const validText = JSON.stringify(valid);
    const cases: Array<[string, Buffer]> = [];
    for (const h of HOSTILE) cases.push(['ack', Buffer.from(h)]);
    for (let i = 0; i < 10_000; i++) {
      const name = NAMES[Math.floor(r() * NAMES.length)]!;
      const mode = Math.floor(r() * 4);
      let payload: Buffer;
      if (mode === 0) {
        payload = Buffer.from(Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256)));
      } else if (mode === 1) {
        payload = Buffer.from(JSON.stringify(randomJson(r, 0)) ?? 'undefined');
      } else if (mode === 2) {
        // Mutate one byte of a valid signed command (flip, delete or duplicate).
        const b = Buffer.from(validText);
        const at = Math.floor(r() * b.length);
        const op = Math.floor(r() * 3);
        payload = op === 0 ? (b[at] = (b[at]! ^ (1 << Math.floor(r() * 8))) & 0xff, b)
          : op === 1 ? Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]) : Buffer.concat([b.subarray(0, at + 1), b.subarray(at)]);
      } else {
        const env = { ...valid, ...(randomJson(r, 3) as object) } as Record<string, unknown>;
        payload = Buffer.from(JSON.stringify(env));
      }
      cases.push([name, payload]);
    }
    const replies: ReplyV1[] = [];
    for (const [name, payload] of cases) replies.push(await d.handle(name, payload));

    expect(replies).toHaveLength(cases.length);
    expect(outbox.messages).toHaveLength(cases.length);
    const codes = new Map<string, number>();
    for (const reply of replies) {
      expect(reply.v).toBe(1);
      expect(reply.id === null || typeof reply.id === 'string').toBe(true);
      if (!reply.ok) {
        expect(['bad-signature', 'expired', 'replayed', 'invalid', 'unknown-command', 'failed']).toContain(reply.error.code);
        expect(typeof reply.error.message).toBe('string');
      }
      const key = reply.ok ? 'ok' : reply.error.code;
      codes.set(key, (codes.get(key) ?? 0) + 1);
    }
    // The one valid signed command ran at most once however many mutated copies still verified.
    expect(target.calls.length).toBeLessThanOrEqual(1);
    for (const c of target.calls) expect(c.args).toEqual({ target: 'siren-b3', pattern: 'fire', seconds: 10 });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(codes.get('invalid')).toBeGreaterThan(1000);
    expect(codes.get('bad-signature')).toBeGreaterThan(100);
    console.log(`[figures] fuzz seed ${seed}: ${cases.length} payloads → ${JSON.stringify(Object.fromEntries(codes))}`);
  }, 120_000);
});
