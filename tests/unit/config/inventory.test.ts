import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../../config/inventory.js';
import { parseAddress } from '../../../config/address.js';

const H = 'id,type,profile,zone,location,address,notes';

describe('inventory CSV', () => {
  it('accepts a BOM, quoted fields with commas and newlines, and keeps extra columns as tags', () => {
    const csv = `\uFEFF${H},floor\ncp-b3-07,charging-point,charging-point,B3,"3幢车棚, 7号口\n(东侧)",modbus-rtu:///dev/ttyUSB0?unit=7,,2\n`;
    const inv = parseInventory(csv, 'x.csv');
    expect(inv.issues).toEqual([]);
    expect(inv.rows[0]?.device).toMatchObject({ id: 'cp-b3-07', location: '3幢车棚, 7号口\n(东侧)', tags: { floor: '2' } });
    expect(inv.rows[0]?.row).toBe(2);
  });

  it('moves username and password columns to credentials, never to tags', () => {
    const csv = `${H},username,password\ncam-1,camera,onvif-camera,B1,,onvif://10.0.0.7,,admin,s3cret\n`;
    const inv = parseInventory(csv, 'x.csv');
    expect(inv.rows[0]?.credentials).toEqual({ username: 'admin', password: 's3cret' });
    expect(JSON.stringify(inv.rows[0]?.device)).not.toContain('s3cret');
  });

  it('reports every bad row at once with row and column', () => {
    const csv = `${H}\nBAD ID,smoke,smoke-sensor,B1,,modbus-rtu:///dev/x?unit=1,\nok-1,smoke,smoke-sensor,,,modbus-rtu:///dev/x?unit=2,\n`;
    const inv = parseInventory(csv, 'x.csv');
    expect(inv.issues.map((i) => [i.row, i.field])).toEqual([[2, 'id'], [3, 'zone']]);
  });
});

describe('device addresses', () => {
  it.each([
    ['onvif://10.0.0.7', { protocol: 'onvif', host: '10.0.0.7', port: 80 }],
    ['onvif://cam.local:8080', { protocol: 'onvif', host: 'cam.local', port: 8080 }],
    ['modbus-rtu:///dev/serial/by-id/usb-FTDI-if00?unit=247', { protocol: 'modbus-rtu', path: '/dev/serial/by-id/usb-FTDI-if00', unit: 247 }],
    ['gpio://gpiochip0/17', { protocol: 'gpio', chip: 'gpiochip0', line: 17 }],
  ])('parses %s', (text, address) => {
    expect(parseAddress(text)).toEqual({ ok: true, address });
  });

  it.each([
    ['modbus-rtu:///dev/ttyUSB0?unit=0', 'out of range'],
    ['modbus-rtu:///dev/ttyUSB0', 'unit'],
    ['onvif://user:pw@10.0.0.7', 'onvif://host'],
    ['onvif://10.0.0.7:70000', 'out of range'],
    ['gpio://gpiochip0/x', 'gpio://CHIP/LINE'],
    ['http://10.0.0.7', 'unknown scheme'],
    ['10.0.0.7', 'expected'],
  ])('rejects %s', (text, reason) => {
    const r = parseAddress(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});
