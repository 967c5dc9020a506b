export { IncidentEngine } from './engine.js';
export type { IncidentEngineContext } from './context.js';
export type { Incident, Stage } from './model.js';
export { planActions, type ActionPlan } from './actions.js';
export { CORRELATIONS, correlate, type Correlation } from './correlation.js';
export type { SmsSender } from '../escalation/sms.js';
