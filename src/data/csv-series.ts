/**
 * Numeric time series from a CSV file, read with nodejs-polars (for example the files that the npm package
 * `vega-datasets` ships: `sp500-2000.csv`, `seattle-weather.csv`, `co2-concentration.csv`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Polars from 'nodejs-polars';
import { DataFormatError, OptionError } from '../errors';
import { packageDir } from './package-dir';

export interface CsvSeries {
  /** Column names, in the order of `values`' feature axis. */
  columns: string[];
  /** Values, `[length, columns.length]` row-major, float32. */
  values: Float32Array;
  length: number;
  /** The time column as strings, when `timeColumn` was given. */
  times?: string[];
  source: string;
}

export interface LoadCsvSeriesOptions {
  /** Numeric columns to keep, in this order. */
  columns: string[];
  /** Column with the time stamps; rows are sorted by it. Default: none (file order). */
  timeColumn?: string;
}

/** nodejs-polars, loaded on first use (its native module is not loaded when lessonkit is imported). */
function polars(): typeof Polars {
  const mod = require('nodejs-polars') as { default?: typeof Polars } & typeof Polars;
  return mod.default ?? mod;
}

/** The path of a file in `vega-datasets/data` (e.g. `vegaDatasetPath('sp500-2000.csv')`). */
export function vegaDatasetPath(name: string): string {
  return path.join(packageDir('vega-datasets'), 'data', name);
}

const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** 1-based line of the file at byte `offset`. */
function lineAt(file: string, offset: number): number {
  const bytes = fs.readFileSync(file);
  let line = 1;
  for (let i = 0; i < Math.min(offset, bytes.length); i++) if (bytes[i] === 10) line++;
  return line;
}

/**
 * Turns polars' parse error (which names no file and advises Python options this loader does not have) into one that
 * names the file, the row and the column, found by reading the file again as text.
 */
function csvReadError(file: string, columns: string[], err: unknown): DataFormatError {
  const raw = (err as Error).message ?? String(err);
  const pl = polars();
  let strings: Polars.DataFrame | undefined;
  try {
    strings = pl.readCSV(file, { inferSchemaLength: 0 });
  } catch {
    strings = undefined;
  }
  if (strings) {
    for (const name of columns.filter((c) => strings!.columns.includes(c))) {
      const cells = strings.getColumn(name).toArray() as (string | null)[];
      const bad = cells.findIndex((c) => c !== null && !NUMBER.test(c));
      if (bad >= 0) {
        return new DataFormatError(
          `loadCsvSeries ${file}: column ${name}, row ${bad + 1} (line ${bad + 2}) holds ${JSON.stringify(cells[bad])}; ` +
            'expected a number in every row of the series. Fix or remove that row of the file.',
          file,
          { cause: err },
        );
      }
    }
  }
  const offset = /current offset in the file is (\d+) bytes/.exec(raw);
  const where = offset && Number(offset[1]) > 0 ? ` near line ${lineAt(file, Number(offset[1]))}` : '';
  const what = /^(.*)$/m.exec(raw)?.[1] ?? raw;
  const detail = /Original error: ```([\s\S]*?)```/.exec(raw)?.[1]?.replace(/\s+/g, ' ').trim();
  return new DataFormatError(
    `loadCsvSeries ${file}: expected a CSV file with a header row and one value per column in every row; it does not ` +
      `parse${where}: ${detail ?? what.replace(/\s+/g, ' ')}. Check the quoting and the number of fields per line.`,
    file,
    { cause: err },
  );
}

/**
 * Reads the named numeric columns. Missing columns, non-numeric columns, empty cells and NaN or infinite values are
 * errors naming the file, the column and the row (row 1 is the first row after the header).
 */
export function loadCsvSeries(file: string, options: LoadCsvSeriesOptions): CsvSeries {
  if (!fs.existsSync(file)) throw new OptionError(`loadCsvSeries: file ${file} does not exist.`, 'file');
  if (!Array.isArray(options?.columns) || options.columns.length === 0) {
    throw new OptionError(
      `loadCsvSeries ${file}: expected options.columns to name at least one numeric column. Received: ${JSON.stringify(options?.columns)}`,
      'columns',
    );
  }
  const pl = polars();
  let df: Polars.DataFrame;
  try {
    df = pl.readCSV(file);
  } catch (err) {
    throw csvReadError(file, options.columns, err);
  }
  const missing = [...options.columns, ...(options.timeColumn ? [options.timeColumn] : [])].filter(
    (c) => !df.columns.includes(c),
  );
  if (missing.length > 0) {
    throw new DataFormatError(
      `loadCsvSeries ${file}: expected columns ${missing.join(', ')}, found only ${df.columns.join(', ')}.`,
      file,
    );
  }
  // Rows are checked in file order (before sorting), so that the row in a message is the row in the file.
  for (const name of options.columns) {
    const column = df.getColumn(name);
    const dtype = String(column.dtype).replace(/^DataType\((.*)\)$/, '$1');
    if (!/Int|Float/.test(dtype)) continue; // reported below with the dtype
    const data = column.cast(pl.Float64).toArray() as (number | null)[];
    const bad = data.findIndex((v) => v === null || !Number.isFinite(v));
    if (bad >= 0) {
      throw new DataFormatError(
        `loadCsvSeries ${file}: column ${name}, row ${bad + 1} (line ${bad + 2}) is ${data[bad] === null ? 'empty' : String(data[bad])}; ` +
          'expected a finite number in every row (a NaN or an empty cell would turn the scaler and every scaled value into NaN). ' +
          'Fix or remove that row of the file.',
        file,
      );
    }
  }
  if (options.timeColumn) df = df.sort(options.timeColumn);
  const n = df.height;
  const values = new Float32Array(n * options.columns.length);
  options.columns.forEach((name, f) => {
    const column = df.getColumn(name);
    const dtype = String(column.dtype).replace(/^DataType\((.*)\)$/, '$1');
    if (!/Int|Float/.test(dtype)) {
      const cells = df.getColumn(name).cast(pl.Utf8).toArray() as (string | null)[];
      const bad = cells.findIndex((c) => c !== null && !NUMBER.test(c));
      const example = bad >= 0 ? ` (row ${bad + 1}, line ${bad + 2}, holds ${JSON.stringify(cells[bad])})` : '';
      throw new DataFormatError(
        `loadCsvSeries ${file}: column ${name} must be numeric, found ${dtype}${example}.`,
        file,
      );
    }
    const data = column.cast(pl.Float64).toTypedArray() as Float64Array;
    for (let i = 0; i < n; i++) values[i * options.columns.length + f] = data[i];
  });
  const times = options.timeColumn ? (df.getColumn(options.timeColumn).cast(pl.Utf8).toArray() as string[]) : undefined;
  return { columns: options.columns.slice(), values, length: n, times, source: file };
}
