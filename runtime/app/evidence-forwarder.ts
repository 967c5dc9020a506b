/**
 * Evidence goes upstream through the outbox: after the camera driver has written a snapshot or clip (with its
 * sha256), the file is appended on the evidence lane as R/evidence/{incidentId}/{evidenceId} with the MQTT 5
 * contentType and the user properties sha256, capturedAt, deviceId (contract v1).
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { EvidencePort, OutboxPort } from '../core/ports.js';
import { isoTime } from '../core/contract.js';

type Captured = Awaited<ReturnType<EvidencePort['snapshot']>>;

export class EvidenceForwarder implements EvidencePort {
  constructor(
    private readonly inner: () => EvidencePort | undefined,
    private readonly outbox: () => OutboxPort | null,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async snapshot(cameraId: string, incidentId: string): Promise<Captured> {
    const port = this.inner();
    if (!port) throw new Error('no camera driver is running');
    const ev = await port.snapshot(cameraId, incidentId);
    await this.forward(ev, cameraId, incidentId);
    return ev;
  }

  async clip(cameraId: string, incidentId: string, eventMono: number): Promise<Captured> {
    const port = this.inner();
    if (!port?.clip) throw new Error('no camera driver with clips is running');
    const ev = await port.clip(cameraId, incidentId, eventMono);
    await this.forward(ev, cameraId, incidentId);
    return ev;
  }

  private async forward(ev: Captured, deviceId: string, incidentId: string): Promise<void> {
    const outbox = this.outbox();
    if (!outbox) {
      this.logger.warn({ evidence: ev.id, device: deviceId }, 'store unavailable: evidence kept on disk only');
      return;
    }
    const payload = await readFile(ev.file);
    await outbox.append({
      lane: 'evidence', topic: `evidence/${incidentId}/${ev.id}`, payload, qos: 1,
      properties: { contentType: ev.mime, userProperties: { sha256: ev.sha256, capturedAt: isoTime(this.now()), deviceId } },
    });
  }
}
