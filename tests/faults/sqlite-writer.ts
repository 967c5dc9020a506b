/**
 * A minimal better-sqlite3 writer for the power-cut harness's control runs: WAL, synchronous from $SYNC
 * (NORMAL or FULL), one row per transaction, `committed <n>` printed after each commit returns. With NORMAL,
 * commits are not fsynced (only checkpoints are), so a power cut must lose some: if the harness shows no loss
 * here, the harness is broken.
 */
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

const db = new BetterSqlite3(join(process.env.DB_DIR ?? '.', 'control.db'));
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${process.env.SYNC === 'FULL' ? 'FULL' : 'NORMAL'}`);
db.exec('CREATE TABLE IF NOT EXISTS t (n INTEGER PRIMARY KEY, body TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO t (n, body) VALUES (?, ?)');
const body = 'x'.repeat(300);
let n = (db.prepare<[], { m: number | null }>('SELECT MAX(n) AS m FROM t').get()?.m ?? 0);
process.stdout.write('ready\n');
/** Written synchronously after the commit, so a line the parent read is a commit that returned. */
function say(line: string): void {
  for (;;) {
    try {
      writeSync(1, line);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
  }
}
const tick = () => {
  for (let i = 0; i < 5; i++) {
    n += 1;
    insert.run(n, body);
    say(`committed ${n}\n`);
  }
  setTimeout(tick, 1);
};
tick();
