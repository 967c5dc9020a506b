/**
 * The box lifecycle. Start order: storage → uplink → drivers → rules; stop in reverse, with the alarm
 * outputs put in their safe state first. SIGHUP reloads: a bad new config is rejected with its errors and
 * the running one stays; a good one rebuilds drivers and rules, and the core (store, uplink) only when its
 * own settings changed.
 *
 *   config ──► compose() ──► core:  [storage, uplink]   (kept across reloads when unchanged)
 *                           edge:  [drivers, rules]    (rebuilt on every reload)
 */
import type { Logger } from 'pino';
import { formatIssue } from '../../config/issues.js';
import { loadBoxConfig, type LoadedConfig, type LoadOptions } from '../../config/load.js';
import { errorMessage } from '../core/errors.js';

export interface Service {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface Composition {
  /** storage and uplink, in start order */
  core: Service[];
  /** identifies the core's settings: a reload keeps the core when this is unchanged */
  coreKey: string;
  /** drivers and rules, in start order */
  edge: Service[];
  /** puts every alarm output in its safe state (before anything else stops) */
  safeOutputs(): Promise<void>;
  /** whatever the composer wants to expose (API, status) */
  handle: unknown;
}

/** Builds a composition; when `previous` is given and its coreKey matches, reuse its core objects. */
export type Composer = (loaded: LoadedConfig, logger: Logger, previous?: Composition) => Composition;

export const STOP_DEADLINE_MS = 5000;

export class Box {
  private current: Composition | undefined;
  private loaded: LoadedConfig | undefined;
  private state: 'idle' | 'starting' | 'running' | 'reloading' | 'stopping' | 'stopped' = 'idle';
  readonly startedAt = Date.now();

  constructor(private readonly compose: Composer, private readonly logger: Logger, private readonly loadOptions: LoadOptions = {}) {}

  get composition(): Composition | undefined {
    return this.current;
  }

  get config(): LoadedConfig | undefined {
    return this.loaded;
  }

  async start(loaded: LoadedConfig): Promise<void> {
    this.state = 'starting';
    this.loaded = loaded;
    const comp = this.compose(loaded, this.logger);
    this.current = comp;
    await this.startServices([...comp.core, ...comp.edge]);
    this.state = 'running';
    this.logger.info({ estate: loaded.config.estate.id, box: loaded.config.box.id, devices: loaded.config.devices.length }, 'box running');
  }

  /** Reloads from the config file. Returns the errors when the new config is rejected. */
  async reload(file: string): Promise<{ ok: boolean; errors: string[] }> {
    if (this.state !== 'running' || !this.current) return { ok: false, errors: [`cannot reload while ${this.state}`] };
    const result = loadBoxConfig(file, this.loadOptions);
    if (!result.ok) {
      const errors = result.issues.map(formatIssue);
      this.logger.error({ file, errors }, `config reload rejected (${errors.length} problems); the running configuration stays`);
      return { ok: false, errors };
    }
    this.state = 'reloading';
    const old = this.current;
    const next = this.compose(result.loaded, this.logger, old);
    const keepCore = next.coreKey === old.coreKey;
    await old.safeOutputs().catch((err: unknown) => this.logger.error({ err }, 'safe outputs failed during reload'));
    await this.stopServices(keepCore ? old.edge : [...old.core, ...old.edge]);
    this.current = next;
    this.loaded = result.loaded;
    await this.startServices(keepCore ? next.edge : [...next.core, ...next.edge]);
    this.state = 'running';
    this.logger.info({ file, keptCore: keepCore, devices: result.loaded.config.devices.length }, 'config reloaded');
    return { ok: true, errors: [] };
  }

  /** Stops within STOP_DEADLINE_MS; outputs go to their safe state first. */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped' || !this.current) return;
    this.state = 'stopping';
    const comp = this.current;
    const work = (async () => {
      await comp.safeOutputs().catch((err: unknown) => this.logger.error({ err }, 'safe outputs failed during stop'));
      await this.stopServices([...comp.core, ...comp.edge]);
    })();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), STOP_DEADLINE_MS - 500); });
    const outcome = await Promise.race([work.then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.logger.error('stop deadline reached; exiting with services still stopping');
    this.state = 'stopped';
    this.logger.info('box stopped');
  }

  private async startServices(services: Service[]): Promise<void> {
    for (const s of services) {
      try {
        await s.start();
        this.logger.debug({ service: s.name }, 'service started');
      } catch (err) {
        // One part failing never takes the box down: the local alarm path must keep working.
        this.logger.error({ service: s.name, err, reason: errorMessage(err) }, 'service failed to start; the box keeps running without it');
      }
    }
  }

  private async stopServices(services: Service[]): Promise<void> {
    for (const s of [...services].reverse()) {
      try {
        await s.stop();
      } catch (err) {
        this.logger.warn({ service: s.name, err }, 'service stop threw');
      }
    }
  }
}
