/**
 * Center → box commands (contract v1): R/cmd/{name} → checks → CommandTarget → a reply on R/reply.
 *
 *   size ≤ 64 KiB → safe JSON parse → envelope (zod) → known name → Ed25519 signature (any center key)
 *   → not expired, issuedAt ≤ now + 5 min → replay table claim (durable, ≥ 24 h) → args (zod) → target
 *
 * Every path, each rejection included, ends in exactly one reply, appended to the outbox reply lane (so a
 * reply survives an uplink outage like any other message). Reply codes: malformed/oversize/bad envelope or
 * args → `invalid`; both time-window failures (expired, issuedAt too far ahead) → `expired` (the message says
 * which). The signature is checked before the replay claim, so unsigned junk cannot fill the replay table.
 * A target method that throws (or takes longer than commandTimeoutMs) → `failed` with its message.
 */
import { verify, type KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../drivers/types.js';
import type { ReplyErrorCode, ReplyV1 } from '../core/contract.js';
import { errorMessage } from '../core/errors.js';
import { LogBudget } from '../core/log-budget.js';
import type { CommandTarget, OutboxPort } from '../core/ports.js';
import { ReplayTable, type Store } from '../store/index.js';
import { safeJsonParse } from './canon.js';
import { toPublicKey } from './keys.js';
import { ARG_SCHEMAS, commandIdSchema, envelopeSchema, isCommandName, type CommandName } from './schemas.js';
import { signingInput } from './sign.js';

export const MAX_COMMAND_BYTES = 64 * 1024;
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

export interface CommandDispatcherOptions {
  keys: Array<KeyObject | string>;
  target: CommandTarget;
  outbox: OutboxPort;
  store: Store;
  logger: Logger;
  clock?: Clock;
  commandTimeoutMs?: number;
}

/**
 * A rejected command. Not an Error: nothing needs its stack, and capturing one per payload was a tenth of the
 * CPU a flood of junk costs.
 */
class Rejection {
  constructor(readonly code: ReplyErrorCode, readonly message: string) {}
}

export class CommandDispatcher {
  private readonly keys: KeyObject[];
  private readonly replay: ReplayTable;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  /** Rejections are logged at most 30 a minute (each one is still answered on R/reply). */
  private readonly rejectionLogs: LogBudget;

  constructor(private readonly o: CommandDispatcherOptions) {
    this.keys = o.keys.map((k, i) => toPublicKey(k, `center key ${i + 1}`));
    this.replay = new ReplayTable(o.store);
    this.clock = o.clock ?? systemClock;
    this.logger = o.logger.child({ component: 'commands' });
    this.timeoutMs = o.commandTimeoutMs ?? 30_000;
    this.rejectionLogs = new LogBudget(30, 60_000, () => this.clock.mono());
  }

  /** Checks and runs one command; never throws; the reply is also appended to the outbox. */
  async handle(name: string, payload: Buffer): Promise<ReplyV1> {
    let id: string | null = null;
    let reply: ReplyV1;
    try {
      const checked = this.check(name, payload, (found) => { id = found; });
      const result = await this.run(checked.name, checked.args);
      reply = { v: 1, id: checked.id, ok: true, result };
      this.logger.info({ command: name, id: checked.id }, 'command executed');
    } catch (err) {
      const code: ReplyErrorCode = err instanceof Rejection ? err.code : 'failed';
      const message = (err instanceof Rejection ? err.message : errorMessage(err)).slice(0, 300);
      reply = { v: 1, id, ok: false, error: { code, message } };
      const budget = this.rejectionLogs.take();
      if (budget) {
        this.logger.warn({ command: String(name).slice(0, 64), id, code, reason: message,
          ...(budget.suppressed > 0 ? { notLogged: budget.suppressed } : {}) }, 'command rejected');
      }
    }
    try {
      await this.o.outbox.append({ lane: 'reply', topic: 'reply', payload: reply as unknown as Record<string, unknown>, qos: 1 });
    } catch (err) {
      this.logger.error({ err, id }, 'cannot store the command reply');
    }
    return reply;
  }

  private check(name: string, payload: Buffer, setId: (id: string) => void): { id: string; name: CommandName; args: unknown } {
    if (!Buffer.isBuffer(payload)) throw new Rejection('invalid', 'payload is not bytes');
    if (payload.length > MAX_COMMAND_BYTES) throw new Rejection('invalid', `payload larger than ${MAX_COMMAND_BYTES} bytes`);
    let parsed: unknown;
    try {
      parsed = safeJsonParse(payload.toString('utf8'));
    } catch (err) {
      throw new Rejection('invalid', `malformed JSON: ${errorMessage(err).slice(0, 100)}`);
    }
    const rawId = (parsed as { id?: unknown } | null)?.id;
    if (typeof parsed === 'object' && parsed !== null && commandIdSchema.safeParse(rawId).success) setId(rawId as string);
    const env = envelopeSchema.safeParse(parsed);
    if (!env.success) {
      const first = env.error.issues[0];
      throw new Rejection('invalid', `bad envelope: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid'}`);
    }
    const cmd = env.data;
    if (typeof name !== 'string' || !isCommandName(name)) throw new Rejection('unknown-command', `unknown command ${JSON.stringify(String(name).slice(0, 32))}`);
    let input: Buffer;
    try {
      input = signingInput(name, cmd);
    } catch (err) {
      throw new Rejection('invalid', `args cannot be canonicalised: ${errorMessage(err)}`);
    }
    const sig = Buffer.from(cmd.sig, 'base64');
    if (sig.length !== 64 || !this.keys.some((k) => verify(null, input, k, sig))) {
      throw new Rejection('bad-signature', 'signature does not verify with any center key');
    }
    const now = this.clock.now();
    const issued = Date.parse(cmd.issuedAt);
    const expires = Date.parse(cmd.expiresAt);
    if (expires <= now) throw new Rejection('expired', `expired at ${cmd.expiresAt}`);
    if (issued > now + MAX_FUTURE_SKEW_MS) throw new Rejection('expired', `issuedAt ${cmd.issuedAt} is more than 5 min in the future`);
    if (!this.replay.claim(cmd.id, now, expires)) throw new Rejection('replayed', `command ${cmd.id} was already received`);
    const args = ARG_SCHEMAS[name].safeParse(cmd.args);
    if (!args.success) {
      const first = args.error.issues[0];
      throw new Rejection('invalid', `bad args: ${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'}`);
    }
    return { id: cmd.id, name, args: args.data };
  }

  private async run(name: CommandName, args: unknown): Promise<Record<string, unknown>> {
    const t = this.o.target;
    const call = (): Promise<Record<string, unknown>> => {
      switch (name) {
        case 'ack': return t.ack(args as Parameters<CommandTarget['ack']>[0]);
        case 'onsite': return t.onsite(args as Parameters<CommandTarget['onsite']>[0]);
        case 'resolve': return t.resolve(args as Parameters<CommandTarget['resolve']>[0]);
        case 'siren': return t.siren(args as Parameters<CommandTarget['siren']>[0]);
        case 'silence': return t.silence(args as Parameters<CommandTarget['silence']>[0]);
        case 'snapshot': return t.snapshot(args as Parameters<CommandTarget['snapshot']>[0]);
        case 'health': return t.health();
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${name} did not finish within ${this.timeoutMs} ms`)), this.timeoutMs);
      timer.unref();
    });
    try {
      const result = await Promise.race([Promise.resolve().then(call), timeout]);
      return result !== null && typeof result === 'object' && !Array.isArray(result) ? result : {};
    } finally {
      clearTimeout(timer);
    }
  }
}
