import type { Command } from 'commander';
import { provision } from '../../../config/provision.js';
import { CliExit, EXIT_INVALID, EXIT_USAGE } from '../exit.js';
import { paint, printIssues } from '../report.js';

const BAUDS = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;

export function register(program: Command): void {
  program
    .command('provision')
    .description('Build a validated box configuration from the installer\'s inventory CSV (inventory v1)')
    .requiredOption('--inventory <file.csv>', 'device list (CSV, UTF-8, header row)')
    .requiredOption('--estate <id>', 'estate id (a-z 0-9 -)')
    .requiredOption('--box <id>', 'box id (a-z 0-9 -)')
    .requiredOption('--out <dir>', 'directory to write qinhe.yaml (and secrets.yaml) into')
    .option('--secrets <file>', 'secrets YAML with camera credentials (mode 0600); credential columns in the CSV also work')
    .option('--profiles <dir>', 'extra device profiles directory')
    .option('--broker <url>', 'uplink broker URL', 'mqtt://127.0.0.1:1883')
    .option('--baud <n>', 'baud rate of the RS-485 lines', '9600')
    .option('--data-dir <dir>', 'the box data directory', '/var/lib/qinhe')
    .option('--json', 'machine-readable output')
    .action((opts: { inventory: string; estate: string; box: string; out: string; secrets?: string; profiles?: string; broker: string; baud: string; dataDir: string; json?: boolean }) => {
      const baud = Number(opts.baud) as (typeof BAUDS)[number];
      if (!BAUDS.includes(baud)) throw new CliExit(EXIT_USAGE, `--baud must be one of ${BAUDS.join(', ')}`);
      const result = provision({
        inventoryFile: opts.inventory, estate: opts.estate, box: opts.box, outDir: opts.out, broker: opts.broker, baud,
        dataDir: opts.dataDir, ...(opts.secrets ? { secretsFile: opts.secrets } : {}), ...(opts.profiles ? { profilesDir: opts.profiles } : {}),
      });
      if (!result.ok) {
        printIssues(result.issues, Boolean(opts.json));
        throw new CliExit(EXIT_INVALID);
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const c = paint();
      const types = Object.entries(result.byType).sort((a, b) => b[1] - a[1]).map(([t, n]) => `${n} ${t}`).join(', ');
      process.stdout.write(`${c.green('✔')} wrote ${result.configFile}: ${result.devices} devices (${types}), ${result.serialLines} serial lines\n`);
      if (result.secretsFile) process.stdout.write(`${c.green('✔')} wrote ${result.secretsFile} (mode 0600)\n`);
      process.stdout.write(`  next: qinhe config validate ${result.configFile}\n`);
    });
}
