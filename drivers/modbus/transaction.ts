/**
 * One request/reply exchange on a line whose input the caller has already flushed. The reply must come from
 * the awaited unit and function and match the request (pdu.decodeReply); a CRC-failed frame ends the exchange
 * at once (QH_MODBUS_CRC) rather than waiting for the timeout.
 */
import { QinheError } from '../../runtime/core/errors.js';
import { decodeReply, describeRequest, encodeRequest, replyLength, type ModbusReply, type ModbusRequest } from './pdu.js';
import type { RtuFramer } from './rtu-framer.js';

export interface Exchange {
  /** Feed received bytes; returns the number of bytes discarded as garbage. */
  push(chunk: Buffer): number;
  readonly done: Promise<ModbusReply>;
  /** Ends the exchange early (link lost, stop). */
  abort(err: Error): void;
}

export function startExchange(args: {
  req: ModbusRequest;
  framer: RtuFramer;
  /** Send the frame; resolves when it has left. */
  send(frame: Buffer): Promise<void>;
  /** Reply timeout in ms, counted from the end of the send. */
  timeoutMs(replyBytes: number): number;
}): Exchange {
  const { req, framer } = args;
  framer.reset();
  framer.expect = { unit: req.unit, fc: req.fc };
  let settle: { resolve(r: ModbusReply): void; reject(e: unknown): void } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let finished = false;
  const done = new Promise<ModbusReply>((resolve, reject) => { settle = { resolve, reject }; });
  const finish = (fn: () => void): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    framer.expect = undefined;
    fn();
  };
  const fail = (err: unknown): void => finish(() => settle?.reject(err));

  const frame = encodeRequest(req);
  args.send(frame).then(() => {
    if (finished) return;
    const ms = args.timeoutMs(replyLength(req));
    timer = setTimeout(() => fail(new QinheError('QH_MODBUS_TIMEOUT',
      `${describeRequest(req)}: no reply within ${Math.round(ms)} ms`)), ms);
  }, fail);

  return {
    done,
    abort: fail,
    push(chunk: Buffer): number {
      if (finished) return chunk.length;
      let discarded = 0;
      for (const ev of framer.push(chunk)) {
        if (finished) { discarded += ev.kind === 'garbage' ? ev.bytes.length : ev.frame.length; continue; }
        if (ev.kind === 'garbage') discarded += ev.bytes.length;
        else if (ev.kind === 'crc-error') {
          fail(new QinheError('QH_MODBUS_CRC', `${describeRequest(req)}: reply failed its CRC`, { details: { frame: ev.frame.toString('hex') } }));
        } else {
          try {
            const reply = decodeReply(req, ev.frame);
            finish(() => settle?.resolve(reply));
          } catch (err) {
            fail(err);
          }
        }
      }
      return discarded;
    },
  };
}
