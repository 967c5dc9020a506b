/**
 * Whether the simulated RS-485 lines can be PTY pairs (tests/simulators/modbus/pty-pair.ts runs socat);
 * without socat the estate joins the box and the simulators with in-memory links instead.
 */
import { spawnSync } from 'node:child_process';

export function socatAvailable(bin = process.env.SOCAT_BIN ?? 'socat'): boolean {
  const r = spawnSync(bin, ['-V'], { stdio: 'ignore' });
  return r.status === 0;
}
