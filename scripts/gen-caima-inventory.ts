/**
 * Generates the Caima demo estate inventory (config/demo/caima-inventory.csv): 477 devices as in the seed —
 * 24 falling-object cameras, 16 key-area cameras, 16 e-bike charging points, and the smoke, heat, gas, water
 * sensors, DI modules and relay sirens on 4 RS-485 lines, plus the box's own GPIO. Deterministic, so the
 * committed file can be regenerated: `node --import tsx scripts/gen-caima-inventory.ts > config/demo/caima-inventory.csv`.
 */
const rows: string[][] = [['id', 'type', 'profile', 'zone', 'location', 'address', 'notes']];
const buildings = Array.from({ length: 12 }, (_, i) => `B${i + 1}`);
const lines = ['/dev/ttyQH0', '/dev/ttyQH1', '/dev/ttyQH2', '/dev/ttyQH3'];
const nextUnit = lines.map(() => 1);
let lineRr = 0;
const pad = (n: number) => String(n).padStart(2, '0');

function modbus(): string {
  const li = lineRr++ % lines.length;
  const unit = nextUnit[li]!;
  nextUnit[li] = unit + 1;
  return `modbus-rtu://${lines[li]}?unit=${unit}`;
}
const zoneOf = (i: number) => buildings[i % buildings.length]!;
const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

let camPort = 18001;
for (let i = 1; i <= 24; i++) rows.push([`cam-fo-${pad(i)}`, 'camera', 'onvif-camera-falling-object', zoneOf(i - 1), `${zoneOf(i - 1).slice(1)}幢外立面 高空抛物 ${i}`, `onvif://127.0.0.1:${camPort++}`, '']);
for (let i = 1; i <= 16; i++) rows.push([`cam-ka-${pad(i)}`, 'camera', 'onvif-camera', zoneOf(i - 1), `重点区域 ${i}`, `onvif://127.0.0.1:${camPort++}`, '']);
for (let i = 1; i <= 16; i++) rows.push([`cp-${zoneOf(i - 1).toLowerCase()}-${pad(i)}`, 'charging-point', 'charging-point', zoneOf(i - 1), `${zoneOf(i - 1).slice(1)}幢车棚 ${i}号口`, modbus(), '']);
const sensors: Array<[string, string, string, number, string]> = [
  ['smoke', 'smoke', 'smoke-sensor', 200, '烟感'],
  ['heat', 'heat', 'heat-sensor', 48, '温感'],
  ['gas', 'gas', 'gas-sensor', 24, '燃气'],
  ['water', 'water', 'water-level-sensor', 16, '水位'],
  ['di', 'door', 'di-16', 64, '门磁/紧急按钮'],
  ['siren', 'siren', 'relay-8', 48, '声光报警'],
];
for (const [prefix, type, profile, count, label] of sensors) {
  for (let i = 1; i <= count; i++) {
    const zone = zoneOf(i - 1);
    rows.push([`${prefix}-${zone.toLowerCase()}-${String(i).padStart(3, '0')}`, type, profile, zone, `${zone.slice(1)}幢 ${label} ${i}`, modbus(), '']);
  }
}
let gpioLine = 4;
const gpio: Array<[string, string, string, string]> = [
  ['box-siren', 'siren', 'gpio-siren', '机箱 本地警号'],
  ['box-strobe', 'strobe', 'gpio-siren', '机箱 爆闪灯'],
  ['box-tamper', 'tamper', 'gpio-tamper', '机箱 防拆开关'],
];
for (let i = 1; i <= 4; i++) gpio.push([`panic-gate-${i}`, 'panic', 'gpio-panic', `${i}号门岗 紧急按钮`]);
for (let i = 1; i <= 14; i++) gpio.push([`door-gate-${pad(i)}`, 'door', 'gpio-contact', `单元门 ${i}`]);
for (const [id, type, profile, location] of gpio) rows.push([id, type, profile, 'BOX', location, `gpio://gpiochip0/${gpioLine++}`, '']);

process.stdout.write(rows.map((r) => r.map(quote).join(',')).join('\n') + '\n');
process.stderr.write(`${rows.length - 1} devices\n`);
