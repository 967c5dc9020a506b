export { evaluateRule, ruleWants } from './evaluate.js';
export { resolveRules, type ResolveWarning } from './resolve.js';
export { RuleRunner, type RuleVerdict } from './runner.js';
export type { RuleInput, RuleResult, Verdict } from './types.js';
