/**
 * `qinhe check`: a preflight in the spirit of `iotedge check`. Each check is a small function taking a
 * CheckContext whose probes (file system, processes, network) are injectable, so a test can make each one fail.
 */
import type { LoadResult } from '../../config/load.js';
import type { BoxConfig } from '../../config/schema.js';

export type CheckStatus = 'ok' | 'fail' | 'warn';

export interface CheckResult {
  /** Stable id (`config`, `secrets`, `serial:rs485-0`, `gpio`, `ffmpeg`, `broker`, `clock`, `disk`). */
  id: string;
  status: CheckStatus;
  /** One line for people: what was found. */
  message: string;
  /** What to do about it (fail and warn only). */
  hint?: string;
}

export interface CommandOutput {
  code: number | null;
  stdout: string;
  stderr: string;
  /** spawn error code (ENOENT when the program is missing), or TIMEOUT */
  error?: string;
}

export interface TlsOutcome {
  authorized: boolean;
  /** certificate or handshake error */
  error?: string;
}

export interface CheckProbes {
  loadConfig(file: string): LoadResult;
  readText(file: string): string;
  /** stat: permission bits and whether it exists */
  mode(file: string): number | undefined;
  exists(path: string): boolean;
  listDir(dir: string): string[];
  /** Opens O_RDWR|O_NOCTTY|O_NONBLOCK and closes again; rejects with the errno error. */
  openSerial(path: string): Promise<void>;
  run(cmd: string, args: string[], timeoutMs: number): Promise<CommandOutput>;
  /** Which PATH entry holds `cmd`, if any. */
  which(cmd: string): string | undefined;
  tcpConnect(host: string, port: number, timeoutMs: number): Promise<void>;
  tlsHandshake(opts: { host: string; port: number; ca?: string; cert?: string; key?: string }, timeoutMs: number): Promise<TlsOutcome>;
  /** Free and total bytes of the file system holding `path` (its nearest existing parent). */
  diskSpace(path: string): Promise<{ free: number; total: number }>;
  env: NodeJS.ProcessEnv;
}

export interface CheckContext {
  configFile: string;
  probes: CheckProbes;
  /** The fully loaded config (profiles, secrets) when it is valid. */
  loaded?: Extract<LoadResult, { ok: true }>['loaded'];
  /** The config as far as its own schema goes, for the hardware checks even when profiles or secrets fail. */
  config?: BoxConfig;
  timeoutMs: number;
}

export type Check = (ctx: CheckContext) => Promise<CheckResult[]>;

export const ok = (id: string, message: string): CheckResult => ({ id, status: 'ok', message });
export const fail = (id: string, message: string, hint: string): CheckResult => ({ id, status: 'fail', message, hint });
export const warn = (id: string, message: string, hint: string): CheckResult => ({ id, status: 'warn', message, hint });
