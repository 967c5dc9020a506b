/**
 * Cross-checks of a device list, shared by `provision` (CSV rows) and `config validate` (YAML entries):
 * duplicate ids, a duplicate unit on one serial port, a GPIO line used twice, an unknown profile or type,
 * a malformed address, an address that does not fit the profile's protocol, a camera without credentials.
 */
import { parseAddress } from './address.js';
import type { ConfigIssue } from './issues.js';
import { DEVICE_TYPES, type DeviceConfig, type ProfileConfig } from './schema.js';
import { cameraCredentials, type Secrets } from './secrets.js';

/** Where a device's field lives in its source file (a CSV row and column, or a YAML line and path). */
export type Locate = (index: number, field: keyof DeviceConfig) => Omit<ConfigIssue, 'message' | 'value'>;

export interface DeviceCheckOptions {
  profiles: Map<string, ProfileConfig>;
  /** When given, cameras that need credentials must have them here. */
  secrets?: Secrets;
  /** Profiles that exist as files but failed to load (their own errors are reported separately). */
  brokenProfiles?: Set<string>;
  /** When given, every Modbus device's port must be one of these paths. */
  serialPaths?: Set<string>;
}

export function checkDevices(devices: DeviceConfig[], locate: Locate, opts: DeviceCheckOptions): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (i: number, field: keyof DeviceConfig, value: unknown, message: string) =>
    issues.push({ ...locate(i, field), value, message });
  const ids = new Map<string, number>();
  const units = new Map<string, number>();
  const lines = new Map<string, number>();
  const declaredTypes = new Set<string>([...DEVICE_TYPES, ...[...opts.profiles.values()].map((p) => p.type)]);

  devices.forEach((d, i) => {
    const firstId = ids.get(d.id);
    if (firstId !== undefined) add(i, 'id', d.id, `duplicate device id (first used at ${describe(locate(firstId, 'id'))})`);
    else ids.set(d.id, i);

    if (!declaredTypes.has(d.type)) add(i, 'type', d.type, `unknown type (known: ${[...declaredTypes].sort().join(', ')})`);
    const profile = opts.profiles.get(d.profile);
    if (!profile && opts.brokenProfiles?.has(d.profile)) add(i, 'profile', d.profile, 'this profile file is invalid (its errors are listed separately)');
    else if (!profile) add(i, 'profile', d.profile, `unknown profile (known: ${[...opts.profiles.keys()].sort().join(', ')})`);

    const parsed = parseAddress(d.address);
    if (!parsed.ok) {
      add(i, 'address', d.address, parsed.reason);
      return;
    }
    const a = parsed.address;
    if (profile && profile.protocol !== a.protocol) {
      add(i, 'address', d.address, `profile ${profile.model} speaks ${profile.protocol}, but the address is ${a.protocol}`);
    }
    if (a.protocol === 'modbus-rtu') {
      const key = `${a.path}#${a.unit}`;
      const first = units.get(key);
      if (first !== undefined) add(i, 'address', d.address, `unit ${a.unit} on ${a.path} is already used by ${devices[first]?.id} (${describe(locate(first, 'address'))})`);
      else units.set(key, i);
      if (opts.serialPaths && !opts.serialPaths.has(a.path)) add(i, 'address', d.address, `serial port ${a.path} is not configured under serial:`);
    } else if (a.protocol === 'gpio') {
      const key = `${a.chip}/${a.line}`;
      const first = lines.get(key);
      if (first !== undefined) add(i, 'address', d.address, `GPIO line ${key} is already used by ${devices[first]?.id} (${describe(locate(first, 'address'))})`);
      else lines.set(key, i);
    } else if (a.protocol === 'onvif' && profile?.needsCredentials && opts.secrets && !cameraCredentials(opts.secrets, d.id)) {
      add(i, 'id', d.id, `camera has no credentials: add cameras.${d.id} (or cameras.default) to the secrets file`);
    }
  });
  return issues;
}

function describe(loc: Omit<ConfigIssue, 'message' | 'value'>): string {
  if (loc.row !== undefined) return `row ${loc.row}`;
  if (loc.line !== undefined) return `line ${loc.line}`;
  return loc.path ?? loc.file;
}
