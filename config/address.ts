/**
 * Device addresses of inventory v1: `onvif://host[:port]`, `modbus-rtu:///dev/ttyUSB0?unit=7`,
 * `gpio://gpiochip0/17`. One parser, used by provisioning, validation and the drivers.
 */
export type DeviceAddress =
  | { protocol: 'onvif'; host: string; port: number }
  | { protocol: 'modbus-rtu'; path: string; unit: number }
  | { protocol: 'gpio'; chip: string; line: number };

export type AddressResult = { ok: true; address: DeviceAddress } | { ok: false; reason: string };

const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,62}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,62}[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])$/;

export function parseAddress(text: string): AddressResult {
  const trimmed = text.trim();
  const scheme = /^([a-z][a-z0-9-]*):/.exec(trimmed)?.[1];
  if (!scheme) return { ok: false, reason: 'expected onvif://host[:port], modbus-rtu:///dev/PORT?unit=N or gpio://CHIP/LINE' };
  if (scheme === 'onvif') {
    const m = /^onvif:\/\/([^/:?#]+|\[[^\]]+\])(?::(\d{1,5}))?\/?$/.exec(trimmed);
    if (!m || !HOST.test(m[1] ?? '')) return { ok: false, reason: 'expected onvif://host[:port] (no path, no credentials)' };
    const port = m[2] === undefined ? 80 : Number(m[2]);
    if (port < 1 || port > 65535) return { ok: false, reason: `port ${port} is out of range 1–65535` };
    return { ok: true, address: { protocol: 'onvif', host: m[1] ?? '', port } };
  }
  if (scheme === 'modbus-rtu') {
    const m = /^modbus-rtu:\/\/(\/[^?#]+)\?unit=(\d+)$/.exec(trimmed);
    if (!m) return { ok: false, reason: 'expected modbus-rtu:///dev/PORT?unit=N (an absolute device path and a unit)' };
    const unit = Number(m[2]);
    if (!Number.isInteger(unit) || unit < 1 || unit > 247) return { ok: false, reason: `unit ${m[2]} is out of range 1–247` };
    return { ok: true, address: { protocol: 'modbus-rtu', path: m[1] ?? '', unit } };
  }
  if (scheme === 'gpio') {
    const m = /^gpio:\/\/([a-zA-Z0-9_-]+)\/(\d{1,4})$/.exec(trimmed);
    if (!m) return { ok: false, reason: 'expected gpio://CHIP/LINE (chip name and line offset, as gpioinfo shows them)' };
    return { ok: true, address: { protocol: 'gpio', chip: m[1] ?? '', line: Number(m[2]) } };
  }
  return { ok: false, reason: `unknown scheme "${scheme}" (onvif, modbus-rtu or gpio)` };
}

/** Parses an address already validated by the config loader; throws on a bad one. */
export function mustParseAddress(text: string): DeviceAddress {
  const r = parseAddress(text);
  if (!r.ok) throw new Error(`bad device address "${text}": ${r.reason}`);
  return r.address;
}
