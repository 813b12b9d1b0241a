/**
 * A DataFrame as a table: an HTML table (every cell escaped) for notebooks and aligned text for terminals.
 *
 * Works on any nodejs-polars DataFrame (it only uses `columns`, `height`, `head`, `tail` and `toRecords`).
 */
import type { DataFrame } from 'nodejs-polars';
import type { MimeBundle } from '../display';
import { escapeHtml } from './html';

export interface TableOptions {
  /** Rows shown; longer frames show their first and last rows around a `…` row. Default: 40. */
  maxRows?: number;
  /** Significant digits for non-integer numbers. Default: 4. */
  digits?: number;
  /** A caption above the table. Default: none. */
  caption?: string;
}

/** One cell as text: integers as they are, other numbers to `digits` significant digits, null as `null`. */
export function formatCell(value: unknown, digits = 4): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    if (!Number.isFinite(value)) return String(value);
    return Number(value.toPrecision(digits)).toString();
  }
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

interface Shown {
  columns: string[];
  rows: string[][];
  /** Index in `rows` before which the `…` row goes, or -1. */
  gapAt: number;
  height: number;
}

function shownRows(df: DataFrame, maxRows: number, digits: number): Shown {
  const columns = df.columns;
  const toRows = (records: Record<string, unknown>[]) => records.map((r) => columns.map((c) => formatCell(r[c], digits)));
  if (df.height <= maxRows) return { columns, rows: toRows(df.toRecords()), gapAt: -1, height: df.height };
  const headCount = Math.ceil(maxRows / 2);
  const tailCount = Math.floor(maxRows / 2);
  const rows = [...toRows(df.head(headCount).toRecords()), ...toRows(df.tail(tailCount).toRecords())];
  return { columns, rows, gapAt: headCount, height: df.height };
}

const isNumeric = (s: string) => s === 'NaN' || (s.trim() !== '' && !Number.isNaN(Number(s)));

/** Aligned text: numbers right-aligned, text left-aligned, a shape line on top. */
export function tableText(df: DataFrame, options: TableOptions = {}): string {
  const { columns, rows, gapAt, height } = shownRows(df, options.maxRows ?? 40, options.digits ?? 4);
  const widths = columns.map((c, j) => Math.max(c.length, ...rows.map((r) => r[j].length), 1));
  const numeric = columns.map((_, j) => rows.length > 0 && rows.every((r) => r[j] === 'null' || isNumeric(r[j])));
  const line = (cells: string[]) =>
    cells.map((cell, j) => (numeric[j] ? cell.padStart(widths[j]) : cell.padEnd(widths[j]))).join('  ').trimEnd();
  const out = [`${options.caption ? `${options.caption}\n` : ''}DataFrame: ${height} rows x ${columns.length} columns`, line(columns)];
  out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  rows.forEach((r, i) => {
    if (i === gapAt) out.push(line(columns.map(() => '…')));
    out.push(line(r));
  });
  return out.join('\n');
}

/** An HTML table; column names, cells and the caption are escaped. */
export function tableHtml(df: DataFrame, options: TableOptions = {}): string {
  const { columns, rows, gapAt, height } = shownRows(df, options.maxRows ?? 40, options.digits ?? 4);
  const head = `<thead><tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead>`;
  const body: string[] = [];
  rows.forEach((r, i) => {
    if (i === gapAt) body.push(`<tr>${columns.map(() => '<td>…</td>').join('')}</tr>`);
    body.push(`<tr>${r.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`);
  });
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : '';
  return (
    `<table class="lessonkit-table" border="1" style="border-collapse:collapse">${caption}${head}<tbody>${body.join('')}</tbody></table>` +
    `<p style="font-size:small;color:#666">${height} rows × ${columns.length} columns</p>`
  );
}

/** Both forms as one MIME bundle. */
export function tableBundle(df: DataFrame, options: TableOptions = {}): MimeBundle {
  return { 'text/plain': tableText(df, options), 'text/html': tableHtml(df, options) };
}

/** A DataFrame with a caption that displays itself as a table (e.g. the wrong-predictions list). */
export class Table {
  constructor(readonly frame: DataFrame, readonly options: TableOptions = {}) {}
  toMimeBundle(): MimeBundle {
    return tableBundle(this.frame, this.options);
  }
}
