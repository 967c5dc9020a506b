/** RTU character timing (Modbus over Serial Line V1.02, §2.5.1.1). */
import type { LinkOptions } from '../transport/types.js';

/** Bits on the wire per character: start + data + parity + stop. */
export function bitsPerChar(link: Pick<LinkOptions, 'dataBits' | 'parity' | 'stopBits'>): number {
  return 1 + link.dataBits + (link.parity === 'none' ? 0 : 1) + link.stopBits;
}

/** The 3.5-character silence that ends a frame; fixed at 1.75 ms above 19200 bit/s (§2.5.1.1, note). */
export function silenceMs(link: Pick<LinkOptions, 'baud' | 'dataBits' | 'parity' | 'stopBits'>): number {
  if (link.baud > 19200) return 1.75;
  return (3.5 * bitsPerChar(link) * 1000) / link.baud;
}

/** Time to send `bytes` characters. */
export function wireMs(bytes: number, link: Pick<LinkOptions, 'baud' | 'dataBits' | 'parity' | 'stopBits'>): number {
  return (bytes * bitsPerChar(link) * 1000) / link.baud;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) { resolve(); return; }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

const parked = new Int32Array(new SharedArrayBuffer(4));

/**
 * Blocks the thread for `ms` (< 1): the sub-millisecond rest of a wait that setTimeout cannot time, because
 * libuv timers tick in whole milliseconds (a 4.01 ms wait would last 5). Atomics.wait sleeps in the kernel
 * (a futex with a timeout), so it costs no CPU; callers keep it under a millisecond.
 */
export function blockBriefly(ms: number): void {
  if (ms > 0) Atomics.wait(parked, 0, 0, Math.min(ms, 1));
}

/** `12.3s`, `4m12s`, `2h5m`: for "recovered after …" log lines. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds * 10) / 10}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${Math.round(seconds - m * 60)}s`;
  return `${Math.floor(m / 60)}h${m % 60}m`;
}
