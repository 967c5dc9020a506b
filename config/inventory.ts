/**
 * The installer's device list (inventory v1, ../shared/spec/inventory-v1.md): CSV, UTF-8 with or without
 * BOM, RFC 4180 quoting, a header row. Extra columns are kept as tags, except `username` and `password`,
 * which are camera credentials and go to the secrets file, never into the config.
 */
import { parse } from 'csv-parse/sync';
import type { ConfigIssue } from './issues.js';
import { deviceSchema, type DeviceConfig } from './schema.js';

export const REQUIRED_COLUMNS = ['id', 'type', 'profile', 'zone', 'address'] as const;
export const KNOWN_COLUMNS = new Set(['id', 'type', 'profile', 'zone', 'location', 'address', 'notes']);
export const CREDENTIAL_COLUMNS = new Set(['username', 'password']);

export interface InventoryRow {
  device: DeviceConfig;
  /** spreadsheet row number (the header is row 1) */
  row: number;
  credentials?: { username: string; password: string };
}

export interface Inventory {
  rows: InventoryRow[];
  issues: ConfigIssue[];
}

export function parseInventory(text: string, file: string): Inventory {
  const issues: ConfigIssue[] = [];
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: false }) as string[][];
  } catch (err) {
    const e = err as Error & { lines?: number };
    return { rows: [], issues: [{ file, ...(e.lines ? { line: e.lines } : {}), message: `CSV: ${e.message}` }] };
  }
  const header = (records[0] ?? []).map((h) => h.trim().toLowerCase());
  if (header.length === 0) return { rows: [], issues: [{ file, row: 1, message: 'the file is empty: expected a header row' }] };
  for (const col of REQUIRED_COLUMNS) {
    if (!header.includes(col)) issues.push({ file, row: 1, field: col, message: `required column "${col}" is missing from the header` });
  }
  header.forEach((h, i) => {
    if (header.indexOf(h) !== i) issues.push({ file, row: 1, field: h, message: 'column appears twice in the header' });
  });
  if (issues.length > 0) return { rows: [], issues };

  const rows: InventoryRow[] = [];
  records.slice(1).forEach((cells, index) => {
    const row = index + 2;
    if (cells.length !== header.length) {
      issues.push({ file, row, message: `has ${cells.length} cells, the header has ${header.length} (a stray comma or a missing quote?)` });
      return;
    }
    const get = (col: string) => (cells[header.indexOf(col)] ?? '').trim();
    const tags: Record<string, string> = {};
    header.forEach((h, i) => {
      if (!KNOWN_COLUMNS.has(h) && !CREDENTIAL_COLUMNS.has(h) && (cells[i] ?? '').trim() !== '') tags[h] = (cells[i] ?? '').trim();
    });
    const candidate = {
      id: get('id'), type: get('type'), profile: get('profile'), zone: get('zone'), address: get('address'),
      ...(get('location') ? { location: get('location') } : {}),
      ...(get('notes') ? { notes: get('notes') } : {}),
      ...(Object.keys(tags).length > 0 ? { tags } : {}),
    };
    const parsed = deviceSchema.safeParse(candidate);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? '');
        const value = (candidate as Record<string, unknown>)[field];
        const message = value === '' ? 'required, but empty' : columnReason(field, issue.message);
        issues.push({ file, row, field, value: value === '' ? undefined : value, message });
      }
      return;
    }
    const username = header.includes('username') ? get('username') : '';
    const password = header.includes('password') ? get('password') : '';
    rows.push({ device: parsed.data, row, ...(username && password ? { credentials: { username, password } } : {}) });
  });
  return { rows, issues };
}

function columnReason(field: string, fallback: string): string {
  switch (field) {
    case 'id': return 'must be 1–48 characters of a-z 0-9 -';
    case 'type': return 'must be 1–32 characters of a-z 0-9 -';
    case 'zone': return 'must be 1–32 characters';
    case 'location': return 'must be at most 200 characters';
    default: return fallback;
  }
}
