/**
 * The broken-file corpus: every file is one valid base (tests/fixtures/faults/valid-*.{yaml,csv}) with one
 * fault, and says where the loader must point (the line of a YAML file, the row of a CSV file).
 *
 * Config faults: each scalar given a mapping (wrong type), each number given text, each required key dropped,
 * an unknown key inserted, bad addresses, a duplicate id / unit / GPIO line, an unknown profile, YAML syntax
 * (tab, unclosed quote, unclosed bracket, bad indentation, duplicate key).
 * Inventory faults: each required cell emptied, a bad id, an unknown type or profile, bad addresses, duplicate
 * id / unit / GPIO line, a stray comma, an unclosed quote, each required column dropped from the header.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const VALID_CONFIG = fileURLToPath(new URL('../../fixtures/faults/valid-config.yaml', import.meta.url));
export const VALID_INVENTORY = fileURLToPath(new URL('../../fixtures/faults/valid-inventory.csv', import.meta.url));

export interface Broken {
  name: string;
  kind: 'config' | 'inventory';
  text: string;
  /** The line (config) or row (inventory) the message must name; `near` allows ± that many. */
  at: number;
  near: number;
  /** Text the message must contain (a key name, a value), if any. */
  mention?: string;
}

const REQUIRED_CONFIG_KEYS = new Set(['version', 'id', 'type', 'profile', 'zone', 'address', 'url', 'path', 'kind']);
const BAD_MODBUS = ['modbus-rtu:///dev/ttyQH0?unit=0', 'modbus-rtu:///dev/ttyQH0?unit=248', 'modbus-rtu:///dev/ttyQH0',
  'modbus-rtu:///dev/ttyQH0?unit=x', 'modbus-rtu://dev/ttyQH0?unit=1', 'modbus-tcp://10.0.0.1?unit=1'];
const BAD_GPIO = ['gpio://gpiochip0/-1', 'gpio://gpiochip0', 'gpio:///17', 'gpio://gpiochip0/17x'];

export function configCorpus(): Broken[] {
  const base = readFileSync(VALID_CONFIG, 'utf8');
  const lines = base.split('\n');
  const out: Broken[] = [];
  const put = (name: string, mutated: string[], at: number, near = 0, mention?: string) =>
    out.push({ name, kind: 'config', text: mutated.join('\n'), at, near, ...(mention ? { mention } : {}) });
  lines.forEach((line, i) => {
    const m = /^(\s*)(- )?([A-Za-z]+): (.+)$/.exec(line);
    if (!m) return;
    const [, indent, dash, key, value] = m as unknown as [string, string, string | undefined, string, string];
    const n = i + 1;
    const swap = (v: string) => lines.map((l, k) => (k === i ? `${indent}${dash ?? ''}${key}: ${v}` : l));
    put(`type-map-${key}-l${n}`, swap('{ wrong: [1, 2] }'), n, 0, key);
    if (/^\d+$/.test(value)) {
      put(`type-text-${key}-l${n}`, swap('"fast"'), n, 0, key);
      put(`range-${key}-l${n}`, swap('-5'), n, 0, key);
    }
    const inActions = i > lines.indexOf('actions:');
    if (REQUIRED_CONFIG_KEYS.has(key) && !(inActions && key !== 'kind')) {
      if (dash) {
        // The first key of a list item: drop it and move the dash to the next key.
        const mutated = [...lines];
        const next = mutated[i + 1] ?? '';
        mutated.splice(i, 2, `${indent}- ${next.trim()}`);
        put(`drop-${key}-l${n}`, mutated, n, 8, key);
      } else {
        put(`drop-${key}-l${n}`, lines.filter((_, k) => k !== i), n, 8, key);
      }
    }
    if (!dash && indent.length > 0) {
      put(`unknown-key-after-l${n}`, [...lines.slice(0, i + 1), `${indent}colour: red`, ...lines.slice(i + 1)], n + 1, 0, 'colour');
    }
    if (key === 'address' && value.includes('modbus')) {
      for (const bad of BAD_MODBUS) put(`bad-address-l${n}-${BAD_MODBUS.indexOf(bad)}`, swap(`"${bad}"`), n);
      const other = lines.findIndex((l, k) => k !== i && l.includes('modbus-rtu'));
      put(`duplicate-unit-l${n}`, swap(lines[other]!.split(': ')[1]!), Math.max(n, other + 1), Math.abs(n - other - 1));
    }
    if (key === 'address' && value.includes('gpio')) {
      for (const bad of BAD_GPIO) put(`bad-gpio-l${n}-${BAD_GPIO.indexOf(bad)}`, swap(`"${bad}"`), n);
      const other = lines.findIndex((l, k) => k !== i && l.includes('gpio://'));
      put(`duplicate-gpio-l${n}`, swap(lines[other]!.split(': ')[1]!), Math.max(n, other + 1), Math.abs(n - other - 1));
    }
    if (key === 'profile') put(`unknown-profile-l${n}`, swap('smoke-detector-x9'), n, 0, 'smoke-detector-x9');
    const devicesAt = lines.indexOf('devices:');
    const actionsAt = lines.indexOf('actions:');
    if (key === 'id' && dash && i > devicesAt + 1 && i < actionsAt) {
      const first = lines.findIndex((l) => l === '  - id: smoke-b1');
      if (first >= 0 && first !== i) put(`duplicate-id-l${n}`, swap('smoke-b1'), n, n - first - 1, 'smoke-b1');
    }
    if (i > 2 && i % 3 === 0) {
      put(`yaml-tab-l${n}`, lines.map((l, k) => (k === i ? `\t${l.trimStart()}` : l)), n, 1);
      put(`yaml-quote-l${n}`, swap(`"unclosed ${value.replace(/"/g, '')}`), n, 2);
      put(`yaml-bracket-l${n}`, swap('[a, b'), n, 2);
    }
    if (i > 2 && i % 4 === 1 && indent.length > 0 && !dash) {
      put(`yaml-indent-l${n}`, lines.map((l, k) => (k === i ? ` ${l}` : l)), n, 1);
      put(`yaml-dup-key-l${n}`, [...lines.slice(0, i + 1), line, ...lines.slice(i + 1)], n + 1, 1);
    }
  });
  return out;
}

