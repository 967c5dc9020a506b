import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSchemas } from '../../../scripts/gen-schema.js';

describe('committed JSON Schemas', () => {
  for (const [file, text] of Object.entries(generateSchemas())) {
    it(`config/${file} matches the zod schema (run npm run schema when this fails)`, () => {
      const committed = readFileSync(join(import.meta.dirname, '../../../config', file), 'utf8');
      expect(committed).toBe(text);
    });
  }

  it('describes fields with units and defaults', () => {
    const schema = JSON.parse(generateSchemas()['box-config.schema.json']!) as { properties: Record<string, { properties?: Record<string, Record<string, unknown>> }> };
    const timeout = (schema.properties.serial as unknown as { items: { properties: Record<string, Record<string, unknown>> } }).items.properties.timeoutMs!;
    expect(timeout).toMatchObject({ unit: 'ms', default: 300, minimum: 20, maximum: 10000 });
  });
});
