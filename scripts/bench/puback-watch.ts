/**
 * Times PUBACKs of chosen outbox rows without touching runtime code: the uplink's drain reads rows with
 * `peek` and deletes each with `ack` when its PUBACK arrives, so wrapping those two methods of the box's own
 * Outbox instance shows the moment a given incident event was acknowledged by the broker. Bench only.
 */
import type { Outbox, OutboxRow } from '../../runtime/store/index.js';

export function watchPubacks(outbox: Outbox, match: (row: OutboxRow) => boolean, onAck: (atMs: number) => void): () => void {
  const peek = outbox.peek.bind(outbox);
  const ack = outbox.ack.bind(outbox);
  const watched = new Set<number>();
  outbox.peek = (limit, skip) => {
    const rows = peek(limit, skip);
    for (const r of rows) if (match(r)) watched.add(r.id);
    return rows;
  };
  outbox.ack = (id) => {
    if (watched.delete(id)) onAck(performance.now());
    ack(id);
  };
  return () => {
    outbox.peek = peek;
    outbox.ack = ack;
  };
}

/** A row carrying the `raised` event of an incident on this device. */
export function isRaisedOf(row: OutboxRow, deviceId: string): boolean {
  if (row.topic !== 'incident' || !row.json) return false;
  try {
    const ev = JSON.parse(row.payload.toString('utf8')) as { event?: string; device?: { id?: string } };
    return ev.event === 'raised' && ev.device?.id === deviceId;
  } catch {
    return false;
  }
}
