/**
 * The MQTT uplink of contract v1 (../../shared/spec/upstream-v1.md).
 *
 *   start() ─► connect ──CONNACK──► subscribe R/cmd/+ ─► R/state online (retained) ─► Drainer.attach
 *                 ▲                                                                      │ close/error
 *                 └──── reconnectDelay(attempt) (full or equal jitter; injectable random+timers) ◄┘
 *   stop()  ─► R/state stopped (retained, waits for PUBACK up to 5 s) ─► DISCONNECT (no will)
 *
 * - Own reconnect loop (mqtt.js reconnectPeriod: 0): a fresh client per attempt, so no message is ever
 *   queued inside mqtt.js; everything waits in the durable outbox and the drain reads it again.
 * - Persistent session (clean: false, 24 h expiry) so commands sent while the box was away still arrive;
 *   duplicates are harmless (the dispatcher's replay table).
 * - R/state is session state, not an outbox message: published directly on every (re)connect.
 * - Everything else comes from the outbox through the Drainer (drain.ts: pacing, window, what `buffered` means).
 * - The reconnect attempt counter resets on CONNACK, so after each loss the first retry is again 0–5 s.
 * - At most `retriesPerHour` connection attempts in any rolling hour (RetryBudget, backoff.ts).
 * - A half-open link (no FIN, no RST) is declared dead after 1.25 × keepalive without a packet from the broker
 *   (Liveness, liveness.ts; fault item 8) and handled like any other loss: the outbox keeps everything.
 */
