/**
 * The SQLite binding, chosen by Node version. better-sqlite3 12 is the one that runs on Node 20 (13 segfaults
 * there, measured here), but on Node 24 its Statement/Database destructors abort the process when the GC
 * finalizes them (`Assertion failed: (env) != nullptr` in RemoveEnvironmentCleanupHook — seen here in CI, and
 * upstream: WiseLibs/better-sqlite3#1515, closed without a fix in 12.x). 13 moved to node-addon-api and is
 * fine on Node ≥ 22, where boxes in the field run. Same API, so the rest of the code does not care.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

const require = createRequire(import.meta.url);
const major = Number(process.versions.node.split('.')[0]);

export const SQLITE_BINDING = major >= 22 ? 'better-sqlite3-node22' : 'better-sqlite3';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Database = require(SQLITE_BINDING) as typeof BetterSqlite3;

export default Database;
export type { Database as SqliteDatabase, Statement as SqliteStatement } from 'better-sqlite3';
