/** The box's durable store: see store.ts (open, corruption), outbox.ts (lanes, seq), eviction.ts, hwm.ts. */
export { openStore, Store, DB_FILE, OPEN_MARKER, type OpenStoreOptions, type OpenStoreResult } from './store.js';
export { Outbox, type OutboxRow, type OutboxStats } from './outbox.js';
export { ReplayTable } from './replay.js';
export { SeqHighWater, HWM_FILE } from './hwm.js';
