/**
 * Modbus requests and replies for the functions we use (Modbus Application Protocol V1.1b3, §6):
 * FC1/2 read coils/discrete inputs, FC3/4 read holding/input registers, FC5/6 write single coil/register,
 * FC15/16 write multiple coils/registers. Every reply is checked against its request: unit, function,
 * byte count and echoed address/value, because RTU frames carry no transaction id.
 */
import { QinheError } from '../../runtime/core/errors.js';
import { withCrc } from './crc.js';

export type ReadFc = 1 | 2 | 3 | 4;
export type ModbusRequest =
  | { unit: number; fc: ReadFc; address: number; count: number }
  | { unit: number; fc: 5; address: number; value: boolean }
  | { unit: number; fc: 6; address: number; value: number }
  | { unit: number; fc: 15; address: number; values: boolean[] }
  | { unit: number; fc: 16; address: number; values: number[] };

export type ModbusReply = { kind: 'bits'; values: boolean[] } | { kind: 'registers'; values: number[] } | { kind: 'written' };

/** Spec limits per request (§6.1–6.4, 6.11, 6.12). */
export const MAX_READ_BITS = 2000;
export const MAX_READ_REGISTERS = 125;

export const EXCEPTION_NAMES: Record<number, string> = {
  1: 'illegal function', 2: 'illegal data address', 3: 'illegal data value', 4: 'server device failure',
  5: 'acknowledge', 6: 'server device busy', 8: 'memory parity error', 10: 'gateway path unavailable',
  11: 'gateway target failed to respond',
};

export function describeRequest(req: ModbusRequest): string {
  const n = 'count' in req ? req.count : 'values' in req ? req.values.length : 1;
  return `unit ${req.unit} FC${req.fc} @${req.address}${n > 1 ? `×${n}` : ''}`;
}

export function encodeRequest(req: ModbusRequest): Buffer {
  validate(req);
  const head = [req.unit, req.fc, req.address >> 8, req.address & 0xff];
  switch (req.fc) {
    case 1: case 2: case 3: case 4:
      return withCrc(Uint8Array.from([...head, req.count >> 8, req.count & 0xff]));
    case 5:
      return withCrc(Uint8Array.from([...head, req.value ? 0xff : 0x00, 0x00]));
    case 6:
      return withCrc(Uint8Array.from([...head, (req.value >> 8) & 0xff, req.value & 0xff]));
    case 15: {
      const bytes = packBits(req.values);
      return withCrc(Uint8Array.from([...head, req.values.length >> 8, req.values.length & 0xff, bytes.length, ...bytes]));
    }
    case 16: {
      const data = req.values.flatMap((v) => [(v >> 8) & 0xff, v & 0xff]);
      return withCrc(Uint8Array.from([...head, req.values.length >> 8, req.values.length & 0xff, data.length, ...data]));
    }
  }
}

function validate(req: ModbusRequest): void {
  const bad = (why: string): never => { throw new QinheError('QH_USAGE', `bad Modbus request (${describeRequest(req)}): ${why}`); };
  if (!Number.isInteger(req.unit) || req.unit < 0 || req.unit > 247) bad('unit must be 0–247');
  if (!Number.isInteger(req.address) || req.address < 0 || req.address > 0xffff) bad('address must be 0–65535');
  if ('count' in req) {
    const max = req.fc <= 2 ? MAX_READ_BITS : MAX_READ_REGISTERS;
    if (!Number.isInteger(req.count) || req.count < 1 || req.count > max) bad(`count must be 1–${max}`);
    if (req.address + req.count > 0x10000) bad('range passes 65535');
  }
  if (req.fc === 6 && (!Number.isInteger(req.value) || req.value < 0 || req.value > 0xffff)) bad('value must be 0–65535');
  if (req.fc === 15 && (req.values.length < 1 || req.values.length > 1968)) bad('1–1968 coils');
  if (req.fc === 16 && (req.values.length < 1 || req.values.length > 123)) bad('1–123 registers');
  if (req.fc === 16 && req.values.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffff)) bad('values must be 0–65535');
}

/** Length of the normal (non-exception) reply frame, CRC included. */
export function replyLength(req: ModbusRequest): number {
  if ('count' in req) return 5 + (req.fc <= 2 ? Math.ceil(req.count / 8) : req.count * 2);
  return 8;
}

/**
 * Checks a CRC-valid reply frame against its request and decodes it. Throws QH_MODBUS_EXCEPTION for an
 * exception reply, QH_MODBUS_BAD_REPLY for any mismatch (a stale or foreign frame).
 */
export function decodeReply(req: ModbusRequest, frame: Buffer): ModbusReply {
  const what = describeRequest(req);
  const mismatch = (why: string): never => {
    throw new QinheError('QH_MODBUS_BAD_REPLY', `${what}: ${why}`, { details: { frame: frame.toString('hex') } });
  };
  if (frame[0] !== req.unit) mismatch(`reply from unit ${frame[0]}`);
  const fc = frame[1] ?? 0;
  if (fc === (req.fc | 0x80) && frame.length === 5) {
    const code = frame[2] ?? 0;
    throw new QinheError('QH_MODBUS_EXCEPTION', `${what}: exception ${code} (${EXCEPTION_NAMES[code] ?? 'unknown'})`, {
      details: { unit: req.unit, fc: req.fc, exceptionCode: code },
    });
  }
  if (fc !== req.fc) mismatch(`reply has function ${fc}`);
  if (frame.length !== replyLength(req)) mismatch(`reply is ${frame.length} bytes, expected ${replyLength(req)}`);
  if ('count' in req) {
    if (frame[2] !== frame.length - 5) mismatch(`byte count ${frame[2]} does not match the frame`);
    if (req.fc <= 2) return { kind: 'bits', values: unpackBits(frame.subarray(3, frame.length - 2), req.count) };
    const values: number[] = [];
    for (let i = 0; i < req.count; i++) values.push(frame.readUInt16BE(3 + i * 2));
    return { kind: 'registers', values };
  }
  const echoAddress = frame.readUInt16BE(2);
  const echoValue = frame.readUInt16BE(4);
  if (echoAddress !== req.address) mismatch(`echoed address ${echoAddress}`);
  const expected = req.fc === 5 ? (req.value ? 0xff00 : 0) : req.fc === 6 ? req.value : req.values.length;
  if (echoValue !== expected) mismatch(`echoed ${req.fc === 5 || req.fc === 6 ? 'value' : 'quantity'} ${echoValue}, expected ${expected}`);
  return { kind: 'written' };
}

export function packBits(values: boolean[]): number[] {
  const bytes = new Array<number>(Math.ceil(values.length / 8)).fill(0);
  values.forEach((v, i) => { if (v) bytes[i >> 3] = (bytes[i >> 3] ?? 0) | (1 << (i & 7)); });
  return bytes;
}

export function unpackBits(bytes: Uint8Array, count: number): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < count; i++) out.push((((bytes[i >> 3] ?? 0) >> (i & 7)) & 1) === 1);
  return out;
}
