/**
 * vitest globalSetup: the whole run's temporary files go under one directory of its own (TMPDIR: os.tmpdir() in the
 * workers, and in every child they start, reads it), removed when the run ends. Tests make their scratch directories
 * with mkdtemp and many do not remove them; without this every run left some 30 directories in /tmp (2,357 of them
 * on this box).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const before = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'qinhe-tests-'));
  process.env.TMPDIR = dir; // before the workers are forked: they inherit it
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true });
  };
}
