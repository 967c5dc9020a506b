/**
 * The box configuration schema: the single source of types, defaults and descriptions. The JSON Schema in
 * config/box-config.schema.json is generated from it (scripts/gen-schema.ts) and a test fails when it is stale.
 * Unknown keys are errors everywhere (strict objects). Secrets never live here: see secrets.ts.
 */
import { z } from 'zod';

const idPattern = /^[a-z0-9-]{1,32}$/;
const deviceIdPattern = /^[a-z0-9-]{1,48}$/;

export const KINDS = ['fire-risk', 'smoke', 'falling-object', 'intrusion', 'tamper', 'panic', 'device-offline',
  'device-fault', 'box-fault', 'other'] as const;
export const SEVERITIES = ['critical', 'major', 'minor'] as const;
export const DEVICE_TYPES = ['camera', 'charging-point', 'smoke', 'heat', 'gas', 'water', 'door', 'panic', 'tamper',
  'siren', 'strobe', 'relay', 'power'] as const;
export const PATTERNS = ['continuous', 'fire', 'intrusion', 'chirp', 'escalated'] as const;

export const kindSchema = z.enum(KINDS);
export const severitySchema = z.enum(SEVERITIES);

const num = (description: string, unit?: string) => z.number().meta({ description, ...(unit ? { unit } : {}) });
const int = (description: string, unit?: string) => z.number().int().meta({ description, ...(unit ? { unit } : {}) });

// ---------- rules (shared by profiles, devices, zones and the estate) ----------
const ruleBase = {
  id: z.string().regex(/^[a-z0-9-]{1,48}$/).meta({ description: 'Rule id, unique within its profile or scope.' }),
  kind: kindSchema.meta({ description: 'Incident kind raised when the rule fires.' }),
  severity: severitySchema.meta({ description: 'Incident severity.' }),
  enabled: z.boolean().default(true).meta({ description: 'Set false to switch a rule off (in an override).' }),
  summary: z.string().max(200).optional().meta({ description: 'Text template for people; {value} {unit} {point} are filled.' }),
};

export const ruleSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...ruleBase, type: z.literal('threshold'), point: z.string(),
    above: num('Fire when the value rises above this.').optional(),
    below: num('Fire when the value falls below this.').optional(),
    hysteresis: num('Clear only once the value is this far back inside.').min(0).default(0),
    forS: num('Must hold this long before firing.', 's').min(0).default(0),
  }),
  z.strictObject({
    ...ruleBase, type: z.literal('rate-of-rise'), point: z.string(),
    perMinute: num('Rise per minute that fires the rule (in the point unit).').positive(),
    windowS: num('Window over which the rise is measured.', 's').positive().default(60),
  }),
  z.strictObject({
    ...ruleBase, type: z.literal('duration'), point: z.string(),
    equals: z.union([z.number(), z.boolean(), z.string()]).meta({ description: 'Value that must hold.' }),
    forS: num('How long the value must hold (0: at once).', 's').min(0),
  }),
  z.strictObject({
    ...ruleBase, type: z.literal('stuck'), point: z.string(),
    forS: num('A value unchanged this long is stuck.', 's').positive(),
    tolerance: num('Changes smaller than this count as unchanged.').min(0).default(0),
  }),
  z.strictObject({
    ...ruleBase, type: z.literal('deviation'), point: z.string(),
    windowS: num('Moving-baseline window.', 's').positive().default(600),
    maxDeviation: num('Deviation from the baseline that fires (in the point unit).').positive(),
  }),
  z.strictObject({
    ...ruleBase, type: z.literal('event'),
    match: z.string().meta({ description: 'Event kind (motion, tamper, input, falling-object...) or a topic.' }),
    when: z.boolean().default(true).meta({ description: 'Fire on the active (true) or inactive (false) edge.' }),
  }),
  z.strictObject({
    ...ruleBase, type: z.literal('offline'),
    afterS: num('Raise after the device has been offline this long.', 's').min(0).default(60),
  }),
  z.strictObject({
    ...ruleBase, type: z.literal('bits'), point: z.string(),
    mask: int('Bit mask of fault bits that fire the rule.').min(1),
  }),
]);
export type RuleConfig = z.infer<typeof ruleSchema>;

