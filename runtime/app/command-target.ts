/**
 * What the center's commands do to this box (contract v1): incident commands go to the incident engine,
 * `siren` to the alarm outputs (bounded by `seconds`), `snapshot` to the cameras (evidence through the
 * outbox), `health` publishes R/health now.
 */
import type { EvidencePort, CommandTarget, OutputPort } from '../core/ports.js';
import { QinheError } from '../core/errors.js';
import type { OutputPattern } from '../../drivers/types.js';
import { ulid } from 'ulid';

export interface IncidentCommands {
  ack(args: { incidentId: string; by: string }): Promise<Record<string, unknown>>;
  onsite(args: { incidentId: string; by: string }): Promise<Record<string, unknown>>;
  resolve(args: { incidentId: string; by: string; outcome: 'handled' | 'false-alarm' }): Promise<Record<string, unknown>>;
  silence(args: { target: string }): Promise<Record<string, unknown>>;
}

const PATTERNS = new Set<OutputPattern>(['continuous', 'fire', 'intrusion', 'chirp', 'escalated']);

export class BoxCommandTarget implements CommandTarget {
  constructor(private readonly deps: {
    incidents: () => IncidentCommands | undefined;
    outputs: OutputPort & { resolveTarget(target: string): string[] };
    evidence: EvidencePort;
    publishHealth: () => Promise<void>;
  }) {}

  private engine(): IncidentCommands {
    const e = this.deps.incidents();
    if (!e) throw new QinheError('QH_DRIVER_FAILED', 'the incident engine is not running');
    return e;
  }

  ack(args: { incidentId: string; by: string }) { return this.engine().ack(args); }
  onsite(args: { incidentId: string; by: string }) { return this.engine().onsite(args); }
  resolve(args: { incidentId: string; by: string; outcome: 'handled' | 'false-alarm' }) { return this.engine().resolve(args); }

  async silence(args: { target: string }): Promise<Record<string, unknown>> {
    const ids = this.deps.outputs.resolveTarget(args.target);
    if (ids.length === 0) throw new QinheError('QH_DRIVER_FAILED', `no output device or zone named ${args.target}`);
    const engineResult = await this.engine().silence(args).catch(() => ({}));
    await Promise.all(ids.map((id) => this.deps.outputs.output({ deviceId: id, pattern: 'off', seconds: 1 })));
    return { ...engineResult, silenced: ids };
  }

  async siren(args: { target: string; pattern: string; seconds: number }): Promise<Record<string, unknown>> {
    const ids = this.deps.outputs.resolveTarget(args.target);
    if (ids.length === 0) throw new QinheError('QH_DRIVER_FAILED', `no siren or strobe named or in zone ${args.target}`);
    const pattern = PATTERNS.has(args.pattern as OutputPattern) ? (args.pattern as OutputPattern) : 'continuous';
    const seconds = Math.max(1, Math.min(300, Math.floor(args.seconds)));
    const results = await Promise.allSettled(ids.map((id) => this.deps.outputs.output({ deviceId: id, pattern, seconds, priority: 5 })));
    const failed = ids.filter((_, i) => results[i]?.status === 'rejected');
    if (failed.length === ids.length) throw new QinheError('QH_DRIVER_FAILED', `no siren could be sounded (${failed.join(', ')})`);
    return { sounding: ids.filter((id) => !failed.includes(id)), failed, pattern, seconds };
  }

  async snapshot(args: { deviceId: string }): Promise<Record<string, unknown>> {
    // A snapshot asked for by the center belongs to no incident: it gets its own id in the evidence topic.
    const ev = await this.deps.evidence.snapshot(args.deviceId, `cmd-${ulid()}`);
    return { evidenceId: ev.id, bytes: ev.bytes, sha256: ev.sha256 };
  }

  async health(): Promise<Record<string, unknown>> {
    await this.deps.publishHealth();
    return { published: true };
  }
}