/** Splits one CSV line into cells (the base file's own quoting only). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '"' && line[i + 1] === '"') { cur += '""'; i++; } else if (c === '"') { q = false; cur += c; } else cur += c;
    } else if (c === '"') { q = true; cur += c; } else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
  }
  out.push(cur);
  return out;
}

export function inventoryCorpus(): Broken[] {
  const base = readFileSync(VALID_INVENTORY, 'utf8').trimEnd();
  const lines = base.split('\n');
  const header = cells(lines[0]!);
  const col = (name: string) => header.indexOf(name);
  const out: Broken[] = [];
  const put = (name: string, mutated: string[], at: number, near = 0, mention?: string) =>
    out.push({ name, kind: 'inventory', text: `${mutated.join('\n')}\n`, at, near, ...(mention ? { mention } : {}) });
  for (const required of ['id', 'type', 'profile', 'zone', 'address']) {
    put(`drop-column-${required}`, lines.map((l) => cells(l).filter((_, k) => k !== col(required)).join(',')), 1, 0, required);
  }
  for (let r = 1; r < lines.length; r++) {
    const row = r + 1;
    const c = cells(lines[r]!);
    const withCell = (name: string, v: string) => lines.map((l, k) => (k === r ? c.map((x, j) => (j === col(name) ? v : x)).join(',') : l));
    for (const required of ['id', 'type', 'profile', 'zone', 'address']) put(`empty-${required}-r${row}`, withCell(required, ''), row, 0);
    put(`bad-id-r${row}`, withCell('id', 'Cam_1!'), row, 0, 'Cam_1!');
    put(`unknown-profile-r${row}`, withCell('profile', 'toaster-3000'), row, 0, 'toaster-3000');
    const addr = c[col('address')]!;
    const bad = addr.startsWith('gpio') ? BAD_GPIO : BAD_MODBUS;
    put(`bad-address-r${row}-a`, withCell('address', bad[r % bad.length]!), row);
    put(`bad-address-r${row}-b`, withCell('address', bad[(r + 1) % bad.length]!), row);
    if (r > 1) put(`duplicate-id-r${row}`, withCell('id', cells(lines[1]!)[col('id')]!), row, row - 2);
    const same = lines.findIndex((l, k) => k > 0 && k !== r && cells(l)[col('address')]!.split(/[?/]/)[0] === addr.split(/[?/]/)[0]);
    if (same > 0) put(`duplicate-address-r${row}`, withCell('address', cells(lines[same]!)[col('address')]!), Math.max(row, same + 1), Math.abs(row - same - 1));
    put(`stray-comma-r${row}`, lines.map((l, k) => (k === r ? `${l},extra` : l)), row);
    if (r % 2 === 0) put(`unclosed-quote-r${row}`, withCell('location', '"3幢 unclosed'), row, lines.length);
  }
  return out;
}
