import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../../config/inventory.js';
import { loadProfiles } from '../../../config/profiles.js';
import { inventoryCsv, readInventory, selectRows } from '../../../runtime/demo/inventory.js';
import { offlineTarget } from '../../../tests/simulators/estate/scenario.js';

const CAIMA = join(import.meta.dirname, '../../../config/demo/caima-inventory.csv');

describe('demo inventory', () => {
  const rows = readInventory(CAIMA);

  it('is the 477-device Caima estate', () => {
    expect(rows).toHaveLength(477);
  });

  it('cuts to N rows and keeps at least one device of every profile', () => {
    const profiles = new Set(rows.map((r) => r.device.profile));
    const cut = selectRows(rows, 40);
    expect(cut).toHaveLength(40);
    expect(new Set(cut.map((r) => r.device.profile))).toEqual(profiles);
    // spreadsheet order is kept
    const order = cut.map((r) => rows.indexOf(r));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('never drops a kind even when N is smaller than the number of profiles', () => {
    const profiles = new Set(rows.map((r) => r.device.profile));
    const cut = selectRows(rows, 3);
    expect(cut).toHaveLength(profiles.size);
    expect(new Set(cut.map((r) => r.device.profile))).toEqual(profiles);
  });

  it('keeps every row without N or with N beyond the sheet', () => {
    expect(selectRows(rows)).toHaveLength(477);
    expect(selectRows(rows, 10_000)).toHaveLength(477);
  });

  it('writes a CSV that parses back with the rewritten addresses', () => {
    const devices = selectRows(rows, 60).map((r) => r.device);
    const text = inventoryCsv(devices, (id) => (id.startsWith('cam-') ? 'onvif://127.0.0.1:1' : devices.find((d) => d.id === id)?.address ?? ''));
    const back = parseInventory(text, 'demo.csv');
    expect(back.issues).toEqual([]);
    expect(back.rows.map((r) => r.device.id)).toEqual(devices.map((d) => d.id));
    expect(back.rows.find((r) => r.device.id === 'cam-fo-01')?.device.address).toBe('onvif://127.0.0.1:1');
    expect(back.rows.find((r) => r.device.id === 'cam-fo-01')?.device.location).toBe(devices[0]?.location);
  });

  it('picks a silent unit that is not the scenario’s first smoke sensor or charger, with its offline rule', () => {
    const t = offlineTarget(rows.map((r) => r.device), loadProfiles().profiles);
    expect(t).toEqual({ id: 'gas-b2-002', ruleId: 'gas-offline' });
  });
});
