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

/**
 * JSON.parse that rejects prototype-reaching keys and nesting deeper than MAX_DEPTH. The nesting is measured
 * on the text before parsing (so a 10,000-deep payload costs one linear scan, not a parse), and the key check
 * (a reviver, slow) runs only when one of the forbidden words occurs in the text at all.
 */
export function safeJsonParse(text: string): unknown {
  nestingCheck(text);
  const suspicious = text.includes('__proto__') || text.includes('constructor') || text.includes('prototype');
  if (!suspicious) return JSON.parse(text);
  return JSON.parse(text, (key, value: unknown) => {
    if (FORBIDDEN_KEYS.has(key)) throw new UnsafeJsonError(`forbidden key ${key}`);
    return value;
  });
}

const OPEN_OBJECT = 0x7b, OPEN_ARRAY = 0x5b, CLOSE_OBJECT = 0x7d, CLOSE_ARRAY = 0x5d, QUOTE = 0x22, BACKSLASH = 0x5c;

/** Throws when brackets outside strings nest deeper than MAX_DEPTH (the top-level value is depth 0). */
function nestingCheck(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i += 1;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth += 1;
      if (depth > MAX_DEPTH) throw new UnsafeJsonError(`nested deeper than ${MAX_DEPTH}`);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth -= 1;
    }
  }
}
