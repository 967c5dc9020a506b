import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandDispatcher, generateCenterKeyPair, signCommand } from '../../../runtime/commands/index.js';
import { openStore, Outbox, type Store } from '../../../runtime/store/index.js';
import { Uplink } from '../../../runtime/uplink/index.js';
import { Mosquitto } from '../../helpers/mosquitto.js';
import { silentLogger, storageConfig, tempDir } from '../../unit/store/fixtures.js';
import { RecordingTarget } from '../../unit/commands/support.js';
import { uplinkConfig } from './config.js';
import { Observer, waitFor } from './observer.js';

describe('center commands over a real mosquitto', () => {
  const center = generateCenterKeyPair();
  const stranger = generateCenterKeyPair();
  let broker: Mosquitto;
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let outbox: Outbox;
  let uplink: Uplink;
  let observer: Observer;
  const target = new RecordingTarget();

  beforeAll(async () => {
    broker = await Mosquitto.start();
    tmp = tempDir('qinhe-cmdmq-');
    store = openStore({ dataDir: tmp.dir, storage: storageConfig(), logger: silentLogger() }).store;
    outbox = new Outbox(store);
    const dispatcher = new CommandDispatcher({ keys: [center.publicKeyPem], target, outbox, store, logger: silentLogger() });
    observer = await Observer.connect(broker.url);
    uplink = new Uplink({ config: uplinkConfig(broker.url), estate: 'caima', box: 'caima-01', secrets: {}, outbox, logger: silentLogger(),
      version: '0.1.0', stateDevices: () => ({ total: 0, online: 0 }), onCommand: (name, payload) => void dispatcher.handle(name, payload) });
    await uplink.start();
    await waitFor(() => uplink.isConnected(), 'uplink connected');
    await new Promise((r) => setTimeout(r, 200)); // let the command subscription settle
  });
  afterAll(async () => {
    await uplink.stop();
    await observer.close();
    outbox.close();
    store.close();
    await broker.dispose();
    tmp.cleanup();
  });

  const replies = () => observer.json('/reply');
  async function send(name: string, payload: string | Buffer): Promise<Record<string, unknown>> {
    const n = replies().length;
    await observer.client.publishAsync(`qinhe/caima/caima-01/cmd/${name}`, payload, { qos: 1 });
    await observer.until(() => replies().length > n, `reply to ${name}`);
    return replies()[n]!;
  }

  it('answers each command and each rejection on R/reply', async () => {
    const ack = signCommand('ack', { args: { incidentId: 'inc-1', by: 'duty-wang' } }, center.privateKeyPem);
    expect(await send('ack', JSON.stringify(ack))).toEqual({ v: 1, id: ack.id, ok: true, result: { incidentId: 'inc-1', state: 'acknowledged' } });
    expect(await send('ack', JSON.stringify(ack))).toMatchObject({ id: ack.id, ok: false, error: { code: 'replayed' } });
    const expired = signCommand('health', { now: Date.now() - 3_600_000, ttlS: 60 }, center.privateKeyPem);
    expect(await send('health', JSON.stringify(expired))).toMatchObject({ id: expired.id, ok: false, error: { code: 'expired' } });
    const future = signCommand('health', { now: Date.now() + 600_000 }, center.privateKeyPem);
    expect(await send('health', JSON.stringify(future))).toMatchObject({ id: future.id, ok: false, error: { code: 'expired' } });
    const forged = signCommand('siren', { args: { target: 'siren-b3', pattern: 'fire', seconds: 300 } }, stranger.privateKeyPem);
    expect(await send('siren', JSON.stringify(forged))).toMatchObject({ id: forged.id, ok: false, error: { code: 'bad-signature' } });
    expect(await send('siren', '{"v":1,"id":')).toMatchObject({ id: null, ok: false, error: { code: 'invalid' } });
    expect(await send('siren', Buffer.alloc(100 * 1024, 0x7b))).toMatchObject({ id: null, ok: false, error: { code: 'invalid' } });
    const unknown = signCommand('reboot', {}, center.privateKeyPem);
    expect(await send('reboot', JSON.stringify(unknown))).toMatchObject({ id: unknown.id, ok: false, error: { code: 'unknown-command' } });
    const badArgs = signCommand('siren', { args: { target: 'siren-b3', pattern: 'fire', seconds: 3000 } }, center.privateKeyPem);
    expect(await send('siren', JSON.stringify(badArgs))).toMatchObject({ id: badArgs.id, ok: false, error: { code: 'invalid' } });
    expect(target.calls.map((c) => c.name)).toEqual(['ack']);
    await waitFor(() => outbox.stats().byLane.reply.pending === 0, 'replies acknowledged and deleted');
  });
});
