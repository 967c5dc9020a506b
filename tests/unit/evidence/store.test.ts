import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvidenceStore } from '../../../drivers/evidence/store.js';

describe('evidence store', () => {
  const dirs: string[] = [];
  afterEach(async () => { for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true }); });

  it('hashes each file and prunes the oldest evidence beyond the byte budget, never the new file nor working dirs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qh-store-'));
    dirs.push(dir);
    const store = new EvidenceStore(dir, 2500);
    const made: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { id, file } = await store.allocate(`inc-${i}`, 'jpg');
      await writeFile(file, Buffer.alloc(1000, i));
      await utimes(file, 1000 + i, 1000 + i);
      const ev = await store.finish(id, file, 'image/jpeg');
      expect(ev.sha256).toBe(createHash('sha256').update(Buffer.alloc(1000, i)).digest('hex'));
      expect(ev.bytes).toBe(1000);
      made.push(file);
    }
    await writeFile(join(dir, '.ring-marker'), 'x');
    // 3000 bytes > 2500: the oldest (inc-0) went when the third was finished.
    expect(await readdir(join(dir, 'inc-0'))).toEqual([]);
    expect((await readdir(join(dir, 'inc-2'))).length).toBe(1);
    expect(await readdir(dir)).toContain('.ring-marker');
  });

  it('refuses an incident id that would escape the evidence directory', async () => {
    const store = new EvidenceStore('/nonexistent', 1);
    await expect(store.allocate('../etc', 'jpg')).rejects.toMatchObject({ code: 'QH_EVIDENCE_IO' });
  });
});
