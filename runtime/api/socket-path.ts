/**
 * Where the local API socket is. One rule for the daemon and the CLI: config `api.socket`, else
 * /run/qinhe/api.sock (systemd RuntimeDirectory=qinhe). The demo has no /run/qinhe of its own, so it keeps
 * its socket in its data directory.
 */
import { join } from 'node:path';

export const DEFAULT_SOCKET = '/run/qinhe/api.sock';
export const DEFAULT_CONFIG = '/etc/qinhe/qinhe.yaml';

/** The daemon's socket for a loaded config. */
export function apiSocketPath(config: { api?: { socket?: string | undefined } }): string {
  return config.api?.socket ?? DEFAULT_SOCKET;
}

/** The demo's socket: inside its data directory (in a `run/` subdirectory of mode 0750). */
export function demoSocketPath(dataDir: string): string {
  return join(dataDir, 'run', 'api.sock');
}
