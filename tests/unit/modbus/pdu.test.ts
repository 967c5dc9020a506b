import { describe, expect, it } from 'vitest';
import { isQinheError } from '../../../runtime/core/errors.js';
import { withCrc } from '../../../drivers/modbus/crc.js';
import { decodeReply, encodeRequest, packBits, replyLength, unpackBits } from '../../../drivers/modbus/pdu.js';

function thrownCode(fn: () => unknown): string | undefined {
  try { fn(); } catch (err) { return isQinheError(err) ? err.code : 'other'; }
  return undefined;
}

describe('Modbus PDUs', () => {
  it('encodes the spec example read request', () => {
    expect(encodeRequest({ unit: 0x11, fc: 3, address: 0x6b, count: 3 }).toString('hex')).toBe('1103006b00037687');
  });

  it('encodes FC5 on as FF00 and FC15 bits LSB first', () => {
    expect(encodeRequest({ unit: 1, fc: 5, address: 2, value: true }).subarray(0, 6).toString('hex')).toBe('01050002ff00');
    expect(encodeRequest({ unit: 1, fc: 15, address: 0, values: [true, false, true, true, false, false, false, false, true] })
      .subarray(0, 9).toString('hex')).toBe('010f0000000902' + '0d01');
  });

  it('decodes registers and bits from a matching reply', () => {
    const regs = withCrc(Uint8Array.from([4, 4, 4, 0x12, 0x34, 0xff, 0xfe]));
    expect(decodeReply({ unit: 4, fc: 4, address: 0, count: 2 }, regs)).toEqual({ kind: 'registers', values: [0x1234, 0xfffe] });
    const bits = withCrc(Uint8Array.from([4, 2, 1, 0b101]));
    expect(decodeReply({ unit: 4, fc: 2, address: 0, count: 3 }, bits)).toEqual({ kind: 'bits', values: [true, false, true] });
  });

  it('rejects a reply from another unit, with another function, or of another length', () => {
    const req = { unit: 4, fc: 3, address: 0, count: 2 } as const;
    expect(thrownCode(() => decodeReply(req, withCrc(Uint8Array.from([5, 3, 4, 0, 1, 0, 2]))))).toBe('QH_MODBUS_BAD_REPLY');
    expect(thrownCode(() => decodeReply(req, withCrc(Uint8Array.from([4, 4, 4, 0, 1, 0, 2]))))).toBe('QH_MODBUS_BAD_REPLY');
    expect(thrownCode(() => decodeReply(req, withCrc(Uint8Array.from([4, 3, 2, 0, 1]))))).toBe('QH_MODBUS_BAD_REPLY');
    expect(replyLength(req)).toBe(9);
  });

  it('rejects a write echo with the wrong address or value', () => {
    const req = { unit: 2, fc: 6, address: 10, value: 500 } as const;
    expect(decodeReply(req, encodeRequest(req))).toEqual({ kind: 'written' });
    expect(thrownCode(() => decodeReply(req, encodeRequest({ ...req, value: 501 })))).toBe('QH_MODBUS_BAD_REPLY');
    expect(thrownCode(() => decodeReply(req, encodeRequest({ ...req, address: 11 })))).toBe('QH_MODBUS_BAD_REPLY');
  });

  it('turns an exception reply into QH_MODBUS_EXCEPTION with its code', () => {
    try {
      decodeReply({ unit: 9, fc: 3, address: 0, count: 1 }, withCrc(Uint8Array.from([9, 0x83, 2])));
      expect.unreachable();
    } catch (err) {
      expect(isQinheError(err, 'QH_MODBUS_EXCEPTION')).toBe(true);
      expect((err as { details?: { exceptionCode?: number } }).details?.exceptionCode).toBe(2);
    }
  });

  it('refuses requests outside the spec limits', () => {
    expect(thrownCode(() => encodeRequest({ unit: 1, fc: 3, address: 0, count: 126 }))).toBe('QH_USAGE');
    expect(thrownCode(() => encodeRequest({ unit: 1, fc: 6, address: 0, value: 70000 }))).toBe('QH_USAGE');
  });

  it('packs and unpacks bits symmetrically', () => {
    const bits = [true, false, false, true, true, false, true, false, true, true];
    expect(unpackBits(Uint8Array.from(packBits(bits)), bits.length)).toEqual(bits);
  });
});
