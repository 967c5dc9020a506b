/**
 * The `qinhe` command line: builds the commander program and maps errors to exit codes
 * (0 ok, 1 invalid input, 2 usage).
 */
import { Command, CommanderError } from 'commander';
import { CliExit, EXIT_INVALID, EXIT_USAGE } from './exit.js';
import { loadCommands } from './commands/index.js';
import { packageVersion } from '../core/version.js';
import { isQinheError } from '../core/errors.js';

export async function buildProgram(): Promise<Command> {
  const program = new Command('qinhe')
    .description('Qinhe edge gateway for community safety: devices → local alarms → durable MQTT uplink')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of await loadCommands()) register(program);
  applyExitOverride(program);
  return program;
}

/** Every (nested) subcommand throws instead of calling process.exit, so usage errors become exit 2. */
function applyExitOverride(cmd: Command): void {
  for (const sub of cmd.commands) {
    sub.exitOverride();
    sub.configureOutput({ writeErr: (s) => process.stderr.write(s) });
    applyExitOverride(sub);
  }
}

export async function runCli(argv: string[]): Promise<number> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CliExit) {
      if (err.message) process.stderr.write(`${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof CommanderError) {
      if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code)) return 0;
      return EXIT_USAGE;
    }
    if (isQinheError(err)) {
      process.stderr.write(`error ${err.code}: ${err.message}\n`);
      return err.code === 'QH_USAGE' ? EXIT_USAGE : EXIT_INVALID;
    }
    process.stderr.write(`error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    return EXIT_INVALID;
  }
}
