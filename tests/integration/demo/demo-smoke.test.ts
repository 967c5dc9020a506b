/**
 * `qinhe demo` end to end, as CI can afford it (about a minute): an 80-device Caima estate on a fresh data
 * dir, its own local broker; a subscriber on that broker checks that the scenario's incidents of every kind
 * arrive upstream and that R/incident seq is gapless from 1.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnQinhe } from '../../helpers/cli.js';
import { findMosquitto } from '../../../runtime/demo/broker.js';

const KINDS = ['fire-risk', 'smoke', 'falling-object', 'intrusion', 'tamper', 'panic', 'device-offline'];
const DURATION_S = 55;

interface Ev { seq: number; event: string; kind: string; device: { id: string } }

describe.skipIf(!findMosquitto())('qinhe demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qinhe-demo-'));
  let client: MqttClient | undefined;
  afterAll(async () => {
    await new Promise<void>((r) => (client ? client.end(true, {}, () => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends incidents of every kind within a minute, with gapless seq', async () => {
    const child = spawnQinhe(['demo', '--duration', String(DURATION_S), '--devices', '80', '--data-dir', dir, '--display', 'plain',
      '--estate', 'caima', '--box', 'ci-01', '--log-level', 'warn']);
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => { stderr += c.toString(); });
    const events: Ev[] = [];
    const brokerUrl = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no broker line from the demo:\n${stdout}\n${stderr}`)), 30_000);
      child.stdout?.on('data', (c: Buffer) => {
        stdout += c.toString();
        const m = /broker (mqtt:\/\/[^\s,]+)/.exec(stdout);
        if (m?.[1]) { clearTimeout(t); resolve(m[1]); }
      });
      child.once('exit', (code) => reject(new Error(`demo exited early (${code}):\n${stdout}\n${stderr}`)));
    });
    const c = mqtt.connect(brokerUrl, { protocolVersion: 5, clientId: `demo-smoke-${process.pid}`, clean: true });
    client = c;
    c.on('message', (topic, payload) => {
      if (topic.endsWith('/incident')) events.push(JSON.parse(payload.toString()) as Ev);
    });
    await new Promise<void>((resolve, reject) => {
      c.once('connect', () => c.subscribe('qinhe/caima/ci-01/incident', { qos: 1 }, (err) => (err ? reject(err) : resolve())));
      c.once('error', reject);
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    expect(code, `${stdout}\n${stderr}`).toBe(0);

    const kinds = new Set(events.map((e) => e.kind));
    for (const k of KINDS) expect(kinds, `kinds received: ${[...kinds].join(', ')}`).toContain(k);
    const raised = new Set(events.filter((e) => e.event === 'raised').map((e) => e.kind));
    expect(raised.size).toBeGreaterThanOrEqual(6);

    const seqs = [...new Set(events.map((e) => e.seq))].sort((a, b) => a - b);
    expect(seqs[0]).toBe(1);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));

    expect(statSync(join(dir, 'etc', 'secrets.yaml')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'etc', 'center-key.pem')).mode & 0o777).toBe(0o600);
  }, (DURATION_S + 55) * 1000); // a bound for a loaded CI machine, not a timing assertion
});
