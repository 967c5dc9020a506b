/** A test-side MQTT client that records what the box publishes (the "center"). */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface Seen {
  topic: string;
  payload: Buffer;
  retain: boolean;
  properties: Record<string, unknown> | undefined;
}

export class Observer {
  readonly seen: Seen[] = [];
  private waiters: Array<{ pred: () => boolean; resolve: () => void }> = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.seen.push({ topic, payload, retain: packet.retain, properties: packet.properties as Record<string, unknown> | undefined });
      this.waiters = this.waiters.filter((w) => (w.pred() ? (w.resolve(), false) : true));
    });
  }

  static async connect(url: string, filter = 'qinhe/#', extra: IClientOptions = {}): Promise<Observer> {
    const client = mqtt.connect(url, { protocolVersion: 5, clientId: `observer-${Math.random().toString(16).slice(2)}`, reconnectPeriod: 200, ...extra });
    await new Promise<void>((resolve, reject) => { client.once('connect', () => resolve()); client.once('error', reject); });
    await client.subscribeAsync(filter, { qos: 1 });
    return new Observer(client);
  }

  private readonly parsed = new WeakMap<Seen, Record<string, unknown>>();

  /** Payloads (parsed once) of the messages whose topic ends with `topicSuffix`, in arrival order. */
  json(topicSuffix: string): Array<Record<string, unknown>> {
    return this.seen.filter((s) => s.topic.endsWith(topicSuffix)).map((s) => {
      let p = this.parsed.get(s);
      if (!p) {
        p = JSON.parse(s.payload.toString()) as Record<string, unknown>;
        this.parsed.set(s, p);
      }
      return p;
    });
  }

  count(topicSuffix: string): number {
    let n = 0;
    for (const s of this.seen) if (s.topic.endsWith(topicSuffix)) n += 1;
    return n;
  }

  /** Waits until pred() holds (checked on each message), failing after timeoutMs with `what`. */
  until(pred: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.waiters.push({ pred, resolve: () => { clearTimeout(t); resolve(); } });
    });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** Polls pred() every 20 ms until it holds, failing after timeoutMs with `what`. */
export async function waitFor(pred: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
