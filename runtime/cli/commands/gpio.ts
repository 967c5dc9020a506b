/**
 * `qinhe gpio list [--json]`: the GPIO chips this machine has and which backend can drive them, or why there
 * is none. No GPIO is a normal state (a box may use only cameras and Modbus), so it exits 0 either way.
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { listGpio } from '../../../drivers/gpio/inventory.js';
import { paint } from '../report.js';

export function register(program: Command): void {
  const gpio = program.command('gpio').description('GPIO lines of this box (contacts, panic buttons, tamper, sirens)');
  gpio
    .command('list')
    .description('List GPIO chips and lines seen, and which backend (sysfs, cdev) can use them')
    .option('--json', 'machine-readable output')
    .option('--sysfs-root <dir>', 'sysfs GPIO root (diagnostics)', '/sys/class/gpio')
    .option('--dev-dir <dir>', 'where the gpiochip character devices are (diagnostics)', '/dev')
    .action(async (opts: { json?: boolean; sysfsRoot: string; devDir: string }) => {
      const inventory = await listGpio({ sysfsRoot: opts.sysfsRoot, devDir: opts.devDir });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(inventory, null, 2)}\n`);
        return;
      }
      const c = paint();
      for (const b of inventory.backends) {
        process.stdout.write(`${b.ok ? c.green('✔') : c.yellow('–')} ${b.name}: ${b.ok ? 'usable' : b.reason}\n`);
      }
      if (inventory.chips.length > 0) {
        const table = new Table({ head: ['chip', 'label', 'lines', 'sysfs base', 'seen by'] });
        for (const chip of inventory.chips) {
          table.push([chip.name, chip.label, chip.lines, chip.sysfsBase ?? '', chip.seenBy.join(', ')]);
        }
        process.stdout.write(`${table.toString()}\n`);
        for (const chip of inventory.chips) {
          for (const l of (chip.lineInfo ?? []).filter((x) => x.consumer !== undefined)) {
            process.stdout.write(`  in use: ${chip.name}/${l.offset}${l.name ? ` (${l.name})` : ''} by ${l.consumer}, ${l.direction}\n`);
          }
        }
        process.stdout.write('Address a line as gpio://CHIP/OFFSET (offsets 0 … lines-1), e.g. gpio://gpiochip0/17.\n');
      }
      if (inventory.explanation) process.stdout.write(`${inventory.explanation}\n`);
    });
}
