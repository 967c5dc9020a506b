/** Shared test fixtures for the store, uplink and command tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { afterEach, beforeEach } from 'vitest';
import { ulid } from 'ulid';
import type { BoxConfig } from '../../../config/schema.js';
import type { IncidentEventDraft, Severity } from '../../../runtime/core/contract.js';
import { openStore, Outbox, type Store } from '../../../runtime/store/index.js';

export function silentLogger(): Logger {
  return pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
}

export function tempDir(prefix = 'qinhe-store-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function storageConfig(over: Partial<BoxConfig['storage']> = {}): BoxConfig['storage'] {
  return { dataDir: '/unused', quotaMb: 512, incidentTtlDays: 30, evidenceTtlDays: 7, healthTtlHours: 24,
    telemetryTtlHours: 6, evidenceRetentionMb: 2048, ...over };
}

export class FakeClock {
  constructor(public wall = Date.UTC(2026, 10, 26, 3, 0, 0), public monoMs = 1_000) {}
  now = (): number => this.wall;
  mono = (): number => this.monoMs;
  advance(ms: number): void {
    this.wall += ms;
    this.monoMs += ms;
  }
}

export function draft(over: Partial<IncidentEventDraft> & { severity?: Severity } = {}): IncidentEventDraft {
  const at = '2026-11-26T03:02:03.123Z';
  return {
    v: 1, eventId: ulid(), incidentId: over.incidentId ?? ulid(), event: 'raised', kind: 'fire-risk', severity: 'critical',
    device: { id: 'cp-b3-07', type: 'charging-point', zone: 'B3' }, detectedAt: at, clockSynced: true,
    summary: 'port 7 temperature 71.5 °C', data: { rule: 'charger-overheat' }, evidence: [], actions: [],
    timeline: { detectedAt: at, alarmedAt: at, ackedAt: null, onsiteAt: null, resolvedAt: null }, ...over,
  };
}

/**
 * A fresh store and outbox in a temporary directory for every test of the calling `describe` (opened in
 * beforeEach, closed and removed in afterEach); read them through the returned object.
 */
export function useTestOutbox(): { readonly store: Store; readonly outbox: Outbox; readonly dir: string } {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let outbox: Outbox;
  beforeEach(() => {
    tmp = tempDir();
    store = openStore({ dataDir: tmp.dir, storage: storageConfig(), logger: silentLogger() }).store;
    outbox = new Outbox(store);
  });
  afterEach(() => { outbox.close(); store.close(); tmp.cleanup(); });
  return { get store() { return store; }, get outbox() { return outbox; }, get dir() { return tmp.dir; } };
}