/** An override of a rule by id: any field but the type; `enabled: false` disables it. */
export const ruleOverrideSchema = z.strictObject({
  id: z.string(),
  enabled: z.boolean().optional(),
  kind: kindSchema.optional(),
  severity: severitySchema.optional(),
  above: z.number().optional(), below: z.number().optional(), hysteresis: z.number().min(0).optional(),
  forS: z.number().min(0).optional(), perMinute: z.number().positive().optional(), windowS: z.number().positive().optional(),
  maxDeviation: z.number().positive().optional(), afterS: z.number().min(0).optional(), tolerance: z.number().min(0).optional(),
  mask: z.number().int().min(1).optional(),
});
export type RuleOverride = z.infer<typeof ruleOverrideSchema>;

// ---------- profiles (one YAML file per device model, in config/profiles/) ----------
export const POINT_TYPES = ['int16', 'uint16', 'int32', 'uint32', 'float32', 'bool'] as const;

export const modbusPointSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/).meta({ description: 'Point name (camelCase).' }),
  table: z.enum(['holding', 'input', 'coil', 'discrete']).meta({ description: 'Modbus table: holding (FC3), input (FC4), coil (FC1), discrete input (FC2).' }),
  address: int('Zero-based register or bit address.').min(0).max(65535),
  type: z.enum(POINT_TYPES).default('uint16').meta({ description: 'Register encoding.' }),
  wordOrder: z.enum(['big', 'little']).default('big').meta({ description: 'For 32-bit types: big = high word first.' }),
  scale: num('Multiply the raw value by this.').default(1),
  offset: num('Then add this.').default(0),
  unit: z.string().optional().meta({ description: 'Engineering unit of the scaled value (°C, A, W, %LEL...).' }),
  pollClass: z.enum(['fast', 'slow']).default('slow').meta({ description: 'fast for alarm points, slow for telemetry.' }),
  writable: z.boolean().default(false).meta({ description: 'The point can be written (relays, sirens).' }),
});
export type ModbusPoint = z.infer<typeof modbusPointSchema>;

export const onvifEventSchema = z.strictObject({
  topic: z.string().meta({ description: 'ONVIF topic (or a suffix of it) as the camera sends it.' }),
  kind: z.string().meta({ description: 'Normalised event kind this topic means (falling-object, intrusion...).' }),
});

export const profileSchema = z.strictObject({
  model: z.string().regex(/^[a-z0-9-]{1,64}$/).meta({ description: 'Profile id; must equal the file name without .yaml.' }),
  description: z.string().meta({ description: 'What this device is, for people.' }),
  vendor: z.string().optional(),
  type: z.string().regex(/^[a-z0-9-]{1,32}$/).meta({ description: 'Device type this profile drives (camera, smoke, ...).' }),
  protocol: z.enum(['onvif', 'modbus-rtu', 'gpio']).meta({ description: 'How to talk to it.' }),
  needsCredentials: z.boolean().default(false).meta({ description: 'Cameras: the device needs a user and password.' }),
  offlineAfterS: num('Report offline after this long without an answer.', 's').positive().default(60),
  points: z.array(modbusPointSchema).default([]).meta({ description: 'Modbus points.' }),
  events: z.array(onvifEventSchema).default([]).meta({ description: 'ONVIF topic → kind mappings (vendor analytics).' }),
  gpio: z.strictObject({
    direction: z.enum(['in', 'out']),
    activeLow: z.boolean().default(false),
    debounceMs: int('Debounce for inputs.', 'ms').min(0).max(10_000).default(50),
    safeState: z.boolean().default(false).meta({ description: 'Outputs: the level (active = true) applied at start, stop and after a crash.' }),
    maxOnS: int('Outputs: hard maximum on-time.', 's').min(1).max(3600).default(300),
    supervised: z.boolean().default(false).meta({ description: 'Inputs: end-of-line supervised (open/short → tamper).' }),
    eventKind: z.string().default('input').meta({ description: 'Inputs: the event kind an edge is reported as (panic, door, tamper...).' }),
  }).optional(),
  output: z.strictObject({
    point: z.string().meta({ description: 'Modbus outputs: the writable point that switches it.' }),
  }).optional().meta({ description: 'This device is an alarm output (siren, strobe, relay cut-off).' }),
  evidence: z.strictObject({
    clip: z.boolean().default(false).meta({ description: 'Keep an ffmpeg ring buffer for pre-event clips.' }),
    preS: int('Seconds of clip before the event.', 's').min(0).max(60).default(10),
    postS: int('Seconds of clip after the event.', 's').min(0).max(60).default(10),
  }).optional(),
  rules: z.array(ruleSchema).default([]).meta({ description: 'Default rules for devices of this model.' }),
});
export type ProfileConfig = z.infer<typeof profileSchema>;

