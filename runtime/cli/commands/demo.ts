/**
 * `qinhe demo` (what `npm start` runs): the real box on a simulated Caima estate. The demo code (and the
 * simulators it uses) is imported only when the command runs, so `qinhe run` never loads it.
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import { packageRoot } from '../../../config/paths.js';
import { CliExit } from '../exit.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description('Run the box on a simulated Caima estate (477 devices) with a local MQTT broker and a stand-in center')
    .option('--broker <url>', 'use this MQTT 5 broker instead of starting a local one (mosquitto on 127.0.0.1, 1883 if free)')
    .option('--estate <id>', 'estate id', 'caima')
    .option('--box <id>', 'box id', 'caima-01')
    .option('--data-dir <dir>', 'data directory, kept across restarts', './.qinhe-demo')
    .option('--center-key-file <file>', "the center's Ed25519 public key (PEM); without it the demo makes a key pair")
    .option('--ack-timeout <s>', 'escalate a critical incident not acknowledged within this many seconds')
    .option('--scenario <name>', 'caima (every incident kind in the first minute, then a few a minute) or none', 'caima')
    .option('--devices <n>', 'a smaller estate: the first N inventory rows, keeping every kind')
    .option('--duration <s>', 'exit after this many seconds')
    .option('--inventory <file.csv>', 'the estate inventory', join(packageRoot(), 'config', 'demo', 'caima-inventory.csv'))
    .option('--center', 'print every message the center receives')
    .option('--center-ack <s>', 'the demo center acknowledges each raised incident after this many seconds (signed command)')
    .option('--transport <t>', 'serial lines: auto (socat PTYs if socat exists), pty or memory', 'auto')
    .option('--display <mode>', 'auto, tty (redraw in place), plain (one line per event) or none', 'auto')
    .option('--log-level <level>', 'pino log level (the log goes to DATA_DIR/demo.log)', process.env.QINHE_LOG_LEVEL ?? 'info')
    .action(async (flags: Parameters<typeof import('../../demo/options.js').parseDemoFlags>[0]) => {
      const { parseDemoFlags } = await import('../../demo/options.js');
      const { runDemo } = await import('../../demo/run.js');
      const result = await runDemo(parseDemoFlags(flags));
      if (result.exitCode !== 0) throw new CliExit(result.exitCode);
    });
}
