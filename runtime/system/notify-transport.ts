/**
 * How sd_notify datagrams leave a Node process, which cannot open AF_UNIX SOCK_DGRAM sockets itself.
 *
 * Chosen: one long-lived python3 helper (Raspberry Pi OS ships python3) that reads one JSON string per line
 * on stdin and sends it as one datagram to NOTIFY_SOCKET (`@name` = abstract socket). It lives as long as the
 * daemon, so systemd can always attribute its datagrams to our cgroup; that needs NotifyAccess=all.
 * Fallback: `systemd-notify --pid=MAINPID VAR=...` per message. That one is racy: sd_notify(3) says a message from
 * an auxiliary process that exits at once may not be attributed to the unit and is then ignored, even with
 * NotifyAccess=all (systemd issue #2737), which is why it is second.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';

export interface NotifyTransport {
  send(message: string): void;
  close(): void;
}

const HELPER = [
  'import json, socket, sys',
  'p = sys.argv[1]',
  "a = '\\0' + p[1:] if p.startswith('@') else p",
  's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
  'while True:',
  '    line = sys.stdin.readline()',
  '    if not line:',
  '        break',
  '    try:',
  '        s.sendto(json.loads(line).encode(), a)',
  '    except Exception as e:',
  "        sys.stderr.write('sd_notify: %s\\n' % e)",
  '        sys.stderr.flush()',
].join('\n');

export function hasPython(python = 'python3'): boolean {
  const r = spawnSync(python, ['-c', 'import socket'], { stdio: 'ignore', timeout: 5000 });
  return r.status === 0;
}

/** The python3 helper, or systemd-notify per message when python3 is missing. */
export function createNotifyTransport(socketPath: string, logger: Logger, python = 'python3'): NotifyTransport {
  return hasPython(python) ? new PythonTransport(socketPath, logger, python) : new SystemdNotifyTransport(logger);
}

export class PythonTransport implements NotifyTransport {
  private child: ChildProcess | undefined;

  constructor(private readonly socketPath: string, private readonly logger: Logger, private readonly python = 'python3') {}

  send(message: string): void {
    const child = this.child ?? this.spawn();
    child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  close(): void {
    this.child?.stdin?.end();
    this.child = undefined;
  }

  private spawn(): ChildProcess {
    const child = spawn(this.python, ['-c', HELPER, this.socketPath], { stdio: ['pipe', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => this.logger.warn({ helper: 'python3' }, d.toString().trim()));
    child.on('error', (err) => this.logger.warn({ err }, 'sd_notify helper failed'));
    child.on('exit', (code) => {
      if (this.child === child) this.child = undefined;
      if (code) this.logger.warn({ code }, 'sd_notify helper exited');
    });
    child.stdin?.on('error', () => undefined);
    // The helper must never keep a stopping daemon alive.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
    this.child = child;
    return child;
  }
}

export class SystemdNotifyTransport implements NotifyTransport {
  constructor(private readonly logger: Logger, private readonly pid = process.pid) {}

  send(message: string): void {
    const child = spawn('systemd-notify', [`--pid=${this.pid}`, ...message.split('\n')], { stdio: 'ignore' });
    child.on('error', (err) => this.logger.warn({ err }, 'systemd-notify failed'));
    child.unref();
  }

  close(): void {}
}
