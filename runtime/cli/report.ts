/** Shared CLI output helpers: issues for people or as JSON, colour only on a terminal. */
import pc from 'picocolors';
import { formatIssue, type ConfigIssue } from '../../config/issues.js';

export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

export function paint(stream: NodeJS.WriteStream = process.stdout) {
  return pc.createColors(useColor(stream));
}

export function printIssues(issues: ConfigIssue[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok: false, issues }, null, 2)}\n`);
    return;
  }
  const c = paint(process.stderr);
  process.stderr.write(`${c.red('✖')} ${issues.length} problem${issues.length === 1 ? '' : 's'} found; nothing was changed:\n`);
  for (const issue of issues) process.stderr.write(`  ${formatIssue(issue)}\n`);
}
