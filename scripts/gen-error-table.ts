/**
 * The README's error-code table, generated from the catalogue in runtime/core/errors.ts.
 * Run: npm run generate (a test fails when the README is stale).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../config/paths.js';
import { ERROR_CATALOGUE } from '../runtime/core/errors.js';

const START = '<!-- error-table:start -->';
const END = '<!-- error-table:end -->';

export function errorTable(): string {
  const rows = Object.entries(ERROR_CATALOGUE).map(([code, e]) => `| \`${code}\` | ${e.area} | ${e.transient ? 'yes' : 'no'} | ${e.description} |`);
  return ['| code | area | transient | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

export function readmeWithTable(readme: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error('README has no error-table markers');
  return `${readme.slice(0, a + START.length)}\n${errorTable()}\n${readme.slice(b)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = join(packageRoot(), 'README.md');
  writeFileSync(file, readmeWithTable(readFileSync(file, 'utf8')));
  process.stdout.write(`wrote the error table in ${file}\n`);
}
