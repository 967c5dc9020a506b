/** The center's public keys (PEM SubjectPublicKeyInfo, Ed25519; one or more so the center can rotate). */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { QinheError } from '../core/errors.js';

export function toPublicKey(key: string | KeyObject, origin = 'key'): KeyObject {
  let k: KeyObject;
  try {
    k = typeof key === 'string' ? createPublicKey(key) : key;
  } catch (err) {
    throw new QinheError('QH_CONFIG_INVALID', `${origin}: not a PEM public key`, { cause: err });
  }
  if (k.type !== 'public' || k.asymmetricKeyType !== 'ed25519') {
    throw new QinheError('QH_CONFIG_INVALID', `${origin}: expected an Ed25519 public key, got ${k.type} ${k.asymmetricKeyType ?? '?'}`);
  }
  return k;
}

/** Reads uplink.centerKeys; every file must hold an Ed25519 SPKI public key. */
export function loadCenterKeys(files: string[]): KeyObject[] {
  return files.map((file) => {
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (err) {
      throw new QinheError('QH_CONFIG_IO', `cannot read center key ${file}`, { cause: err });
    }
    return toPublicKey(pem, file);
  });
}
