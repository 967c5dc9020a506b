/**
 * The bench's estate: the Caima inventory served by estate-host in a child process, and the box provisioned
 * for it (same provisioning as the demo) in `dir`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { packageRoot } from '../../config/paths.js';
import type { LoadedConfig } from '../../config/load.js';
import { readInventory, writeInventory } from '../../runtime/demo/inventory.js';
import { demoCameraCredentials, demoCenterKey, demoPaths, makeDirs, provisionDemo, type DemoPaths } from '../../runtime/demo/provision.js';
import { socatAvailable } from '../../tests/simulators/estate/pty.js';

export const CAIMA_INVENTORY = join(packageRoot(), 'config', 'demo', 'caima-inventory.csv');

/** Node arguments that run a sibling script the way this one runs (tsx from source, plain node from dist). */
export function siblingCommand(name: string): string[] {
  const self = fileURLToPath(import.meta.url);
  const ext = self.endsWith('.ts') ? '.ts' : '.js';
  return [...process.execArgv, join(self, '..', `${name}${ext}`)];
}

export interface BenchEstate {
  paths: DemoPaths;
  loaded: LoadedConfig;
  devices: number;
  stop(): Promise<void>;
}

export async function startBenchEstate(dir: string, broker: string): Promise<BenchEstate> {
  if (!socatAvailable()) throw new Error('socat is not installed (the simulated RS-485 lines)');
  const paths = demoPaths(dir);
  makeDirs(paths);
  const creds = demoCameraCredentials(paths);
  const host: ChildProcess = spawn(process.execPath, [...siblingCommand('estate-host'), CAIMA_INVENTORY, paths.dev, creds.username, creds.password],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = async () => {
    if (host.exitCode !== null || host.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => host.kill('SIGKILL'), 5000);
      host.once('exit', () => { clearTimeout(t); resolve(); });
      host.kill('SIGTERM');
    });
  };
  try {
    const addresses = await new Promise<Record<string, string>>((resolve, reject) => {
      let out = '';
      const t = setTimeout(() => reject(new Error('estate host not ready within 60 s')), 60_000);
      host.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /^READY (.*)$/m.exec(out);
        if (m?.[1]) { clearTimeout(t); resolve((JSON.parse(m[1]) as { addresses: Record<string, string> }).addresses); }
      });
      host.once('exit', (code) => { clearTimeout(t); reject(new Error(`estate host exited (${code})`)); });
    });
    const devices = readInventory(CAIMA_INVENTORY).map((r) => r.device);
    writeInventory(paths.inventoryFile, devices, (id) => addresses[id] ?? '');
    const loaded = provisionDemo({ paths, estate: 'bench', box: 'bench-01', broker, centerKey: demoCenterKey(paths) });
    return { paths, loaded, devices: devices.length, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
