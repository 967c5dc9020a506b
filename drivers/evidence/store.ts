/**
 * Evidence files: dataDir/evidence/{incidentId}/{evidenceId}.{jpg|mp4}, hashed (sha256) once written, and
 * pruned oldest-first beyond a byte budget. Working directories (ring buffers, private inputs) start with a
 * dot and are not evidence.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { QinheError } from '../../runtime/core/errors.js';

export interface EvidenceFile {
  id: string;
  file: string;
  bytes: number;
  sha256: string;
  mime: string;
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file).on('error', reject).on('data', (c) => h.update(c)).on('end', () => resolve(h.digest('hex')));
  });
}

export class EvidenceStore {
  constructor(readonly dir: string, private readonly retentionBytes: number) {}

  /** A new evidence id and the path its file should be written to. */
  async allocate(incidentId: string, ext: 'jpg' | 'mp4'): Promise<{ id: string; file: string }> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(incidentId)) throw new QinheError('QH_EVIDENCE_IO', `bad incident id ${JSON.stringify(incidentId)}`);
    const id = ulid();
    const dir = join(this.dir, incidentId);
    await mkdir(dir, { recursive: true });
    return { id, file: join(dir, `${id}.${ext}`) };
  }

  /** Hashes the written file, then prunes old evidence (never this file). */
  async finish(id: string, file: string, mime: string): Promise<EvidenceFile> {
    let bytes: number;
    try {
      bytes = (await stat(file)).size;
    } catch (err) {
      throw new QinheError('QH_EVIDENCE_IO', `evidence file ${file} missing`, { cause: err });
    }
    if (bytes === 0) throw new QinheError('QH_EVIDENCE_IO', `evidence file ${file} is empty`);
    const sha256 = await sha256File(file);
    await this.prune(file);
    return { id, file, bytes, sha256, mime };
  }

  async prune(keep?: string): Promise<number> {
    const files: Array<{ path: string; size: number; mtime: number }> = [];
    for (const inc of await readdir(this.dir, { withFileTypes: true }).catch(() => [])) {
      if (!inc.isDirectory() || inc.name.startsWith('.')) continue;
      for (const f of await readdir(join(this.dir, inc.name)).catch(() => [] as string[])) {
        const path = join(this.dir, inc.name, f);
        const s = await stat(path).catch(() => undefined);
        if (s?.isFile()) files.push({ path, size: s.size, mtime: s.mtimeMs });
      }
    }
    let total = files.reduce((a, f) => a + f.size, 0);
    let removed = 0;
    for (const f of files.sort((a, b) => a.mtime - b.mtime)) {
      if (total <= this.retentionBytes) break;
      if (f.path === keep) continue;
      await rm(f.path, { force: true });
      total -= f.size;
      removed += 1;
    }
    return removed;
  }
}
