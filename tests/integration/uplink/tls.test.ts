import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, Outbox, type Store } from '../../../runtime/store/index.js';
import { Uplink } from '../../../runtime/uplink/index.js';
import { freePort, Mosquitto } from '../../helpers/mosquitto.js';
import { draft, silentLogger, storageConfig, tempDir } from '../../unit/store/fixtures.js';
import { uplinkConfig } from './config.js';
import { Observer, waitFor } from './observer.js';

/** A throw-away CA, a server certificate for 127.0.0.1 and a client certificate for the box (openssl CLI). */
function makePki(dir: string): void {
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ossl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=qinhe-test-ca');
  const certs = [['server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1'], ['box', '/CN=qinhe-caima-caima-01', 'extendedKeyUsage=clientAuth']];
  for (const [name, subj, ext] of certs as Array<[string, string, string]>) {
    writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
    ossl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj);
    ossl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2',
      '-extfile', `${name}.ext`);
  }
}

describe('uplink over TLS with a client certificate (real mosquitto)', () => {
  let pki: ReturnType<typeof tempDir>;
  let broker: Mosquitto;
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let outbox: Outbox;

  beforeAll(async () => {
    pki = tempDir('qinhe-pki-');
    makePki(pki.dir);
    const port = await freePort();
    broker = await Mosquitto.start({ port, extraConfig: [`cafile ${pki.dir}/ca.crt`, `certfile ${pki.dir}/server.crt`,
      `keyfile ${pki.dir}/server.key`, 'require_certificate true'].join('\n') });
    tmp = tempDir();
    store = openStore({ dataDir: tmp.dir, storage: storageConfig(), logger: silentLogger() }).store;
    outbox = new Outbox(store);
  });
  afterAll(async () => {
    outbox.close();
    store.close();
    await broker.dispose();
    tmp.cleanup();
    pki.cleanup();
  });

  it('connects with the box certificate and delivers an incident', async () => {
    const url = `mqtts://127.0.0.1:${broker.port}`;
    const tls = { ca: readFileSync(join(pki.dir, 'ca.crt')), cert: readFileSync(join(pki.dir, 'box.crt')), key: readFileSync(join(pki.dir, 'box.key')) };
    const observer = await Observer.connect(url, 'qinhe/#', tls);
    const uplink = new Uplink({ config: uplinkConfig(url, { caFile: join(pki.dir, 'ca.crt'), certFile: join(pki.dir, 'box.crt') }),
      estate: 'caima', box: 'caima-01', secrets: { tlsKeyPem: readFileSync(join(pki.dir, 'box.key'), 'utf8') }, outbox,
      logger: silentLogger(), version: '0.1.0', stateDevices: () => ({ total: 1, online: 1 }) });
    await uplink.start();
    const ev = await outbox.appendIncident(draft());
    await observer.until(() => observer.json('/incident').some((e) => e.seq === ev.seq), 'incident over TLS');
    await uplink.stop();
    await observer.close();
  });

  it('refuses a certificate without its key before connecting', async () => {
    const uplink = new Uplink({ config: uplinkConfig(`mqtts://127.0.0.1:${broker.port}`, { caFile: join(pki.dir, 'ca.crt'), certFile: join(pki.dir, 'box.crt') }),
      estate: 'caima', box: 'caima-01', secrets: {}, outbox, logger: silentLogger(), version: '0.1.0', stateDevices: () => ({ total: 0, online: 0 }) });
    await expect(uplink.start()).rejects.toMatchObject({ code: 'QH_UPLINK_TLS' });
  });

  it('does not connect when the broker cannot be verified against the configured CA', async () => {
    const events: boolean[] = [];
    const uplink = new Uplink({ config: uplinkConfig(`mqtts://127.0.0.1:${broker.port}`, { caFile: join(pki.dir, 'box.crt'), certFile: join(pki.dir, 'box.crt') }),
      estate: 'caima', box: 'caima-01', secrets: { tlsKeyPem: readFileSync(join(pki.dir, 'box.key'), 'utf8') }, outbox,
      logger: silentLogger(), version: '0.1.0', stateDevices: () => ({ total: 0, online: 0 }), onConnectionChange: (e) => events.push(e.connected) });
    await uplink.start();
    await waitFor(() => uplink.counters().attempt >= 2, 'two failed attempts');
    expect(events).toEqual([]);
    await uplink.stop();
  });
});
