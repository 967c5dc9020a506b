/**
 * CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF), sent low byte first.
 * Modbus over Serial Line V1.02, §2.5.1.2 and Appendix B. Table-driven; the table is built once per import.
 */
const TABLE = buildTable();

function buildTable(): Uint16Array {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    table[n] = c;
  }
  return table;
}

export function crc16(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ (TABLE[(crc ^ (data[i] ?? 0)) & 0xff] ?? 0);
  return crc;
}

/** Appends the CRC (low byte first) to a frame body. */
export function withCrc(body: Uint8Array): Buffer {
  const out = Buffer.alloc(body.length + 2);
  out.set(body);
  out.writeUInt16LE(crc16(body), body.length);
  return out;
}

/** True when the last two bytes of `frame[start, end)` are the CRC of the bytes before them. */
export function crcOk(frame: Uint8Array, start = 0, end = frame.length): boolean {
  if (end - start < 4) return false;
  const crc = crc16(frame, start, end - 2);
  return (frame[end - 2] ?? -1) === (crc & 0xff) && (frame[end - 1] ?? -1) === crc >>> 8;
}
