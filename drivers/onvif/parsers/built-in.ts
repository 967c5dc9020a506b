/**
 * Built-in parsers for the ONVIF topic namespace (ONVIF Core, Appendix "Topics"; Analytics Service spec for
 * the RuleEngine detectors). Each names the Data item that carries the state; stateless events (a line
 * crossed) are pulses and report active.
 */
import type { RawEvent } from '../events/raw-event.js';
import type { TopicParser } from './registry.js';

const TRUE = new Set(['true', '1', 'active', 'on', 'yes']);
const FALSE = new Set(['false', '0', 'inactive', 'off', 'no']);

function bool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const s = v.trim().toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  return undefined;
}

const STATE_ITEMS = ['State', 'IsMotion', 'IsTamper', 'IsInside', 'LogicalState', 'Failed', 'Active', 'Value', 'state', 'active'];

/** The boolean state in a message's Data: a known item first, else the only boolean-looking item. */
export function stateOf(data: Record<string, string>): boolean | undefined {
  for (const k of STATE_ITEMS) {
    const b = bool(data[k]);
    if (b !== undefined) return b;
  }
  const bools = Object.values(data).map(bool).filter((b): b is boolean => b !== undefined);
  return bools.length === 1 ? bools[0] : undefined;
}

function stateItem(item: string): TopicParser['parse'] {
  return (ev: RawEvent) => {
    const b = bool(ev.data[item]) ?? stateOf(ev.data);
    return b === undefined ? undefined : { active: b };
  };
}

const pulse: TopicParser['parse'] = () => ({ active: true });

export const BUILT_IN_PARSERS: TopicParser[] = [
  { topic: 'RuleEngine/CellMotionDetector/Motion', kind: 'motion', parse: stateItem('IsMotion') },
  { topic: 'VideoSource/MotionAlarm', kind: 'motion', parse: stateItem('State') },
  { topic: 'RuleEngine/MotionRegionDetector/Motion', kind: 'motion', parse: stateItem('State') },
  { topic: 'RuleEngine/TamperDetector/Tamper', kind: 'tamper', parse: stateItem('IsTamper') },
  { topic: 'VideoSource/GlobalSceneChange/ImagingService', kind: 'tamper', parse: stateItem('State') },
  { topic: 'RuleEngine/FieldDetector/ObjectsInside', kind: 'intrusion', parse: stateItem('IsInside') },
  { topic: 'RuleEngine/LineDetector/Crossed', kind: 'line-crossing', parse: pulse },
  { topic: 'VideoSource/SignalLoss', kind: 'signal-loss', parse: stateItem('State') },
  { topic: 'Device/HardwareFailure/StorageFailure', kind: 'storage-failure', parse: stateItem('Failed') },
  { topic: 'Device/Trigger/DigitalInput', kind: 'input', parse: stateItem('LogicalState') },
  // Axis announces its inputs as tns1:Device/tnsaxis:IO/Port with a `state` item.
  { topic: 'Device/IO/Port', kind: 'input', parse: stateItem('state') },
];
