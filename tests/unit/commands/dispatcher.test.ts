import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { CommandDispatcher, canon, generateCenterKeyPair, loadCenterKeys, safeJsonParse, signCommand } from '../../../runtime/commands/index.js';
import { openStore, type Store } from '../../../runtime/store/index.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeClock, silentLogger, storageConfig, tempDir } from '../store/fixtures.js';
import { RecordingOutbox, RecordingTarget } from './support.js';

const center = generateCenterKeyPair();
const rotated = generateCenterKeyPair();
const stranger = generateCenterKeyPair();

describe('canon', () => {
  it('sorts keys at every level and drops white space', () => {
    expect(canon({ b: 1, a: { d: [3, { z: 1, y: 'x' }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":"x","z":1}]},"b":1}');
    expect(canon({})).toBe('{}');
    expect(canon({ 'ü': 'é', A: true })).toBe('{"A":true,"ü":"é"}');
  });
  it('refuses values JSON cannot carry', () => {
    expect(() => canon({ a: Number.NaN })).toThrow();
    expect(() => canon({ a: () => 1 })).toThrow();
  });
});

describe('safeJsonParse', () => {
  const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
  it('allows nesting up to 32 levels and refuses 33, before parsing', () => {
    expect(safeJsonParse(nest(32))).toBeInstanceOf(Array);
    expect(() => safeJsonParse(nest(33))).toThrow(/nested deeper than 32/);
    expect(() => safeJsonParse(`{"a":${nest(10_000)}}`)).toThrow(/nested deeper than 32/);
  });
  it('does not count brackets or escaped quotes inside strings', () => {
    // The value holds 100 '[', an escaped quote, 100 '{' and an escaped backslash: none of them nests.
    const text = String.raw`{"s":"` + '['.repeat(100) + String.raw`\"` + '{'.repeat(100) + String.raw`\\"}`;
    expect((safeJsonParse(text) as { s: string }).s).toBe(`${'['.repeat(100)}"${'{'.repeat(100)}\\`);
  });
  it('refuses prototype-reaching keys at any level, but not the words inside values', () => {
    for (const k of ['__proto__', 'constructor', 'prototype']) {
      expect(() => safeJsonParse(`{"a":{"${k}":{"x":1}}}`)).toThrow(new RegExp(`forbidden key ${k}`));
    }
    expect(safeJsonParse('{"note":"the constructor of __proto__ is a prototype"}')).toEqual({ note: 'the constructor of __proto__ is a prototype' });
  });
  it('still refuses malformed JSON', () => {
    expect(() => safeJsonParse('{"v":1,')).toThrow(SyntaxError);
    expect(() => safeJsonParse('[1]]')).toThrow(SyntaxError);
  });
});

describe('CommandDispatcher', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let clock: FakeClock;
  let target: RecordingTarget;
  let outbox: RecordingOutbox;
  let dispatcher: CommandDispatcher;
  const make = () => new CommandDispatcher({ keys: [center.publicKeyPem, rotated.publicKeyPem], target, outbox, store, clock, logger: silentLogger() });
  beforeEach(() => {
    tmp = tempDir('qinhe-cmd-');
    clock = new FakeClock();
    store = openStore({ dataDir: tmp.dir, storage: storageConfig(), logger: silentLogger(), clock }).store;
    target = new RecordingTarget();
    outbox = new RecordingOutbox();
    dispatcher = make();
  });
  afterEach(() => { store.close(); tmp.cleanup(); });

  const send = (name: string, cmd: unknown) => dispatcher.handle(name, Buffer.from(typeof cmd === 'string' ? cmd : JSON.stringify(cmd)));
  const signed = (name: string, args: Record<string, unknown>, over: Parameters<typeof signCommand>[1] = {}, key = center.privateKeyPem) =>
    signCommand(name, { args, now: clock.now(), ...over }, key);

  it('runs a valid ack and replies ok with the target result, through the reply lane', async () => {
    const cmd = signed('ack', { incidentId: 'inc-1', by: 'duty-wang' });
    const reply = await send('ack', cmd);
    expect(reply).toEqual({ v: 1, id: cmd.id, ok: true, result: { incidentId: 'inc-1', state: 'acknowledged' } });
    expect(target.calls).toEqual([{ name: 'ack', args: { incidentId: 'inc-1', by: 'duty-wang' } }]);
    expect(outbox.messages).toEqual([{ lane: 'reply', topic: 'reply', payload: reply, qos: 1 }]);
  });

  it('accepts every command of the table, signed with either center key', async () => {
    const table: Array<[string, Record<string, unknown>]> = [
      ['ack', { incidentId: 'i', by: 'b' }], ['onsite', { incidentId: 'i', by: 'b' }],
      ['resolve', { incidentId: 'i', by: 'b', outcome: 'false-alarm' }], ['siren', { target: 'siren-b3', pattern: 'fire', seconds: 300 }],
      ['silence', { target: 'B3' }], ['snapshot', { deviceId: 'cam-b3-02' }], ['health', {}],
    ];
    for (const [i, [name, args]] of table.entries()) {
      const reply = await send(name, signed(name, args, {}, i % 2 ? rotated.privateKeyPem : center.privateKeyPem));
      expect(reply.ok, name).toBe(true);
    }
    expect(target.calls.map((c) => c.name)).toEqual(table.map(([n]) => n));
  });

  it('ignores unknown fields in the envelope and args (forward compatible)', async () => {
    const cmd = { ...signed('silence', { target: 'B3', future: 1 }), extra: 'x' };
    expect((await send('silence', cmd)).ok).toBe(true);
    expect(target.calls[0]!.args).toEqual({ target: 'B3' });
  });

  it('rejects a bad signature, a key it does not hold, and a tampered argument', async () => {
    const cmd = signed('siren', { target: 'siren-b3', pattern: 'fire', seconds: 10 });
    const tampered = { ...cmd, args: { ...cmd.args, seconds: 300 } };
    const r1 = await send('siren', tampered);
    expect(r1).toMatchObject({ id: cmd.id, ok: false, error: { code: 'bad-signature' } });
    const r2 = await send('siren', signed('siren', { target: 'x', pattern: 'fire', seconds: 1 }, {}, stranger.privateKeyPem));
    expect(r2).toMatchObject({ ok: false, error: { code: 'bad-signature' } });
    const r3 = await send('silence', { ...signed('siren', { target: 'B3' }) }); // signed for another name
    expect(r3).toMatchObject({ ok: false, error: { code: 'bad-signature' } });
    const r4 = await send('siren', { ...cmd, sig: 'AAAA' });
    expect(r4).toMatchObject({ ok: false, error: { code: 'bad-signature' } });
    expect(target.calls).toEqual([]);
  });

  it('rejects an expired command and one issued more than 5 min ahead, but tolerates small skew', async () => {
    const expired = signed('health', {}, { now: clock.now() - 600_000, ttlS: 60 });
    expect(await send('health', expired)).toMatchObject({ id: expired.id, ok: false, error: { code: 'expired' } });
    const future = signed('health', {}, { now: clock.now() + 6 * 60_000 });
    const rf = await send('health', future);
    expect(rf).toMatchObject({ ok: false, error: { code: 'expired' } });
    expect(rf.ok === false && rf.error.message).toContain('future');
    expect((await send('health', signed('health', {}, { now: clock.now() + 4 * 60_000 }))).ok).toBe(true);
    expect(target.calls).toHaveLength(1);
  });

  it('executes a command at most once, also after a restart', async () => {
    const cmd = signed('siren', { target: 'siren-b3', pattern: 'fire', seconds: 30 }, { ttlS: 3600 });
    expect((await send('siren', cmd)).ok).toBe(true);
    expect(await send('siren', cmd)).toMatchObject({ id: cmd.id, ok: false, error: { code: 'replayed' } });
    store.close();
    clock.advance(20 * 60_000);
    store = openStore({ dataDir: tmp.dir, storage: storageConfig(), logger: silentLogger(), clock }).store;
    dispatcher = make();
    expect(await send('siren', cmd)).toMatchObject({ ok: false, error: { code: 'replayed' } });
    expect(target.calls).toHaveLength(1);
  });

  it('rejects malformed JSON, a wrong envelope, unknown names and bad args, each with a reply', async () => {
    expect(await send('ack', '{"v":1,')).toMatchObject({ id: null, ok: false, error: { code: 'invalid' } });
    expect(await send('ack', '[]')).toMatchObject({ id: null, ok: false, error: { code: 'invalid' } });
    expect(await send('ack', { v: 2, id: '01X' })).toMatchObject({ id: '01X', ok: false, error: { code: 'invalid' } });
    expect(await send('reboot', signed('reboot', {}))).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
    expect(await send('toString', signed('toString', {}))).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
    expect(await send('siren', signed('siren', { target: 'x', pattern: 'fire', seconds: 301 }))).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await send('resolve', signed('resolve', { incidentId: 'i', by: 'b', outcome: 'maybe' }))).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await send('ack', '{"v":1,"id":"01P","__proto__":{"polluted":true}}')).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const big = Buffer.alloc(64 * 1024 + 1, 0x20);
    expect(await dispatcher.handle('ack', big)).toMatchObject({ id: null, ok: false, error: { code: 'invalid' } });
    expect(target.calls).toEqual([]);
    expect(outbox.messages).toHaveLength(9);
  });

  it('replies failed with the message when the target throws', async () => {
    target.failWith = 'no such incident inc-9';
    const cmd = signed('ack', { incidentId: 'inc-9', by: 'b' });
    expect(await send('ack', cmd)).toEqual({ v: 1, id: cmd.id, ok: false, error: { code: 'failed', message: 'no such incident inc-9' } });
  });

  it('answers every rejection but logs at most 30 a minute, then says how many it left out', async () => {
    const lines: Array<{ msg: string; notLogged?: number }> = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => { lines.push(JSON.parse(l) as { msg: string; notLogged?: number }); } });
    const d = new CommandDispatcher({ keys: [center.publicKeyPem], target, outbox, store, clock, logger });
    const replies = [];
    for (let i = 0; i < 100; i++) replies.push(await d.handle('siren', Buffer.from('{"v":1,')));
    expect(replies.every((r) => r.ok === false && r.error?.code === 'invalid')).toBe(true);
    expect(outbox.messages).toHaveLength(100);
    expect(lines.filter((l) => l.msg === 'command rejected')).toHaveLength(30);
    clock.advance(60_000);
    await d.handle('siren', Buffer.from('{"v":1,'));
    expect(lines.at(-1)).toMatchObject({ msg: 'command rejected', notLogged: 70 });
  });

  it('replies failed instead of stalling when the target never answers', async () => {
    const hanging = new RecordingTarget();
    hanging.silence = () => new Promise(() => undefined);
    const d = new CommandDispatcher({ keys: [center.publicKeyPem], target: hanging, outbox, store, clock, logger: silentLogger(), commandTimeoutMs: 50 });
    const reply = await d.handle('silence', Buffer.from(JSON.stringify(signed('silence', { target: 'B3' }))));
    expect(reply).toMatchObject({ ok: false, error: { code: 'failed', message: expect.stringContaining('did not finish') } });
    expect(outbox.messages).toHaveLength(1);
  });

  it('loads center keys from PEM files and refuses a non-Ed25519 key', () => {
    const f = join(tmp.dir, 'center.pem');
    writeFileSync(f, center.publicKeyPem);
    expect(loadCenterKeys([f])[0]!.asymmetricKeyType).toBe('ed25519');
    const bad = join(tmp.dir, 'bad.pem');
    writeFileSync(bad, center.privateKeyPem.replace(/PRIVATE/g, 'PUBLIC'));
    expect(() => loadCenterKeys([bad])).toThrow(/center|key/);
    expect(() => loadCenterKeys([join(tmp.dir, 'missing.pem')])).toThrow(expect.objectContaining({ code: 'QH_CONFIG_IO' }));
  });
});