// ---------- the box configuration ----------
export const deviceSchema = z.strictObject({
  id: z.string().regex(deviceIdPattern).meta({ description: 'Unique device id, a-z 0-9 -, 1–48 chars.' }),
  type: z.string().regex(/^[a-z0-9-]{1,32}$/).meta({ description: 'Device type (camera, smoke, ...).' }),
  profile: z.string().meta({ description: 'Profile model id (a file in config/profiles/ or profilesDir).' }),
  zone: z.string().min(1).max(32).meta({ description: 'Zone or building; alarms and rules group by it.' }),
  location: z.string().max(200).optional().meta({ description: 'Free text for people.' }),
  address: z.string().meta({ description: 'onvif://host[:port], modbus-rtu:///dev/X?unit=N or gpio://chip/line.' }),
  notes: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional().meta({ description: 'Extra inventory columns, kept as tags.' }),
  rules: z.array(ruleOverrideSchema).optional().meta({ description: 'Overrides of the profile rules for this device.' }),
  linkedCameras: z.array(z.string()).optional().meta({ description: 'Cameras that take evidence for this device (else: the zone).' }),
});
export type DeviceConfig = z.infer<typeof deviceSchema>;

export const serialLineSchema = z.strictObject({
  id: z.string().regex(idPattern).meta({ description: 'Bus id used in health and logs.' }),
  path: z.string().meta({ description: 'Serial port, preferably /dev/serial/by-id/... (stable across replugs).' }),
  baud: z.union([z.literal(1200), z.literal(2400), z.literal(4800), z.literal(9600), z.literal(19200), z.literal(38400),
    z.literal(57600), z.literal(115200)]).default(9600).meta({ description: 'Baud rate.', unit: 'bit/s' }),
  parity: z.enum(['none', 'even', 'odd']).default('none'),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
  timeoutMs: int('Per-request reply timeout.', 'ms').min(20).max(10_000).default(300),
  retries: int('Retries per request before a unit counts as failed.').min(0).max(5).default(1),
  interFrameGapMs: num('Extra silence after the 3.5-character gap (the spec needs none; raise it for slow slaves).', 'ms').min(0).max(1000).default(0),
  fastPollMs: int('Poll period of fast (alarm) points.', 'ms').min(50).max(60_000).default(1000),
  slowPollMs: int('Poll period of slow (telemetry) points.', 'ms').min(100).max(3_600_000).default(10_000),
});
export type SerialLineConfig = z.infer<typeof serialLineSchema>;

export const actionSchema = z.strictObject({
  kind: z.union([kindSchema, z.literal('*')]).meta({ description: 'Incident kind this applies to (* = any).' }),
  zone: z.string().default('*').meta({ description: 'Zone this applies to (* = the incident zone).' }),
  severity: z.array(severitySchema).optional().meta({ description: 'Only for these severities.' }),
  sirens: z.array(z.string()).default([]).meta({ description: 'Output device ids (or "zone" for the zone sirens).' }),
  pattern: z.enum(PATTERNS).default('continuous'),
  seconds: int('Alarm duration.', 's').min(1).max(300).default(120),
  cutoff: z.boolean().default(false).meta({ description: 'Switch off the charging port relay of the device.' }),
  evidence: z.boolean().default(true).meta({ description: 'Snapshot (and clip) from linked cameras.' }),
});
export type ActionConfig = z.infer<typeof actionSchema>;

