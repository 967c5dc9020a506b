/**
 * Command envelope and argument schemas (contract v1 command table). Unknown fields are ignored
 * (forward compatible), every known field is checked.
 */
import { z } from 'zod';
import { PATTERNS } from '../../config/schema.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const time = z.string().max(40).regex(RFC3339).refine((s) => Number.isFinite(Date.parse(s)), 'not a valid time');
export const commandIdSchema = z.string().regex(/^[0-9A-Za-z_-]{1,64}$/);

export const envelopeSchema = z.object({
  v: z.literal(1),
  id: commandIdSchema,
  issuedAt: time,
  expiresAt: time,
  args: z.record(z.string(), z.unknown()),
  sig: z.string().min(1).max(200),
});

const ref = z.string().min(1).max(64);
const by = z.string().min(1).max(64);
const target = z.string().min(1).max(48);

export const ARG_SCHEMAS = {
  ack: z.object({ incidentId: ref, by }),
  onsite: z.object({ incidentId: ref, by }),
  resolve: z.object({ incidentId: ref, by, outcome: z.enum(['handled', 'false-alarm']) }),
  siren: z.object({ target, pattern: z.enum(PATTERNS), seconds: z.number().int().min(1).max(300) }),
  silence: z.object({ target }),
  snapshot: z.object({ deviceId: target }),
  health: z.object({}),
} as const;

export type CommandName = keyof typeof ARG_SCHEMAS;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(ARG_SCHEMAS, name);
}
