// What commands print: aligned, borderless tables for people (cli-table3, so wide and multi-byte values
// still line up), or with `-o json` the admin API's JSON as it arrived, for scripts and `jq`.
import Table from 'cli-table3';
import type { OutputFormat } from './admin-client.ts';

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

/** A table without borders: two spaces between columns, headers in capitals like kubectl. */
export function renderTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const table = new Table({
    head: columns.map((column) => column.header.toUpperCase()),
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of rows) table.push(columns.map((column) => cell(column.value(row))));
  return `${table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')}\n`;
}

/** One object as `FIELD  value` lines, nested objects flattened to dotted names. */
export function renderRecord(record: Record<string, unknown>): string {
  const rows = flatten(record);
  return renderTable<[string, unknown]>(
    [
      { header: 'field', value: ([name]) => name },
      { header: 'value', value: ([, value]) => value },
    ],
    rows,
  );
}

/** A cell's text: `-` for nothing, compact JSON for objects and arrays. */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'string') return value.replace(/\s*\n\s*/g, ' ');
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.length === 0 ? '-' : value.join(',');
  return JSON.stringify(value);
}

function flatten(record: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  return Object.entries(record).flatMap(([name, value]): Array<[string, unknown]> => {
    const key = `${prefix}${name}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0 && key !== 'filter' && key !== 'filter_tag') {
      return flatten(value as Record<string, unknown>, `${key}.`);
    }
    return [[key, value]];
  });
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints the API answer as JSON, or the table the command renders from it. */
export function printResult(format: OutputFormat, answer: unknown, table: () => string): void {
  if (format === 'json') printJson(answer);
  else process.stdout.write(table());
}
