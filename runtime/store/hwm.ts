/**
 * The seq high-water mark: a tiny file beside the database that says "no seq above N has been handed out".
 * It survives the database being set aside as corrupt, so a fresh store continues above every seq ever used
 * and seq never goes back. Seqs are reserved in blocks (default 1000) so the file is written rarely: before a
 * seq beyond the mark is committed, the mark is raised first. Writes are atomic: temp file, fsync, rename,
 * fsync of the directory (a power cut leaves either the old or the new file, never a torn one).
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { QinheError } from '../core/errors.js';

export const HWM_FILE = 'seq.hwm';

export class SeqHighWater {
  private readonly file: string;
  private mark = 0;

  constructor(private readonly dir: string, private readonly logger: Logger, readonly block = 1000) {
    this.file = join(dir, HWM_FILE);
  }

  /** Reads the file; a missing file is 0, an unreadable one is logged and counts as 0. */
  load(): number {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.error({ err, file: this.file }, 'seq high-water file unreadable');
      this.mark = 0;
      return 0;
    }
    const parsed = /^\{"v":1,"hwm":(\d+)\}\s*$/.exec(text);
    if (!parsed?.[1]) {
      this.logger.error({ file: this.file }, 'seq high-water file malformed; ignoring it');
      this.mark = 0;
      return 0;
    }
    this.mark = Number(parsed[1]);
    return this.mark;
  }

  get value(): number {
    return this.mark;
  }

  /** Makes sure seqs up to `upTo` are covered by the mark, raising it by a block if needed (sync, durable). */
  ensure(upTo: number): void {
    if (upTo <= this.mark) return;
    this.write(upTo + this.block);
  }

  private write(mark: number): void {
    const tmp = `${this.file}.tmp`;
    try {
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, `{"v":1,"hwm":${mark}}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.file);
      const dirFd = openSync(this.dir, 'r');
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    } catch (err) {
      throw new QinheError('QH_STORE_IO', `cannot write the seq high-water mark ${this.file}`, { cause: err });
    }
    this.mark = mark;
  }
}
