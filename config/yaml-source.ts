/**
 * YAML parsing that keeps positions, so schema errors can name the file, line and column of the offending
 * value. Parse errors (bad indentation, tabs, duplicate keys) are reported the same way.
 */
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { pathToString, type ConfigIssue } from './issues.js';

export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  issues: ConfigIssue[];
  value: unknown;
}

export function parseYamlSource(text: string, file: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true });
  const issues: ConfigIssue[] = [];
  for (const err of [...doc.errors, ...doc.warnings]) {
    const pos = lines.linePos(err.pos[0]);
    const opened = err.code === 'MISSING_CHAR' && /quote/.test(err.message) ? unclosedQuoteLine(text, pos.line) : undefined;
    if (opened !== undefined) {
      // The parser notices a missing quote where it gives up (often the end of the file): name where it opened.
      issues.push({ file, line: opened, message: 'YAML: a quoted value opened on this line is never closed' });
      continue;
    }
    issues.push({ file, line: pos.line, column: pos.col, message: `YAML: ${err.message.split('\n')[0]}` });
  }
  const value = issues.length > 0 ? undefined : doc.toJS({ maxAliasCount: 100 });
  return { file, doc, lines, issues, value };
}

/** The last line up to `beforeLine` with an odd number of unescaped double or single quotes outside comments. */
function unclosedQuoteLine(text: string, beforeLine: number): number | undefined {
  let found: number | undefined;
  text.split('\n').slice(0, beforeLine).forEach((raw, i) => {
    const line = raw.replace(/\\./g, '');
    const dq = (line.match(/"/g) ?? []).length;
    const sq = (line.replace(/"[^"]*"/g, '').match(/'/g) ?? []).length;
    if (dq % 2 === 1 || sq % 2 === 1) found = i + 1;
  });
  return found;
}

/** Position of the node at `path` (or of its nearest existing parent). */
export function positionOf(src: YamlSource, path: ReadonlyArray<PropertyKey>, key?: string): { line?: number; column?: number } {
  let p = path.map((x) => (typeof x === 'symbol' ? String(x) : x));
  for (;;) {
    const node: unknown = p.length === 0 ? src.doc.contents : src.doc.getIn(p, true);
    if (isNode(node)) {
      let offset = node.range?.[0];
      if (key !== undefined && isMap(node)) {
        const pair = node.items.find((it) => isScalar(it.key) && it.key.value === key);
        if (pair && isNode(pair.key)) offset = pair.key.range?.[0];
      }
      if (offset === undefined) return {};
      const pos = src.lines.linePos(offset);
      return { line: pos.line, column: pos.col };
    }
    if (p.length === 0) return {};
    p = p.slice(0, -1);
  }
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/** Turns zod issues into ConfigIssues with positions. `prefix` is prepended to paths (e.g. when validating a part). */
export function zodIssues(src: YamlSource, error: z.ZodError, prefix: PropertyKey[] = []): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ file: src.file, ...positionOf(src, path, key), path: pathToString([...path, key]), message: `unknown key "${key}"` });
      }
      continue;
    }
    const value = valueAt(src.value, path);
    const message = value === undefined && issue.code === 'invalid_type' ? `required: ${issue.message}` : issue.message;
    out.push({ file: src.file, ...positionOf(src, path), path: pathToString(path), value: typeof value === 'object' ? undefined : value, message });
  }
  return out;
}
