/**
 * The SMS fallback channel: when the uplink is down or nobody acknowledges, the duty phones still hear of a
 * critical incident. Texts are plain ASCII (GSM 7-bit default alphabet in text mode, 3GPP TS 23.038), at most
 * 160 characters, so they go out as one message without UCS-2.
 */
import type { Incident, Stage } from '../incidents/model.js';

export interface SmsSender {
  send(to: string, text: string): Promise<void>;
}

const STAGE_TEXT: Record<Stage, string> = {
  'ack-timeout': 'NOT ACKNOWLEDGED',
  'onsite-reminder': 'NOBODY ON SITE',
  reinforce: 'SEND REINFORCEMENT',
};

export function smsText(inc: Pick<Incident, 'id' | 'kind' | 'severity' | 'device' | 'summary'>, stage: Stage, elapsedS: number, box: string): string {
  const text = `QINHE ${box}: ${inc.severity.toUpperCase()} ${inc.kind} ${STAGE_TEXT[stage]} after ${elapsedS}s. `
    + `Zone ${inc.device.zone}, ${inc.device.id}. ${inc.summary} #${inc.id.slice(-8)}`;
  return asciiOnly(text).slice(0, 160);
}

/** Drops what the GSM default alphabet cannot carry in text mode (Chinese location text, °, control chars). */
export function asciiOnly(s: string): string {
  return s.replace(/°/g, 'deg').replace(/[^\x20-\x7e]/g, '').replace(/\s+/g, ' ').trim();
}
