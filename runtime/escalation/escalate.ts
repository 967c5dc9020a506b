/**
 * What a stage of the response chain does when it falls due: an `escalated` event naming the stage, a louder
 * local pattern on ack-timeout (the `escalated` pattern on the outputs the incident sounds, or would sound
 * if they had stopped; never on silenced ones), and the SMS fallback to the duty phones on every stage.
 */
import { isoTime } from '../core/contract.js';
import { planActions } from '../incidents/actions.js';
import { detectedMono, type Incident, type Stage } from '../incidents/model.js';
import type { EngineCore } from '../incidents/responses.js';
import { pendingStages } from './chain.js';
import { smsText } from './sms.js';

export function escalate(core: EngineCore, inc: Incident, stage: Stage): void {
  if (!pendingStages(inc, core.config.incidents).some((s) => s.stage === stage)) return;
  inc.stagesDone.push(stage);
  const elapsedS = Math.round((core.clock.mono() - detectedMono(inc)) / 1000);
  const log = core.logFor(inc);
  if (stage === 'ack-timeout') {
    const device = core.devices.find((d) => d.config.id === inc.device.id);
    const plan = planActions({ kind: inc.kind, severity: inc.severity, zone: inc.device.zone, ...(device ? { device } : {}) },
      core.config.actions, core.devices);
    const ids = [...new Set([...inc.sounding, ...plan.sirens])].filter((id) => !inc.silenced.includes(id));
    core.alarms.sound(inc, ids, 'escalated', inc.alarm?.seconds ?? plan.seconds);
  }
  sendSms(core, inc, stage, elapsedS);
  log.warn({ stage, elapsedS }, 'incident escalated');
  core.emit(inc, 'escalated', { stage, elapsedS });
}

function sendSms(core: EngineCore, inc: Incident, stage: Stage, elapsedS: number): void {
  const sms = core.sms;
  const numbers = core.config.incidents.smsNumbers;
  if (!sms || numbers.length === 0) return;
  const text = smsText(inc, stage, elapsedS, core.config.box.id);
  const log = core.logFor(inc);
  // Recorded now so the `escalated` event lists them; sent one at a time (one modem), never blocking the event.
  const actions = numbers.map((to) => {
    const action = { type: 'sms', deviceId: 'modem', to, stage, at: isoTime(core.clock.now()) } as Incident['actions'][number];
    core.alarms.record(inc, action);
    return action;
  });
  void actions.reduce<Promise<void>>(async (prev, action) => {
    await prev;
    try {
      await sms.send(String(action.to), text);
      action.sent = true;
    } catch (err) {
      action.error = err instanceof Error ? err.message : String(err);
      log.error({ err, stage }, 'SMS fallback failed');
    }
  }, Promise.resolve());
}
