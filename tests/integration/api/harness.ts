/** Starts the API server with a FakeBoxApi on a temp socket and runs the CLI against it (asynchronously:
 * the server lives in this process, so a blocking spawnSync would deadlock). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApiService } from '../../../runtime/api/server.js';
import type { Service } from '../../../runtime/app/box.js';
import { spawn } from 'node:child_process';
import { ROOT, type CliResult } from '../../helpers/cli.js';
import { FakeBoxApi } from './fake-box-api.js';

export interface Harness {
  api: FakeBoxApi;
  socket: string;
  dir: string;
  service: Service;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'qinhe-api-'));
  const socket = join(dir, 'run', 'api.sock');
  const api = new FakeBoxApi();
  const service = createApiService({ socketPath: socket, api, logger: pino({ level: 'silent' }), lookupGroup: () => undefined });
  await service.start();
  return { api, socket, dir, service, close: async () => { await service.stop(); rmSync(dir, { recursive: true, force: true }); } };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, stdin?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'runtime/cli/main.ts'), ...args], {
      cwd: ROOT, env: { ...process.env, NO_COLOR: '1', QINHE_SOCKET: '', ...env }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdin?.end(stdin ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
