import type { Command } from 'commander';
import { loadBoxConfig } from '../../../config/load.js';
import { CliExit, EXIT_INVALID } from '../exit.js';
import { paint, printIssues } from '../report.js';

export function register(program: Command): void {
  const config = program.command('config').description('Box configuration tools');
  config
    .command('validate')
    .description('Check a box configuration, its profiles and secrets before (re)starting a box')
    .argument('<file>', 'box configuration (YAML)')
    .option('--json', 'machine-readable output')
    .action((file: string, opts: { json?: boolean }) => {
      const result = loadBoxConfig(file);
      if (!result.ok) {
        printIssues(result.issues, Boolean(opts.json));
        throw new CliExit(EXIT_INVALID);
      }
      const { config: cfg, profiles, secretsFile } = result.loaded;
      const summary = {
        ok: true, file, estate: cfg.estate.id, box: cfg.box.id, devices: cfg.devices.length,
        serialLines: cfg.serial.length, profiles: profiles.size, secretsFile: secretsFile ?? null,
      };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      const c = paint();
      process.stdout.write(`${c.green('✔')} ${file} is valid: estate ${cfg.estate.id}, box ${cfg.box.id}, ` +
        `${cfg.devices.length} devices on ${cfg.serial.length} serial lines, ${profiles.size} profiles` +
        `${secretsFile ? `, secrets ${secretsFile}` : ', no secrets file'}\n`);
    });
}
