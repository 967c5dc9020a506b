/**
 * Runs the walk test against the running daemon: puts the devices in test mode (their events still run the
 * local alarm path, but whatever they raise goes upstream with `test: true`, so the center does not dispatch),
 * does each step, and takes test mode off again whatever happens.
 */
import type { PointValue } from '../../drivers/types.js';
import type { DeviceView, EventView, ReadNowResult, SirenTestResult, SnapshotResult, TestModeView, WaitEventResult } from '../api/types.js';
import { errorMessage } from '../core/errors.js';
import type { WalkStep } from './plan.js';

/** The BoxApi calls the walk needs (the CLI implements them over the socket). */
export interface CommissionApi {
  readNow(deviceId: string): Promise<ReadNowResult>;
  testSnapshot(deviceId: string, opts: { inline: boolean }): Promise<SnapshotResult>;
  testSiren(target: string, seconds: number, pattern: string): Promise<SirenTestResult>;
  waitForEvent(deviceId: string, timeoutMs: number): Promise<WaitEventResult>;
  setTestMode(deviceIds: string[], on: boolean, ttlS?: number): Promise<TestModeView>;
}

/** The installer at the terminal. */
export interface Installer {
  /** y/n question; resolves true for yes, undefined when nobody can answer (input closed). */
  confirm(question: string): Promise<boolean | undefined>;
  /** Resolves when the installer asks to skip the current step (never, when nobody can). */
  skipRequested(): { promise: Promise<void>; cancel(): void };
}

export type StepStatus = 'pending' | 'running' | 'pass' | 'fail' | 'skipped' | 'unconfirmed';

export interface StepResult {
  step: WalkStep;
  status: StepStatus;
  detail: string;
  at: string | null;
  values?: Record<string, PointValue>;
  units?: Record<string, string>;
  snapshot?: { mime: string; dataBase64: string; sha256: string; bytes: number };
  event?: EventView;
}

export interface WalkOptions {
  api: CommissionApi;
  installer: Installer;
  /** How long to wait for a contact or button (default 60 s). */
  eventTimeoutMs?: number;
  /** Called after every change, for the live checklist. */
  onUpdate?: (results: StepResult[]) => void;
  now?: () => Date;
}

export async function runWalk(steps: WalkStep[], opts: WalkOptions): Promise<StepResult[]> {
  const now = opts.now ?? (() => new Date());
  const results: StepResult[] = steps.map((step) => ({ step, status: 'pending', detail: step.instruction, at: null }));
  const update = () => opts.onUpdate?.(results);
  const ids = steps.map((s) => s.device.id);
  // Test mode ends by itself after an hour even if this process dies mid-walk.
  await opts.api.setTestMode(ids, true, 3600);
  try {
    update();
    for (const r of results) {
      r.status = 'running';
      update();
      try {
        Object.assign(r, await runStep(r.step, opts));
      } catch (err) {
        r.status = 'fail';
        r.detail = errorMessage(err);
      }
      r.at = now().toISOString();
      update();
    }
  } finally {
    await opts.api.setTestMode(ids, false).catch(() => undefined);
  }
  return results;
}

async function runStep(step: WalkStep, opts: WalkOptions): Promise<Partial<StepResult>> {
  const id = step.device.id;
  switch (step.kind) {
    case 'read': {
      const r = await opts.api.readNow(id);
      const shown = Object.entries(r.values).map(([k, v]) => `${k}=${String(v)}${r.units[k] ? ` ${r.units[k]}` : ''}`).join(', ');
      return { status: 'pass', detail: shown || 'answered (no points)', values: r.values, units: r.units };
    }
    case 'snapshot': {
      const s = await opts.api.testSnapshot(id, { inline: true });
      return {
        status: 'pass', detail: `${s.mime} ${s.bytes} bytes`,
        ...(s.dataBase64 ? { snapshot: { mime: s.mime, dataBase64: s.dataBase64, sha256: s.sha256, bytes: s.bytes } } : {}),
      };
    }
    case 'sound': {
      const s = await opts.api.testSiren(id, 2, 'chirp');
      const heard = await opts.installer.confirm(`Did ${id} sound? [y/n]`);
      if (heard === undefined) return { status: 'unconfirmed', detail: `sounded ${s.devices.join(', ')}; nobody confirmed it was heard` };
      return { status: heard ? 'pass' : 'fail', detail: heard ? `heard (${s.devices.join(', ')})` : 'NOT heard: check wiring, relay and supply' };
    }
    case 'trip':
    case 'press': {
      const timeoutMs = opts.eventTimeoutMs ?? 60_000;
      const skip = opts.installer.skipRequested();
      try {
        const got = await Promise.race([opts.api.waitForEvent(id, timeoutMs), skip.promise.then(() => 'skipped' as const)]);
        if (got === 'skipped') return { status: 'skipped', detail: 'skipped by the installer' };
        if (!got.event) return { status: 'fail', detail: `nothing within ${Math.round(timeoutMs / 1000)} s: check wiring and the input` };
        return { status: 'pass', detail: `${got.event.kind} (${got.event.topic}) received`, event: got.event };
      } finally {
        skip.cancel();
      }
    }
  }
}

/** Unique, stable device ordering for reports and checklists. */
export function deviceLabel(d: DeviceView): string {
  return `${d.id} (${d.type}, ${d.zone})`;
}
