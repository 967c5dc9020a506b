import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The package root (where package.json names qinhe), from source or from dist/. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'qinhe') {
      cached = dir;
      return dir;
    }
    dir = dirname(dir);
  }
  throw new Error('qinhe package root not found');
}

export function builtinProfilesDir(): string {
  return join(packageRoot(), 'config', 'profiles');
}
