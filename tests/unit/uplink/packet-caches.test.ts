import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { mqttPacketWriter, settleMqttPacketCaches } from '../../../runtime/uplink/packet-caches.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** ArrayBuffer bytes still held after a full GC. */
function heldArrayBuffers(): number {
  gc();
  gc();
  return process.memoryUsage().arrayBuffers;
}

describe("mqtt-packet's process-wide caches (mqttjs/mqtt-packet#163)", () => {
  it('after settling, packets of 3,000 new lengths between other allocations pin no Buffer pool blocks', () => {
    settleMqttPacketCaches();
    const writeToStream = mqttPacketWriter();
    expect(writeToStream.cacheNumbers).toBe(false);
    const sink = { write: () => true };
    const before = heldArrayBuffers();
    for (let i = 0; i < 3000; i++) {
      // An incident-sized v5 QoS 1 PUBLISH of a length not seen before, then other traffic moves the pool on.
      writeToStream({ cmd: 'publish', topic: 'qinhe/caima/box-1/incident', payload: Buffer.alloc(400 + i), qos: 1,
        messageId: i + 1, retain: false, dup: false }, sink, { protocolVersion: 5 });
      for (let k = 0; k < 100; k++) Buffer.allocUnsafe(100);
    }
    // Unsettled, each new length pins one pool block: 3,000 × Buffer.poolSize (~23 MB on Node 20, ~190 MB on 24).
    expect(heldArrayBuffers() - before).toBeLessThan(3000 * Buffer.poolSize * 0.05);
  });
});
