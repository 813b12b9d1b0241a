/**
 * MIME adapter for nodejs-polars DataFrames: an HTML table (every cell HTML-escaped) and polars' own aligned text
 * table. Matched by polars' `Symbol.toStringTag` so that displaying nothing never loads the polars native module.
 */
import type { MimeBundle } from '../protocol';
import type { MimeAdapter } from '../registry';
import { htmlTable } from './html';

/** Rows shown in the HTML table; longer frames show the first `HEAD_ROWS` and last `TAIL_ROWS` rows. */
export const MAX_HTML_ROWS = 20;
const HEAD_ROWS = 10;
const TAIL_ROWS = 5;

/** The part of a nodejs-polars DataFrame the adapter reads. */
export interface FrameLike {
  readonly height: number;
  readonly width: number;
  readonly columns: string[];
  readonly dtypes: { toString(): string }[];
  head(n: number): FrameLike;
  tail(n: number): FrameLike;
  toRecords(): Record<string, unknown>[];
  toString(): string;
}

function isFrame(value: unknown): value is FrameLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.prototype.toString.call(value) === '[object DataFrame]' &&
    Array.isArray((value as FrameLike).columns) &&
    typeof (value as FrameLike).toRecords === 'function'
  );
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return String(Number(v.toPrecision(7)));
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function rowsOf(frame: FrameLike): string[][] {
  return frame.toRecords().map((r) => frame.columns.map((c) => cellText(r[c])));
}

/** `dtype` names as polars prints them (`DataType(Float64)` → `Float64`). */
function dtypeNames(frame: FrameLike): string[] {
  return frame.dtypes.map((d) => String(d).replace(/^DataType\((.*)\)$/, '$1'));
}

export function dataFrameBundle(frame: FrameLike): MimeBundle {
  let rows: string[][];
  if (frame.height <= MAX_HTML_ROWS) {
    rows = rowsOf(frame);
  } else {
    const gap = frame.columns.map(() => '…');
    rows = [...rowsOf(frame.head(HEAD_ROWS)), gap, ...rowsOf(frame.tail(TAIL_ROWS))];
  }
  const dtypes = dtypeNames(frame);
  const header = frame.columns.map((c, i) => `${c} (${dtypes[i]})`);
  const caption = `DataFrame: ${frame.height} rows × ${frame.width} columns`;
  return { 'text/plain': frame.toString(), 'text/html': htmlTable(header, rows, caption) };
}

export const dataFrameAdapter: MimeAdapter = {
  name: 'polars.DataFrame',
  matches: isFrame,
  toMimeBundle: (value) => dataFrameBundle(value as FrameLike),
};
