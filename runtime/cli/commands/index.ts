/**
 * Every subcommand group registers itself here: one file per group in this folder, each exporting
 * `register(program)`. Add a line to add a command.
 */
import type { Command } from 'commander';

export type Register = (program: Command) => void;

export async function loadCommands(): Promise<Register[]> {
  const modules = await Promise.all([
    import('./config.js'),
    import('./modbus.js'),
    import('./discover.js'),
    import('./discover-onvif.js'),
    import('./onvif.js'),
    import('./demo.js'),
    import('./gpio.js'),
    import('./provision.js'),
    import('./run.js'),
    import('./status.js'),
    import('./devices.js'),
    import('./incidents.js'),
    import('./test.js'),
    import('./logs.js'),
    import('./check.js'),
    import('./commission.js'),
  ]);
  return modules.map((m) => m.register);
}
