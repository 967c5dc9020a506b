/** A recording CommandTarget and outbox for command tests. */
import type { OutboxMessage, OutboxPort, CommandTarget } from '../../../runtime/core/ports.js';
import type { IncidentEventDraft, IncidentEventV1 } from '../../../runtime/core/contract.js';

export class RecordingTarget implements CommandTarget {
  readonly calls: Array<{ name: string; args: unknown }> = [];
  failWith: string | null = null;
  private rec(name: string, args: unknown, result: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    this.calls.push({ name, args });
    if (this.failWith) return Promise.reject(new Error(this.failWith));
    return Promise.resolve(result);
  }
  ack(a: { incidentId: string; by: string }) { return this.rec('ack', a, { incidentId: a.incidentId, state: 'acknowledged' }); }
  onsite(a: { incidentId: string; by: string }) { return this.rec('onsite', a); }
  resolve(a: { incidentId: string; by: string; outcome: 'handled' | 'false-alarm' }) { return this.rec('resolve', a); }
  siren(a: { target: string; pattern: string; seconds: number }) { return this.rec('siren', a, { until: 'T' }); }
  silence(a: { target: string }) { return this.rec('silence', a); }
  snapshot(a: { deviceId: string }) { return this.rec('snapshot', a, { evidenceId: '01EVID' }); }
  health() { return this.rec('health', {}); }
}

export class RecordingOutbox implements OutboxPort {
  readonly messages: OutboxMessage[] = [];
  appendIncident(_d: IncidentEventDraft): Promise<IncidentEventV1> {
    return Promise.reject(new Error('not used'));
  }
  append(msg: OutboxMessage): Promise<void> {
    this.messages.push(msg);
    return Promise.resolve();
  }
}