export const boxConfigSchema = z.strictObject({
  version: z.literal(1).meta({ description: 'Configuration format version.' }),
  estate: z.strictObject({
    id: z.string().regex(idPattern).meta({ description: 'Estate id, a-z 0-9 -, 1–32 chars.' }),
    name: z.string().optional(),
  }),
  box: z.strictObject({
    id: z.string().regex(idPattern).meta({ description: 'Box id, a-z 0-9 -, 1–32 chars.' }),
  }),
  secretsFile: z.string().optional().meta({ description: 'YAML file with credentials, mode 0600. Else $CREDENTIALS_DIRECTORY/secrets.yaml (systemd).' }),
  profilesDir: z.string().optional().meta({ description: 'Extra profiles directory (an installer adds a model by adding a file).' }),
  uplink: z.strictObject({
    url: z.string().meta({ description: 'Broker URL: mqtts://host:8883 (mqtt:// only to loopback or with insecure).' }),
    prefix: z.string().regex(/^[a-z0-9-]{1,32}$/).default('qinhe').meta({ description: 'Topic prefix.' }),
    insecure: z.boolean().default(false).meta({ description: 'Allow plain TCP to a non-loopback broker.' }),
    caFile: z.string().optional(), certFile: z.string().optional(),
    username: z.string().optional().meta({ description: 'Broker user; the password is in the secrets file.' }),
    keepaliveS: int('MQTT keepalive.', 's').min(5).max(600).default(30),
    drainPerS: int('Paced rate of the backlog drained after an outage (live traffic is not paced).', 'msg/s').min(1).max(100_000).default(200),
    backoffBaseMs: int('Reconnect backoff base.', 'ms').min(100).default(1000),
    backoffCapMs: int('Reconnect backoff cap.', 'ms').min(1000).default(60_000),
    firstRetryMaxMs: int('First reconnect after a random delay up to this.', 'ms').min(0).default(5000),
    // Optional rather than defaulted, so uplink sections built in code before it existed still type-check.
    jitter: z.enum(['full', 'equal']).optional().meta({ description: 'Reconnect jitter (default: full, contract v1): full = random(0, c); equal = c/2 + random(0, c/2), with c = min(cap, base·2^n): proposed upstream v2, the center must agree before a fleet uses it. The first retry is random 0–firstRetryMaxMs in both.' }),
    retriesPerHour: int('Connection attempts refilled per hour into a bucket of 10 (on top of the jittered backoff): any hour holds at most this + 10.', '/h').min(1).max(1_000_000).default(120),
    centerKeys: z.array(z.string()).default([]).meta({ description: 'PEM files of the center public keys (Ed25519).' }),
    healthIntervalS: int('R/health period.', 's').min(10).max(300).default(300),
  }),
  storage: z.strictObject({
    dataDir: z.string().default('/var/lib/qinhe').meta({ description: 'Store, evidence and state.' }),
    quotaMb: int('Outbox byte quota.', 'MB').min(1).max(100_000).default(512),
    incidentTtlDays: int('Incident events are never evicted within this.', 'd').min(1).default(30),
    evidenceTtlDays: int('TTL of evidence messages.', 'd').min(1).default(7),
    healthTtlHours: int('TTL of health messages.', 'h').min(1).default(24),
    telemetryTtlHours: int('TTL of telemetry messages.', 'h').min(1).default(6),
    evidenceRetentionMb: int('Evidence files on disk are pruned beyond this.', 'MB').min(1).default(2048),
  }).default({ dataDir: '/var/lib/qinhe', quotaMb: 512, incidentTtlDays: 30, evidenceTtlDays: 7, healthTtlHours: 24, telemetryTtlHours: 6, evidenceRetentionMb: 2048 }),
  serial: z.array(serialLineSchema).default([]).meta({ description: 'RS-485 lines; baud, parity and timing per port.' }),
  gpio: z.strictObject({
    backend: z.enum(['auto', 'sysfs', 'cdev', 'fake', 'none']).default('auto'),
  }).default({ backend: 'auto' }),
  ffmpeg: z.strictObject({
    path: z.string().optional().meta({ description: 'ffmpeg binary; else found on PATH.' }),
  }).default({}),
  incidents: z.strictObject({
    ackTimeoutS: int('Escalate a critical incident not acknowledged within this.', 's').min(5).max(3600).default(60),
    onsiteReminderS: int('Reminder when nobody is on site.', 's').min(30).default(180),
    reinforceS: int('Reinforcement stage.', 's').min(30).default(300),
    correlationWindowS: int('Correlate incidents in a zone within this window.', 's').min(0).default(120),
    smsNumbers: z.array(z.string().regex(/^\+?[0-9]{5,16}$/)).default([]).meta({ description: 'Duty phones for the SMS fallback.' }),
    modemPath: z.string().optional().meta({ description: 'Serial 4G modem for the SMS fallback.' }),
  }).default({ ackTimeoutS: 60, onsiteReminderS: 180, reinforceS: 300, correlationWindowS: 120, smsNumbers: [] }),
  actions: z.array(actionSchema).default([]).meta({ description: 'Automatic local actions per kind and zone.' }),
  rules: z.strictObject({
    estate: z.array(ruleOverrideSchema).default([]).meta({ description: 'Overrides for every device.' }),
    zones: z.record(z.string(), z.array(ruleOverrideSchema)).default({}).meta({ description: 'Overrides per zone.' }),
  }).default({ estate: [], zones: {} }),
  api: z.strictObject({
    socket: z.string().optional().meta({ description: 'Unix socket of the local API (default: /run/qinhe/api.sock).' }),
  }).default({}),
  devices: z.array(deviceSchema).default([]),
});
export type BoxConfig = z.infer<typeof boxConfigSchema>;
export type BoxConfigInput = z.input<typeof boxConfigSchema>;
