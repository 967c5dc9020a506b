import type { Command } from 'commander';
import { formatIssue } from '../../../config/issues.js';
import { loadBoxConfig } from '../../../config/load.js';
import { Box } from '../../app/box.js';
import { composeBox } from '../../app/compose.js';
import { installSignalHandlers } from '../../app/signals.js';
import type { BoxHandle } from '../../app/compose.js';
import { SdNotify } from '../../system/sd-notify.js';
import { acquireInstanceLock } from '../../system/instance-lock.js';
import { createLogger } from '../../core/logger.js';
import { CliExit, EXIT_INVALID } from '../exit.js';

export function register(program: Command): void {
  program
    .command('run')
    .description('Run the box daemon (what the systemd unit starts)')
    .requiredOption('-c, --config <file>', 'box configuration (YAML)')
    .option('--log-level <level>', 'pino log level', process.env.QINHE_LOG_LEVEL ?? 'info')
    .action(async (opts: { config: string; logLevel: string }) => {
      const logger = createLogger({ level: opts.logLevel });
      const result = loadBoxConfig(opts.config, { requireSecrets: true });
      if (!result.ok) {
        const errors = result.issues.map(formatIssue);
        logger.fatal({ file: opts.config, errors }, `configuration invalid (${errors.length} problems); not starting`);
        for (const e of errors) process.stderr.write(`${e}\n`);
        throw new CliExit(EXIT_INVALID);
      }
      // One daemon per data directory: a second one (a manual run beside the service) stops here, naming the first.
      try {
        acquireInstanceLock(result.loaded.config.storage.dataDir);
      } catch (err) {
        logger.fatal({ err }, 'data directory in use; not starting');
        throw err;
      }
      const box = new Box(composeBox, logger, { requireSecrets: true });
      const storeOpen = () => (box.composition?.handle as BoxHandle | undefined)?.core.outbox != null;
      // systemd: READY only once the store is open; watchdog pings stop when the loop blocks or the store is gone.
      const notify = new SdNotify({ logger, healthy: storeOpen });
      installSignalHandlers(box, opts.config, logger, undefined, notify);
      await box.start(result.loaded);
      if (storeOpen()) notify.ready(`running: ${result.loaded.config.devices.length} devices`);
      else notify.status('store could not be opened; not ready (systemd will restart the box)');
      // The daemon lives on its timers and sockets (and this keep-alive) until a signal ends it.
      setInterval(() => {}, 1 << 30);
    });
}
