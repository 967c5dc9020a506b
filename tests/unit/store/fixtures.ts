/** Shared test fixtures for the store, uplink and command tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { ulid } from 'ulid';
import type { BoxConfig } from '../../../config/schema.js';
import type { IncidentEventDraft, Severity } from '../../../runtime/core/contract.js';

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
