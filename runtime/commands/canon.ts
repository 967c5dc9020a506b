/**
 * canon(args) of contract v1: JSON with object keys sorted at every level and no white space, the bytes the
 * center signs. And a hostile-input JSON parse for command payloads: keys that could reach an object's
 * prototype (`__proto__`, `constructor`, `prototype`) make the payload invalid, and nesting is bounded.
 */
export const MAX_DEPTH = 32;

export class CanonError extends Error {}

function canonInner(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new CanonError(`nested deeper than ${MAX_DEPTH}`);
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonError('non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonInner(v, depth + 1)).join(',')}]`;
      const obj = value as Record<string, unknown>;
      // Sorted by UTF-16 code units (Array.prototype.sort default), as JSON.stringify readers in most languages
      // that sort by code point agree for keys in the BMP; documented for the center.
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonInner(obj[k], depth + 1)}`).join(',')}}`;
    }
    default:
      throw new CanonError(`cannot canonicalise a ${typeof value}`);
  }
}

/** Canonical JSON: keys sorted at every level, no white space. Throws CanonError on values JSON cannot carry. */
export function canon(value: unknown): string {
  return canonInner(value, 0);
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export class UnsafeJsonError extends Error {}

/** JSON.parse that rejects prototype-reaching keys and nesting deeper than MAX_DEPTH. */
export function safeJsonParse(text: string): unknown {
  const parsed: unknown = JSON.parse(text, (key, value: unknown) => {
    if (FORBIDDEN_KEYS.has(key)) throw new UnsafeJsonError(`forbidden key ${key}`);
    return value;
  });
  depthCheck(parsed, 0);
  return parsed;
}

function depthCheck(value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw new UnsafeJsonError(`nested deeper than ${MAX_DEPTH}`);
  if (value === null || typeof value !== 'object') return;
  for (const v of Array.isArray(value) ? value : Object.values(value)) depthCheck(v, depth + 1);
}
