/**
 * Coded errors: one catalogue, classifiers instead of message matching (idea from fastify lib/errors.js and
 * zwave-js ZWaveError). Codes are `QH_<AREA>_<NAME>`; docs list them and a test keeps that table in sync.
 */
export const ERROR_CATALOGUE = {
  QH_CONFIG_INVALID: { area: 'config', transient: false, description: 'A configuration, profile or inventory file is invalid.' },
  QH_CONFIG_IO: { area: 'config', transient: false, description: 'A configuration file could not be read or written.' },
  QH_SECRETS_MODE: { area: 'config', transient: false, description: 'The secrets file is readable by group or others (must be 0600).' },
  QH_USAGE: { area: 'cli', transient: false, description: 'The command line was not understood.' },
  QH_STORE_CORRUPT: { area: 'store', transient: false, description: 'The store database failed its integrity check and was set aside.' },
  QH_STORE_FULL: { area: 'store', transient: true, description: 'The store quota or the disk is full.' },
  QH_STORE_IO: { area: 'store', transient: true, description: 'A store write failed.' },
  QH_UPLINK_DOWN: { area: 'uplink', transient: true, description: 'The MQTT uplink is not connected.' },
  QH_UPLINK_TLS: { area: 'uplink', transient: false, description: 'The uplink refuses plain TCP to a non-loopback broker without insecure: true.' },
  QH_CMD_REJECTED: { area: 'command', transient: false, description: 'A command from the center was rejected.' },
  QH_SERIAL_OPEN: { area: 'serial', transient: true, description: 'A serial port could not be opened.' },
  QH_SERIAL_GONE: { area: 'serial', transient: true, description: 'A serial adapter disappeared (unplugged).' },
  QH_MODBUS_TIMEOUT: { area: 'modbus', transient: true, description: 'A Modbus unit did not answer in time.' },
  QH_MODBUS_CRC: { area: 'modbus', transient: true, description: 'A Modbus reply failed its CRC check.' },
  QH_MODBUS_EXCEPTION: { area: 'modbus', transient: false, description: 'A Modbus unit answered with an exception.' },
  QH_MODBUS_BAD_REPLY: { area: 'modbus', transient: true, description: 'A Modbus reply did not match its request (unit, function or length).' },
  QH_MODBUS_LINE_STOPPED: { area: 'modbus', transient: true, description: 'A Modbus request was dropped because its line was stopped.' },
  QH_MODBUS_NO_LINE: { area: 'modbus', transient: false, description: 'A Modbus device names a serial port that has no configured line.' },
  QH_MODBUS_UNKNOWN_DEVICE: { area: 'modbus', transient: false, description: 'No Modbus device (or no output point) has this id.' },
  QH_ONVIF_REQUEST: { area: 'onvif', transient: true, description: 'An ONVIF request failed or timed out.' },
  QH_ONVIF_AUTH: { area: 'onvif', transient: false, description: 'An ONVIF camera refused the credentials.' },
  QH_ONVIF_HOSTILE: { area: 'onvif', transient: false, description: 'An ONVIF reply was rejected (size cap, entities, garbage).' },
  QH_ONVIF_FAULT: { area: 'onvif', transient: true, description: 'An ONVIF camera answered with a SOAP fault (e.g. an unknown subscription).' },
  QH_EVIDENCE_IO: { area: 'evidence', transient: true, description: 'An evidence file could not be captured, hashed or stored.' },
  QH_FFMPEG: { area: 'evidence', transient: true, description: 'ffmpeg failed, stalled or was not found.' },
  QH_GPIO_UNAVAILABLE: { area: 'gpio', transient: false, description: 'No GPIO backend works on this machine.' },
  QH_GPIO_IO: { area: 'gpio', transient: true, description: 'A GPIO line could not be read or written.' },
  QH_GPIO_NO_LINE: { area: 'gpio', transient: false, description: 'The GPIO chip or line of a device address does not exist on this box.' },
  QH_GPIO_NOT_OUTPUT: { area: 'gpio', transient: false, description: 'An output command named a device that is not a GPIO output of this driver.' },
  QH_OUTPUT_INVALID: { area: 'output', transient: false, description: 'An alarm output command was malformed (unknown pattern, seconds not positive).' },
  QH_OUTPUT_CLOSED: { area: 'output', transient: false, description: 'An alarm output was commanded after its driver stopped.' },
  QH_BOX_LOCKED: { area: 'runtime', transient: false, description: 'Another running qinhe process uses the same data directory.' },
  QH_DRIVER_FAILED: { area: 'runtime', transient: true, description: 'A driver failed and is being restarted by the supervisor.' },
  QH_TIMEOUT: { area: 'runtime', transient: true, description: 'A wait timed out.' },
  QH_API_UNREACHABLE: { area: 'cli', transient: true, description: 'The CLI cannot reach the daemon socket.' },
  QH_INCIDENT_UNKNOWN: { area: 'incident', transient: false, description: 'No incident has this id.' },
  QH_INCIDENT_DEVICE: { area: 'incident', transient: false, description: 'No device has this id (drill or test incident).' },
  QH_INCIDENT_STORE: { area: 'incident', transient: true, description: 'The open-incident database could not be opened or written.' },
  QH_SMS_FAILED: { area: 'sms', transient: true, description: 'The 4G modem refused an AT command or an SMS (ERROR, +CMS ERROR).' },
  QH_SMS_TIMEOUT: { area: 'sms', transient: true, description: 'The 4G modem did not answer an AT command in time.' },
} as const satisfies Record<string, { area: string; transient: boolean; description: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export class QinheError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QinheError';
    this.code = code;
    this.details = options?.details;
  }
}

export function isQinheError(err: unknown, code?: ErrorCode): err is QinheError {
  return err instanceof QinheError && (code === undefined || err.code === code);
}

/** Worth retrying later (a device, a link, the disk may come back). */
export function isTransient(err: unknown): boolean {
  return isQinheError(err) && ERROR_CATALOGUE[err.code].transient;
}

/** The fault is in the device or its reply, not in the box. */
export function isDeviceFault(err: unknown): boolean {
  return isQinheError(err) && ['modbus', 'onvif', 'serial', 'gpio'].includes(ERROR_CATALOGUE[err.code].area);
}

/** The box cannot continue with this input (bad config, bad usage). */
export function isFatal(err: unknown): boolean {
  return isQinheError(err) && ['QH_CONFIG_INVALID', 'QH_SECRETS_MODE', 'QH_USAGE'].includes(err.code);
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
