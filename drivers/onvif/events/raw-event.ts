/**
 * A notification message as the camera sent it, flattened (ONVIF Core §9.2, tt:Message): the topic text,
 * the property operation and the SimpleItems of Source and Data. This JSON shape is what an unknown topic is
 * logged as, so a technician can paste it into a parser test.
 */
import { asArray, attr, child, text } from '../soap/xml.js';

export interface RawEvent {
  topic: string;
  /** Initialized (state at subscription), Changed, Deleted; absent for stateless events. */
  operation?: string;
  utcTime?: string;
  source: Record<string, string>;
  data: Record<string, string>;
}

function items(node: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of asArray(child(node, 'SimpleItem'))) {
    const name = attr(item, 'Name');
    const value = attr(item, 'Value');
    if (name !== undefined && value !== undefined) out[name] = value;
  }
  for (const item of asArray(child(node, 'ElementItem'))) {
    const name = attr(item, 'Name');
    if (name !== undefined) out[name] = JSON.stringify(item).slice(0, 500);
  }
  return out;
}

/** The NotificationMessages of a PullMessagesResponse (or of any parent holding them). */
export function parseNotifications(parent: unknown): RawEvent[] {
  const out: RawEvent[] = [];
  for (const nm of asArray(child(parent, 'NotificationMessage'))) {
    const topic = text(child(nm, 'Topic'))?.trim();
    if (!topic) continue;
    const msg = child(child(nm, 'Message'), 'Message');
    const ev: RawEvent = { topic, source: items(child(msg, 'Source')), data: items(child(msg, 'Data')) };
    const op = attr(msg, 'PropertyOperation');
    if (op !== undefined) ev.operation = op;
    const t = attr(msg, 'UtcTime');
    if (t !== undefined) ev.utcTime = t;
    out.push(ev);
  }
  return out;
}

/** `tns1:RuleEngine/tnsaxis:X/Y` → `RuleEngine/X/Y`: prefixes differ between cameras, paths do not. */
export function stripTopic(topic: string): string {
  return topic.split('/').map((seg) => seg.replace(/^[^:]*:/, '')).join('/');
}
