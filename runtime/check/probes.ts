/** The real probes of `qinhe check`: file system, child processes, TCP and TLS, statfs. */
import { execFile } from 'node:child_process';
import { constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { open, statfs } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { loadBoxConfig } from '../../config/load.js';
import type { CheckProbes, CommandOutput } from './types.js';

export function systemProbes(env: NodeJS.ProcessEnv = process.env): CheckProbes {
  return {
    env,
    loadConfig: (file) => loadBoxConfig(file, { env }),
    readText: (file) => readFileSync(file, 'utf8'),
    mode: (file) => {
      try {
        return statSync(file).mode & 0o7777;
      } catch {
        return undefined;
      }
    },
    exists: (p) => existsSync(p),
    listDir: (dir) => {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    },
    openSerial: async (path) => {
      const fh = await open(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
      await fh.close();
    },
    run: (cmd, args, timeoutMs) => new Promise<CommandOutput>((resolve) => {
      execFile(cmd, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: string | number }) | null;
        if (e && typeof e.code === 'string') return resolve({ code: null, stdout, stderr, error: e.code });
        if (e?.killed) return resolve({ code: null, stdout, stderr, error: 'TIMEOUT' });
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr });
      });
    }),
    which: (cmd) => {
      for (const dir of (env.PATH ?? '').split(delimiter)) {
        if (!dir) continue;
        const p = join(dir, cmd);
        try {
          if (statSync(p).isFile()) return p;
        } catch {
          // not here
        }
      }
      return undefined;
    },
    tcpConnect: (host, port, timeoutMs) => new Promise<void>((resolve, reject) => {
      const s = netConnect({ host, port });
      const timer = setTimeout(() => s.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
      s.once('connect', () => { clearTimeout(timer); s.destroy(); resolve(); });
      s.once('error', (err) => { clearTimeout(timer); reject(err); });
    }),
    tlsHandshake: (o, timeoutMs) => new Promise((resolve) => {
      const s = tlsConnect({ host: o.host, port: o.port, servername: o.host, rejectUnauthorized: false, ...(o.ca ? { ca: o.ca } : {}), ...(o.cert ? { cert: o.cert } : {}), ...(o.key ? { key: o.key } : {}) });
      const timer = setTimeout(() => { s.destroy(); resolve({ authorized: false, error: `TLS handshake not done within ${timeoutMs} ms` }); }, timeoutMs);
      s.once('secureConnect', () => {
        clearTimeout(timer);
        const out = { authorized: s.authorized, ...(s.authorized ? {} : { error: String(s.authorizationError ?? 'certificate not trusted') }) };
        s.end();
        resolve(out);
      });
      s.once('error', (err) => { clearTimeout(timer); resolve({ authorized: false, error: (err as NodeJS.ErrnoException).code ?? err.message }); });
    }),
    diskSpace: async (path) => {
      let p = path;
      while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
      const s = await statfs(p);
      return { free: s.bavail * s.bsize, total: s.blocks * s.bsize };
    },
  };
}
