/**
 * Process signals: SIGTERM/SIGINT stop gracefully (hard exit after the deadline), SIGHUP reloads the config.
 * An uncaught exception is logged, outputs are put safe, and the process exits so systemd restarts it.
 */
import type { Logger } from 'pino';
import { STOP_DEADLINE_MS, type Box } from './box.js';
import type { SdNotify } from '../system/sd-notify.js';

export function installSignalHandlers(box: Box, configFile: string, logger: Logger, onExit: (code: number) => void = (c) => process.exit(c), notify?: SdNotify): () => void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    notify?.stopping();
    const hard = setTimeout(() => {
      logger.error('graceful stop took too long; exiting');
      onExit(1);
    }, STOP_DEADLINE_MS);
    hard.unref();
    void box.stop().then(() => {
      clearTimeout(hard);
      notify?.close();
      onExit(0);
    });
  };
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  const onHup = () => {
    logger.info({ file: configFile }, 'SIGHUP: reloading configuration');
    notify?.reloading();
    void box.reload(configFile).finally(() => notify?.reloaded());
  };
  const onUncaught = (err: Error) => {
    logger.fatal({ err }, 'uncaught exception; putting outputs safe and exiting for a restart');
    const comp = box.composition;
    const done = () => onExit(70);
    if (comp) void comp.safeOutputs().finally(done);
    else done();
  };
  const onRejection = (reason: unknown) => {
    logger.error({ err: reason }, 'unhandled promise rejection (kept running)');
  };
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  process.on('SIGHUP', onHup);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    process.off('SIGHUP', onHup);
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onRejection);
  };
}