import mqtt, { type IConnackPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { BoxConfig } from '../../config/schema.js';
import { systemClock, type Clock } from '../../drivers/types.js';
import { isoTime } from '../core/contract.js';
import { errorMessage } from '../core/errors.js';
import type { Outbox } from '../store/index.js';
import { reconnectDelay, RetryBudget, systemTimers, type Timers } from './backoff.js';
import { Drainer } from './drain.js';
import { Liveness } from './liveness.js';
import { checkTransport, connectOptions, STATE_STOPPED, topicRoot } from './options.js';
import { settleMqttPacketCaches } from './packet-caches.js';

const DEFAULT_WINDOW = 1000;

export interface UplinkOptions {
  config: BoxConfig['uplink'];
  estate: string;
  box: string;
  secrets: { mqttPassword?: string; tlsKeyPem?: string };
  outbox: Outbox;
  logger: Logger;
  version: string;
  stateDevices: () => { total: number; online: number };
  onCommand?: (name: string, payload: Buffer) => void;
  onConnectionChange?: (e: { connected: boolean; reason?: string }) => void;
  clock?: Clock;
  timers?: Timers;
  random?: () => number;
  /**
   * Unacknowledged publishes at most, also capped by the broker's receiveMaximum (CONNACK; mosquitto advertises
   * its max_inflight_messages, default 20; absent means 65,535 in MQTT 5). Default 1000: with 20, a paced drain
   * at 10,000/s stalls on PUBACK round trips (measured 6,700–7,800/s against a broker that allows more).
   */
  window?: number;
  /** An incident event published later than this after its append counts as buffered. Default 2000 ms. */
  bufferedAfterMs?: number;
  connectTimeoutMs?: number;
}

export class Uplink {
  readonly root: string;
  readonly clientId: string;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly drainer: Drainer;
  private client: MqttClient | null = null;
  private connected = false;
  private started = false;
  private stopping: Promise<void> | null = null;
  private attempt = 0;
  private readonly budget: RetryBudget;
  private retryTimer: unknown = null;
  private liveness: Liveness | null = null;
  private startedAt = '';
  private lastError = '';

  constructor(private readonly o: UplinkOptions) {
    this.root = topicRoot(o.config.prefix, o.estate, o.box);
    this.clientId = `qinhe-${o.estate}-${o.box}`;
    this.logger = o.logger.child({ component: 'uplink', broker: o.config.url.replace(/\/\/[^@/]*@/, '//') });
    this.clock = o.clock ?? systemClock;
    this.timers = o.timers ?? systemTimers;
    this.random = o.random ?? Math.random;
    this.budget = new RetryBudget(o.config.retriesPerHour);
    this.drainer = new Drainer({ outbox: o.outbox, logger: this.logger, clock: this.clock, timers: this.timers, root: this.root,
      drainPerS: o.config.drainPerS, window: o.window ?? DEFAULT_WINDOW, bufferedAfterMs: o.bufferedAfterMs ?? 2000 });
  }

  isConnected(): boolean {
    return this.connected;
  }

  counters(): ReturnType<Drainer['counters']> & { attempt: number } {
    return { ...this.drainer.counters(), attempt: this.attempt };
  }

  /** Validates the transport (throws QH_UPLINK_TLS) and connects; never waits for the broker. */
  async start(): Promise<void> {
    if (this.started) return;
    checkTransport(this.o.config);
    connectOptions(this.params()); // reads the TLS files now, so a missing file fails start()
    settleMqttPacketCaches(); // before the first packet: mqtt-packet's caches would otherwise pin memory for good
    this.started = true;
    this.stopping = null;
    this.startedAt = isoTime(this.clock.now());
    this.connect();
  }

  private params() {
    return { config: this.o.config, clientId: this.clientId, root: this.root, secrets: this.o.secrets,
      connectTimeoutMs: this.o.connectTimeoutMs ?? 10_000 };
  }

  private connect(): void {
    this.retryTimer = null;
    if (!this.started || this.stopping) return;
    this.budget.record(this.clock.mono());
    let client: MqttClient;
    try {
      client = mqtt.connect(this.o.config.url, connectOptions(this.params()));
    } catch (err) {
      this.logger.error({ err }, 'uplink connect failed');
      this.scheduleRetry();
      return;
    }
    this.client = client;
    client.on('connect', (connack: IConnackPacket) => this.onConnected(client, connack));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('packetreceive', () => {
      if (client === this.client) this.liveness?.received();
    });
    client.on('error', (err) => {
      const msg = errorMessage(err);
      if (msg !== this.lastError) this.logger.warn({ err: msg }, 'uplink error');
      this.lastError = msg;
    });
    client.on('close', () => this.onClosed(client));
  }

  private onConnected(client: MqttClient, connack: IConnackPacket): void {
    if (client !== this.client) return;
    this.attempt = 0;
    this.connected = true;
    this.lastError = '';
    this.logger.info({ sessionPresent: connack.sessionPresent }, 'uplink connected');
    // The broker's Server Keep Alive replaces ours (MQTT 5 §3.2.2.3.14); 0 or absent leaves ours, as in mqtt.js.
    this.watch(client, connack.properties?.serverKeepAlive || this.o.config.keepaliveS);
    client.subscribe(`${this.root}/cmd/+`, { qos: 1 }, (err) => {
      if (err) this.logger.error({ err }, 'subscribing to commands failed');
    });
    let devices = { total: 0, online: 0 };
    try {
      devices = this.o.stateDevices();
    } catch (err) {
      this.logger.error({ err }, 'stateDevices provider threw');
    }
    const state = { v: 1, online: true, version: this.o.version, startedAt: this.startedAt, devices };
    client.publish(`${this.root}/state`, JSON.stringify(state), { qos: 1, retain: true });
    this.drainer.attach(client, connack.properties?.receiveMaximum);
    this.notify({ connected: true });
  }

  /** Starts the liveness watchdog of this connection (liveness.ts). */
  private watch(client: MqttClient, keepaliveS: number): void {
    this.liveness?.stop();
    this.liveness = new Liveness({
      keepaliveMs: keepaliveS * 1000, mono: () => this.clock.mono(), timers: this.timers, busy: () => this.drainer.uploading(),
      ping: () => {
        try {
          client.sendPing();
        } catch (err) {
          this.logger.debug({ err: errorMessage(err) }, 'PINGREQ not sent');
        }
      },
      dead: (silentMs) => {
        if (client !== this.client) return;
        this.lastError = `no packet from the broker for ${(silentMs / 1000).toFixed(2)} s (keepalive ${keepaliveS} s)`;
        this.onClosed(client); // the loss path: force-close the socket, keep the outbox, reconnect with backoff
      },
    });
    this.liveness.start();
  }

  private onMessage(topic: string, payload: Buffer): void {
    const prefix = `${this.root}/cmd/`;
    if (!topic.startsWith(prefix) || !this.o.onCommand) return;
    try {
      this.o.onCommand(topic.slice(prefix.length), payload);
    } catch (err) {
      this.logger.error({ err }, 'command handler threw');
    }
  }

  private onClosed(client: MqttClient): void {
    if (client !== this.client) return;
    this.client = null;
    this.liveness?.stop();
    this.liveness = null;
    this.drainer.detach();
    client.removeAllListeners('connect');
    client.removeAllListeners('message');
    client.removeAllListeners('packetreceive');
    client.end(true);
    if (this.connected) {
      this.connected = false;
      this.logger.warn({ reason: this.lastError || 'closed' }, 'uplink lost');
      this.notify({ connected: false, reason: this.lastError || 'closed' });
    }
    if (!this.stopping) this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (!this.started || this.stopping || this.retryTimer !== null) return;
    const jittered = reconnectDelay(this.attempt, {
      baseMs: this.o.config.backoffBaseMs, capMs: this.o.config.backoffCapMs, firstRetryMaxMs: this.o.config.firstRetryMaxMs,
      jitter: this.o.config.jitter ?? 'full',
    }, this.random);
    const delay = this.budget.delay(this.clock.mono(), jittered);
    this.attempt += 1;
    this.logger.debug({ delayMs: delay, attempt: this.attempt }, 'uplink reconnect scheduled');
    this.retryTimer = this.timers.setTimeout(() => this.connect(), delay);
  }

  private notify(e: { connected: boolean; reason?: string }): void {
    try {
      this.o.onConnectionChange?.(e);
    } catch (err) {
      this.logger.error({ err }, 'connection listener threw');
    }
  }

  /** Publishes `stopped` (if connected), then disconnects cleanly (the will is not sent). Idempotent. */
  stop(): Promise<void> {
    if (!this.started) return Promise.resolve();
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.liveness?.stop();
    this.liveness = null;
    const client = this.client;
    this.client = null;
    this.drainer.detach();
    if (client && this.connected) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 5_000);
        client.publish(`${this.root}/state`, STATE_STOPPED, { qos: 1, retain: true }, () => { clearTimeout(t); resolve(); });
      });
    }
    if (client) {
      // mqtt.js's clean end waits for every unacknowledged publish; a broker that stopped answering (a half-open
      // link) would hold stop() forever, so after 5 s the socket is dropped (the broker then sends the will).
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { client.stream?.destroy(); resolve(); }, 5_000);
        client.end(!this.connected, {}, () => { clearTimeout(t); resolve(); });
      });
    }
    if (this.connected) {
      this.connected = false;
      this.notify({ connected: false, reason: 'stopped' });
    }
    this.started = false;
  }
}
