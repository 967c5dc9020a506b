import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readmeWithTable } from '../../../scripts/gen-error-table.js';
import { ERROR_CATALOGUE, isFatal, isTransient, QinheError } from '../../../runtime/core/errors.js';

describe('error catalogue', () => {
  it('is documented in the README (run npm run generate when this fails)', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
    expect(readme).toBe(readmeWithTable(readme));
    for (const code of Object.keys(ERROR_CATALOGUE)) expect(readme).toContain(`\`${code}\``);
  });

  it('classifies by code, not by message', () => {
    expect(isTransient(new QinheError('QH_MODBUS_TIMEOUT', 'whatever'))).toBe(true);
    expect(isTransient(new QinheError('QH_CONFIG_INVALID', 'timeout'))).toBe(false);
    expect(isFatal(new QinheError('QH_CONFIG_INVALID', 'x'))).toBe(true);
    expect(isTransient(new Error('timeout'))).toBe(false);
  });
});
