/**
 * Signing center commands (tests, the demo, people at a terminal). The box itself only verifies; a private
 * key never lives on a box. Signature: Ed25519 (RFC 8032) over the UTF-8 string
 *   name \n id \n issuedAt \n expiresAt \n canon(args)
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { ulid } from 'ulid';
import type { CommandV1 } from '../core/contract.js';
import { canon } from './canon.js';

export function signingInput(name: string, cmd: Pick<CommandV1, 'id' | 'issuedAt' | 'expiresAt' | 'args'>): Buffer {
  return Buffer.from(`${name}\n${cmd.id}\n${cmd.issuedAt}\n${cmd.expiresAt}\n${canon(cmd.args)}`, 'utf8');
}

export interface CommandBody {
  args?: Record<string, unknown>;
  id?: string;
  issuedAt?: string;
  expiresAt?: string;
  /** Lifetime when expiresAt is not given (default 300 s). */
  ttlS?: number;
  /** Wall time for issuedAt when not given (default now). */
  now?: number;
}

/** Builds and signs a command for topic R/cmd/{name}; JSON.stringify the result to publish it. */
export function signCommand(name: string, body: CommandBody, privateKey: string | KeyObject): CommandV1 {
  const now = body.now ?? Date.now();
  const cmd = {
    v: 1 as const,
    id: body.id ?? ulid(now),
    issuedAt: body.issuedAt ?? new Date(now).toISOString(),
    expiresAt: body.expiresAt ?? new Date(now + (body.ttlS ?? 300) * 1000).toISOString(),
    args: body.args ?? {},
  };
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const sig = sign(null, signingInput(name, cmd), key).toString('base64');
  return { ...cmd, sig };
}

/** A fresh Ed25519 key pair as PEM (PKCS#8 private, SPKI public): for tests and provisioning a center. */
export function generateCenterKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
