/**
 * Generates the JSON Schemas committed in config/ from the zod schema (the single source of truth):
 * editors validate box configs and profiles with them, and a test fails when they are stale.
 * Run: npm run schema
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { packageRoot } from '../config/paths.js';
import { boxConfigSchema, profileSchema } from '../config/schema.js';
import { secretsSchema } from '../config/secrets.js';

export const SCHEMA_FILES = {
  'box-config.schema.json': { schema: boxConfigSchema, title: 'Qinhe box configuration (version 1)' },
  'profile.schema.json': { schema: profileSchema, title: 'Qinhe device profile' },
  'secrets.schema.json': { schema: secretsSchema, title: 'Qinhe secrets file (mode 0600)' },
} as const;

export function generateSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, { schema, title }] of Object.entries(SCHEMA_FILES)) {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    out[file] = `${JSON.stringify({ title, ...json }, null, 2)}\n`;
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [file, text] of Object.entries(generateSchemas())) {
    const path = join(packageRoot(), 'config', file);
    writeFileSync(path, text);
    process.stdout.write(`wrote ${path}\n`);
  }
}
