/**
 * The demo's inventory: the Caima sheet (config/demo/caima-inventory.csv), optionally cut to its first N rows
 * while keeping at least one device of every profile (so every incident kind can still happen), with each
 * address rewritten to where the simulated device really is (PTY link, camera port). The result is written
 * as a CSV in the data dir and provisioned from there by the same code as `qinhe provision`.
 */
import { readFileSync } from 'node:fs';
import { parseInventory, type InventoryRow } from '../../config/inventory.js';
import { formatIssue } from '../../config/issues.js';
import { writeFileAtomic } from '../../config/atomic-write.js';
import type { DeviceConfig } from '../../config/schema.js';
import { QinheError } from '../core/errors.js';

export function readInventory(file: string): InventoryRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new QinheError('QH_CONFIG_IO', `cannot read the demo inventory ${file}`, { cause: err });
  }
  const inv = parseInventory(text, file);
  if (inv.issues.length > 0) throw new QinheError('QH_CONFIG_INVALID', `demo inventory invalid:\n${inv.issues.map(formatIssue).join('\n')}`);
  return inv.rows;
}

/**
 * The first `n` rows, plus the first row of every profile not among them (so the estate keeps every kind);
 * spreadsheet order is kept. Without `n`, every row.
 */
export function selectRows<T extends { device: Pick<DeviceConfig, 'profile'> }>(rows: T[], n?: number): T[] {
  if (n === undefined || n >= rows.length) return [...rows];
  const keep = new Set<number>();
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    if (!seen.has(r.device.profile)) { seen.add(r.device.profile); keep.add(i); }
  });
  for (let i = 0; i < rows.length && keep.size < Math.max(n, seen.size); i++) keep.add(i);
  return rows.filter((_, i) => keep.has(i));
}

const COLUMNS = ['id', 'type', 'profile', 'zone', 'location', 'address', 'notes'] as const;

function cell(v: string | undefined): string {
  const s = v ?? '';
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Inventory v1 CSV of these devices, with each address given by `addressOf`. */
export function inventoryCsv(devices: DeviceConfig[], addressOf: (id: string) => string): string {
  const lines = [COLUMNS.join(',')];
  for (const d of devices) {
    const row: Record<(typeof COLUMNS)[number], string | undefined> = {
      id: d.id, type: d.type, profile: d.profile, zone: d.zone, location: d.location, address: addressOf(d.id), notes: d.notes,
    };
    lines.push(COLUMNS.map((c) => cell(row[c])).join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function writeInventory(file: string, devices: DeviceConfig[], addressOf: (id: string) => string): void {
  writeFileAtomic(file, inventoryCsv(devices, addressOf));
}
