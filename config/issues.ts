/**
 * One shape for every problem found in a config, profile, secrets or inventory file, so they can all be
 * reported at once: where (file, line/row, column or path), the offending value and a one-line reason.
 */
export interface ConfigIssue {
  file: string;
  /** 1-based line in the file (YAML) */
  line?: number;
  column?: number;
  /** CSV: the spreadsheet row (header = row 1) */
  row?: number;
  /** CSV column name */
  field?: string;
  /** dotted path in a YAML document, e.g. devices[3].address */
  path?: string;
  value?: unknown;
  message: string;
}

export function formatValue(value: unknown): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const short = text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return ` (value "${short}")`;
}

export function formatIssue(issue: ConfigIssue): string {
  let where = issue.file;
  if (issue.row !== undefined) where += ` row ${issue.row}`;
  else if (issue.line !== undefined) where += `:${issue.line}${issue.column !== undefined ? `:${issue.column}` : ''}`;
  const what = issue.field !== undefined ? ` column "${issue.field}"` : issue.path ? ` ${issue.path}` : '';
  return `${where}${what}${formatValue(issue.value)}: ${issue.message}`;
}

export function pathToString(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}
