import type { Logger } from 'pino';
import type { BoxConfig } from '../../config/schema.js';
import { ModemSmsSender } from './sms-modem.js';

export { AtSession, type ModemPort } from './at-session.js';
export { EscalationTimers, pendingStages, type StageDue } from './chain.js';
export { escalate } from './escalate.js';
export { ModemSmsSender, type ModemSmsContext, type OpenedPort } from './sms-modem.js';
export { asciiOnly, smsText, type SmsSender } from './sms.js';

/** The SMS fallback the config asks for (a modem path and at least one duty number), else undefined. */
export function smsFromConfig(config: BoxConfig, logger: Logger): ModemSmsSender | undefined {
  const { modemPath, smsNumbers } = config.incidents;
  if (!modemPath || smsNumbers.length === 0) return undefined;
  return new ModemSmsSender({ path: modemPath, logger });
}
