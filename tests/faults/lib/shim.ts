/** Builds the fsync-shadow LD_PRELOAD shim (shim/fsync-shadow.c) with gcc into a scenario's temp dir. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHIM_SOURCE = fileURLToPath(new URL('../shim/fsync-shadow.c', import.meta.url));

export function buildShim(dir: string): string {
  const out = join(dir, 'fsync-shadow.so');
  execFileSync('gcc', ['-shared', '-fPIC', '-O2', '-Wall', '-o', out, SHIM_SOURCE, '-ldl'], { stdio: 'pipe' });
  return out;
}
