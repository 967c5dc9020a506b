/**
 * The things that happen on an estate, as small actions on a SimulatedEstate. Each returns a line for the
 * people watching ("cp-b1-01 heating 10 °C/min") and schedules its own end (a panic button released, smoke
 * clearing) on the scenario's timer set, so stopping the scenario stops everything.
 */
import type { SimulatedEstate } from './estate.js';

export interface StepTimers {
  after(ms: number, fn: () => void): void;
  every(ms: number, fn: () => boolean | void): void;
}

export const FALLING_OBJECT_TOPIC = 'tns1:RuleEngine/FallingObjectDetection/FallingObject';
export const FIELD_TOPIC = 'tns1:RuleEngine/FieldDetector/ObjectsInside';
export const SCENE_CHANGE_TOPIC = 'tns1:VideoSource/GlobalSceneChange/ImagingService';

/** A charging port heating at `perMinute` °C/min from its present temperature until its relay is cut or `maxC`, then cooling. */
export function heatCharger(estate: SimulatedEstate, t: StepTimers, id: string, perMinute = 10, maxC = 80): string {
  const fromC = Number(estate.getPoint(id, 'temperature'));
  let temp = fromC;
  let cooling = false;
  t.every(1000, () => {
    const cut = estate.getPoint(id, 'enable') === false;
    if (cut || temp >= maxC) cooling = true;
    temp += cooling ? -3 / 60 : perMinute / 60;
    estate.setPoint(id, 'temperature', Math.round(temp * 10) / 10);
    estate.setPoint(id, 'current', cooling ? 0 : 6.5);
    return cooling && temp <= 24; // done: back to ambient
  });
  return `${id}: port heating ${Math.round(perMinute * 10) / 10} °C/min from ${Math.round(fromC)} °C`;
}

export function smokeAlarm(estate: SimulatedEstate, t: StepTimers, id: string, forMs = 40_000): string {
  estate.setPoint(id, 'alarm', true);
  estate.setPoint(id, 'obscuration', 4.2);
  t.after(forMs, () => { estate.setPoint(id, 'alarm', false); estate.setPoint(id, 'obscuration', 0.05); });
  return `${id}: smoke alarm for ${Math.round(forMs / 1000)} s`;
}

/** A Modbus input of a DI module (1-based channel) active for a while (panic 9–12, tamper 13–16, door 1–8). */
export function diPulse(estate: SimulatedEstate, t: StepTimers, id: string, channel: number, forMs: number, label: string): string {
  estate.setPoint(id, `in${channel}`, true);
  t.after(forMs, () => estate.setPoint(id, `in${channel}`, false));
  return `${id}: ${label} (input ${channel}, ${Math.round(forMs / 1000)} s)`;
}

export function gpioPulse(estate: SimulatedEstate, t: StepTimers, id: string, forMs: number, label: string): string {
  estate.setInput(id, true);
  t.after(forMs, () => estate.setInput(id, false));
  return `${id}: ${label} (${Math.round(forMs / 1000)} s)`;
}

/** A camera analytics event: active now, inactive after `forMs`. */
export function cameraEvent(estate: SimulatedEstate, t: StepTimers, id: string, topic: string, item: string, forMs: number, label: string): string {
  const cam = estate.camera(id);
  cam.emit(topic, { [item]: 'true' });
  t.after(forMs, () => cam.emit(topic, { [item]: 'false' }));
  return `${id}: ${label}`;
}

/** A unit stops answering; it answers again after `forMs` (Infinity: never). */
export function silence(estate: SimulatedEstate, t: StepTimers, id: string, forMs: number): string {
  estate.setSilent(id, true);
  if (Number.isFinite(forMs)) t.after(forMs, () => estate.setSilent(id, false));
  return `${id}: unit goes silent${Number.isFinite(forMs) ? ` for ${Math.round(forMs / 1000)} s` : ''}`;
}

/** A camera stops answering (power cut); it comes back after `forMs`. */
export function cameraDown(estate: SimulatedEstate, t: StepTimers, id: string, forMs: number): string {
  const cam = estate.camera(id);
  cam.state = 'dead';
  t.after(forMs, () => { cam.state = 'ok'; });
  return `${id}: camera stops answering for ${Math.round(forMs / 1000)} s`;
}
