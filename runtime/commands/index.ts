/** Center → box commands: dispatcher.ts (checks and dispatch), sign.ts (signing helper), canon.ts, keys.ts. */
export { CommandDispatcher, MAX_COMMAND_BYTES, type CommandDispatcherOptions } from './dispatcher.js';
export { canon, safeJsonParse } from './canon.js';
export { signCommand, signingInput, generateCenterKeyPair, type CommandBody } from './sign.js';
export { loadCenterKeys, toPublicKey } from './keys.js';
export { ARG_SCHEMAS, isCommandName, type CommandName } from './schemas.js';
