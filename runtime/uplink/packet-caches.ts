/**
 * mqtt-packet (mqtt.js's encoder) keeps two process-wide caches of tiny Buffers, both carved from Node's shared
 * Buffer pool (Buffer.allocUnsafe), where a slice keeps its whole pool block (Buffer.poolSize: 8 KiB on Node 20,
 * 64 KiB on Node 24) alive:
 *
 * - the number cache: 65,536 two-byte Buffers built on the first packet (~6 MB of heap for the Buffer objects).
 *   Off here (mqtt.js's `writeCache: false` does the same): a packet id costs one small allocation per packet.
 * - the remaining-length cache (`varByteIntCache`): a Buffer per distinct packet length below 16,384, added the
 *   first time that length is written, never evicted. Lengths arrive one by one between other allocations, so
 *   an entry can pin a pool block of its own: at worst 128 MB on Node 20 and 1 GB on Node 24, growing for as long
 *   as new lengths turn up (3,000 incident-sized lengths between other traffic: 24 MB on Node 20, 30 MB on 24).
 *   Our 45-min soak found it as the largest growth after warm-up (183 pool blocks pinned, +1.4 MB).
 *   mqttjs/mqtt-packet#163.
 *   There is no switch for it; `settleMqttPacketCaches` fills it once, all lengths in one tight loop, so the
 *   entries pack densely into a few blocks (~256 KiB) and nothing is added later.
 */
import { createRequire } from 'node:module';

interface WriteToStream {
  (packet: Record<string, unknown>, stream: { write(chunk: unknown): boolean }, opts?: { protocolVersion?: number }): boolean;
  cacheNumbers: boolean;
}

/** Lengths below this are cached by mqtt-packet (writeToStream.js). */
export const VAR_BYTE_INT_CACHED = 16_384;

let settled = false;

/** The mqtt-packet instance mqtt.js itself loads (resolved from mqtt's own location). */
export function mqttPacketWriter(): WriteToStream {
  const fromHere = createRequire(import.meta.url);
  const fromMqtt = createRequire(fromHere.resolve('mqtt'));
  return (fromMqtt('mqtt-packet') as { writeToStream: WriteToStream }).writeToStream;
}

/** Turns the number cache off and fills the remaining-length cache densely; once per process. */
export function settleMqttPacketCaches(): void {
  if (settled) return;
  settled = true;
  const writeToStream = mqttPacketWriter();
  writeToStream.cacheNumbers = false;
  const sink = { write: () => true };
  // Remaining length 0 (PINGREQ), 2 (a v3.1.1 PUBACK), then 3 + n for a v3.1.1 QoS 0 PUBLISH on topic "q" with n
  // payload bytes. Length 1 (a v5 DISCONNECT with a reason only) stays lazy: one block at most.
  writeToStream({ cmd: 'pingreq' }, sink);
  writeToStream({ cmd: 'puback', messageId: 1 }, sink, { protocolVersion: 4 });
  const payload = Buffer.alloc(VAR_BYTE_INT_CACHED);
  for (let n = 0; n + 3 < VAR_BYTE_INT_CACHED; n++) {
    writeToStream({ cmd: 'publish', topic: 'q', payload: payload.subarray(0, n), qos: 0, retain: false, dup: false }, sink, { protocolVersion: 4 });
  }
}
