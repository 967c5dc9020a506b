/**
 * The demo scenario: within the first minute one incident of every kind the seed names, then a realistic
 * trickle (one happening every 12–25 s, a few incidents a minute) until stopped.
 *
 *   t=0   a charging port starts heating 10 °C/min (fire-risk by rate of rise after ~20 s; threshold later)
 *   t=15  smoke alarm on a sensor in another zone (same-zone smoke would correlate into the fire-risk)
 *   t=0   the "offline" unit goes silent (device-offline after the profile's offlineAfterS; the demo config
 *         sets that device's offline rule to afterS 0 so it shows inside a minute)
 *   t=3   panic button at gate 1 (GPIO)        t=7   falling object seen by a façade camera
 *   t=11  someone inside a key area (camera)
 *   t=19  the box enclosure is opened (GPIO tamper)
 *
 * Random choices come from a seeded generator, so a run can be repeated.
 */
import type { DeviceConfig, ProfileConfig } from '../../../config/schema.js';
import type { SimulatedEstate } from './estate.js';
import * as step from './scenario-steps.js';

export const SCENARIOS = ['caima', 'none'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface ScenarioEvent { at: number; text: string }

/** The device the scenario silences, and its offline rule (the demo shortens that rule to afterS 0). */
export function offlineTarget(devices: DeviceConfig[], profiles: Map<string, ProfileConfig>): { id: string; ruleId: string } | undefined {
  const prefer = ['gas-sensor', 'heat-sensor', 'water-level-sensor', 'smoke-sensor', 'relay-8', 'di-16', 'charging-point'];
  for (const model of prefer) {
    const candidates = devices.filter((d) => d.profile === model);
    // Not the first of its model: the first smoke sensor and charging point have parts of their own.
    const d = candidates[1] ?? (model === 'gas-sensor' || model === 'heat-sensor' || model === 'water-level-sensor' ? candidates[0] : undefined);
    const rule = profiles.get(model)?.rules.find((r) => r.type === 'offline');
    if (d && rule) return { id: d.id, ruleId: rule.id };
  }
  return undefined;
}

export class Scenario {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly listeners = new Set<(e: ScenarioEvent) => void>();
  private random: () => number;
  private running = false;

  constructor(private readonly estate: SimulatedEstate, readonly name: ScenarioName, private readonly opts: { seed?: number; steadyMinMs?: number; steadyMaxMs?: number } = {}) {
    this.random = mulberry32(opts.seed ?? 20261126);
  }

  onEvent(fn: (e: ScenarioEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  start(): void {
    if (this.running || this.name === 'none') return;
    this.running = true;
    const ids = this.estate.deviceIds().map((id) => ({ id, ...this.estate.device(id) }));
    const first = (model: string) => ids.find((d) => d.config.profile === model)?.id;
    const offline = offlineTarget(ids.map((d) => d.config), new Map(ids.map((d) => [d.profile.model, d.profile])));
    const t = this.stepTimers();
    const at = (s: number, what: () => string | undefined) => t.after(s * 1000, () => this.run(what));
    const cp = first('charging-point');
    if (cp) at(0, () => step.heatCharger(this.estate, t, cp));
    if (offline) at(0, () => step.silence(this.estate, t, offline.id, Infinity));
    const panic = first('gpio-panic');
    const di = first('di-16');
    at(3, () => (panic ? step.gpioPulse(this.estate, t, panic, 1500, 'panic button pressed')
      : di ? step.diPulse(this.estate, t, di, 9, 2000, 'panic button pressed') : undefined));
    const fo = first('onvif-camera-falling-object');
    if (fo) at(7, () => step.cameraEvent(this.estate, t, fo, step.FALLING_OBJECT_TOPIC, 'State', 2000, 'falling object detected'));
    const ka = first('onvif-camera');
    at(11, () => (ka ? step.cameraEvent(this.estate, t, ka, step.FIELD_TOPIC, 'IsInside', 5000, 'person inside the key area')
      : di ? step.diPulse(this.estate, t, di, 1, 40_000, 'door held open') : undefined));
    // Smoke away from the heating charger's zone: smoke + fire-risk in one zone correlate into one incident.
    const cpZone = ids.find((d) => d.id === cp)?.config.zone;
    const smoke = ids.find((d) => d.config.profile === 'smoke-sensor' && d.config.zone !== cpZone)?.id ?? first('smoke-sensor');
    if (smoke) at(15, () => step.smokeAlarm(this.estate, t, smoke));
    const tamper = first('gpio-tamper');
    at(19, () => (tamper ? step.gpioPulse(this.estate, t, tamper, 10_000, 'box enclosure opened')
      : di ? step.diPulse(this.estate, t, di, 13, 5000, 'tamper loop open') : undefined));
    this.steady(ids.map((d) => ({ id: d.id, model: d.config.profile })), offline?.id, 30_000);
  }

  /** After `startMs`, one random happening every steadyMin–steadyMax ms. */
  private steady(devices: Array<{ id: string; model: string }>, skip: string | undefined, startMs: number): void {
    const t = this.stepTimers();
    const of = (model: string) => devices.filter((d) => d.model === model && d.id !== skip).map((d) => d.id);
    const pick = (list: string[]) => list[Math.floor(this.random() * list.length)];
    const pool: Array<() => string | undefined> = [
      () => { const c = pick(of('onvif-camera-falling-object')); return c && step.cameraEvent(this.estate, t, c, step.FALLING_OBJECT_TOPIC, 'State', 2000, 'falling object detected'); },
      () => { const c = pick(of('onvif-camera')); return c && step.cameraEvent(this.estate, t, c, step.FIELD_TOPIC, 'IsInside', 5000, 'person inside the key area'); },
      () => { const d = pick(of('di-16')); return d && step.diPulse(this.estate, t, d, 9 + Math.floor(this.random() * 4), 2000, 'panic button pressed'); },
      () => { const d = pick(of('di-16')); return d && step.diPulse(this.estate, t, d, 1 + Math.floor(this.random() * 8), 40_000, 'door held open'); },
      () => { const s = pick(of('smoke-sensor')); return s && step.smokeAlarm(this.estate, t, s, 30_000); },
      () => { const c = pick([...of('onvif-camera'), ...of('onvif-camera-falling-object')]); return c && step.cameraEvent(this.estate, t, c, step.SCENE_CHANGE_TOPIC, 'State', 3000, 'camera view covered'); },
      () => { const c = pick(of('charging-point').slice(1)); return c && step.heatCharger(this.estate, t, c, 9 + this.random() * 3); },
      () => { const u = pick(of('heat-sensor')); return u && step.silence(this.estate, t, u, 150_000); },
    ];
    const next = () => {
      const min = this.opts.steadyMinMs ?? 12_000;
      const max = this.opts.steadyMaxMs ?? 25_000;
      t.after(min + this.random() * (max - min), () => {
        const action = pick(pool.map((_, i) => String(i)));
        this.run(() => pool[Number(action)]?.());
        next();
      });
    };
    t.after(startMs, next);
  }

  private run(what: () => string | undefined): void {
    if (!this.running) return;
    let text: string | undefined;
    try {
      text = what();
    } catch (err) {
      text = `scenario step failed: ${(err as Error).message}`;
    }
    if (!text) return;
    const e = { at: Date.now(), text };
    for (const fn of this.listeners) fn(e);
  }

  private stepTimers(): step.StepTimers {
    const after = (ms: number, fn: () => void) => {
      const h = setTimeout(() => { this.timers.delete(h); if (this.running) fn(); }, ms);
      this.timers.add(h);
    };
    const every = (ms: number, fn: () => boolean | void) => {
      const tick = () => after(ms, () => { if (fn() !== true) tick(); });
      tick();
    };
    return { after, every };
  }

  stop(): void {
    this.running = false;
    for (const h of this.timers) clearTimeout(h);
    this.timers.clear();
  }
}

/** A small seeded PRNG (mulberry32), so a scenario run can be repeated. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
