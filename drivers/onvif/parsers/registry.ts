/**
 * Topic parsers as a registry (idea: Home Assistant's onvif parsers.py): topic → small parser → normalised
 * event. Profile mappings (vendor analytics such as falling-object) are tried first, then the built-ins.
 * Matching uses the topic with namespace prefixes removed, by suffix, so `tns1:RuleEngine/X` and
 * `RuleEngine/X` both match.
 */
import type { RawEvent } from '../events/raw-event.js';
import { stripTopic } from '../events/raw-event.js';
import { BUILT_IN_PARSERS, stateOf } from './built-in.js';

export interface NormalisedEvent {
  topic: string;
  kind: string;
  active: boolean;
  data: Record<string, unknown>;
}

export interface TopicParser {
  /** Slash path without prefixes, matched as a suffix of the event's topic. */
  topic: string;
  kind: string;
  parse(ev: RawEvent): { active: boolean; data?: Record<string, unknown> } | undefined;
}

function suffixMatch(stripped: string, topic: string): boolean {
  const want = stripTopic(topic).replace(/^\/+|\/+$/g, '');
  return stripped === want || stripped.endsWith(`/${want}`);
}

export class ParserRegistry {
  private readonly parsers: TopicParser[];

  constructor(profileEvents: Array<{ topic: string; kind: string }> = [], builtIns: TopicParser[] = BUILT_IN_PARSERS) {
    const mapped = profileEvents.map((m): TopicParser => ({
      topic: m.topic, kind: m.kind, parse: (ev) => ({ active: stateOf(ev.data) ?? true }),
    }));
    this.parsers = [...mapped, ...builtIns];
  }

  /** The normalised event, or undefined for a topic no parser knows. */
  parse(ev: RawEvent): NormalisedEvent | undefined {
    const stripped = stripTopic(ev.topic);
    for (const p of this.parsers) {
      if (!suffixMatch(stripped, p.topic)) continue;
      const r = p.parse(ev);
      if (!r) continue;
      return {
        topic: ev.topic, kind: p.kind, active: r.active,
        data: { ...ev.source, ...ev.data, ...(r.data ?? {}), ...(ev.operation ? { operation: ev.operation } : {}) },
      };
    }
    return undefined;
  }
}
