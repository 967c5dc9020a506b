/**
 * The walk test plan: what the installer does with each device. Cameras give a snapshot, Modbus sensors and
 * charging points are read, contacts (door, tamper) are tripped and panic buttons pressed by hand, alarm
 * outputs sound a short chirp the installer confirms by ear.
 */
import type { DeviceView } from '../api/types.js';

export type StepKind = 'snapshot' | 'read' | 'trip' | 'press' | 'sound';

export interface WalkStep {
  kind: StepKind;
  device: DeviceView;
  /** What the installer is asked to do (trip, press, listen), or what the box does. */
  instruction: string;
}

const CONTACTS = new Set(['door', 'tamper']);
const BUTTONS = new Set(['panic']);
const OUTPUTS = new Set(['siren', 'strobe', 'relay']);

export function stepFor(d: DeviceView): WalkStep {
  const where = `${d.zone}${d.location ? `, ${d.location}` : ''}`;
  if (d.type === 'camera') return { kind: 'snapshot', device: d, instruction: `snapshot from ${d.id} (${where})` };
  if (CONTACTS.has(d.type)) return { kind: 'trip', device: d, instruction: `trip ${d.type} contact ${d.id} (${where}): open it, then close it (s + Enter skips)` };
  if (BUTTONS.has(d.type)) return { kind: 'press', device: d, instruction: `press panic button ${d.id} (${where}) (s + Enter skips)` };
  if (OUTPUTS.has(d.type)) return { kind: 'sound', device: d, instruction: `listen: ${d.type} ${d.id} (${where}) chirps for 2 s` };
  return { kind: 'read', device: d, instruction: `read every point of ${d.id} (${where})` };
}

/** One step per device, in a walking order: by zone, then automatic steps before the ones done by hand. */
export function planWalk(devices: DeviceView[]): WalkStep[] {
  const order: Record<StepKind, number> = { read: 0, snapshot: 1, sound: 2, trip: 3, press: 4 };
  return devices.map(stepFor).sort((a, b) => a.device.zone.localeCompare(b.device.zone)
    || order[a.kind] - order[b.kind] || a.device.id.localeCompare(b.device.id));
}
