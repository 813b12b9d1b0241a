/**
 * Numeric time series from a CSV file, read with nodejs-polars (for example the files that the npm package
 * `vega-datasets` ships: `sp500-2000.csv`, `seattle-weather.csv`, `co2-concentration.csv`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Polars from 'nodejs-polars';
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

/** Reads the named numeric columns; missing columns, non-numeric columns and empty cells are errors. */
export function loadCsvSeries(file: string, options: LoadCsvSeriesOptions): CsvSeries {
  if (!fs.existsSync(file)) throw new Error(`loadCsvSeries: file ${file} does not exist.`);
  const pl = polars();
  let df = pl.readCSV(file);
  const missing = [...options.columns, ...(options.timeColumn ? [options.timeColumn] : [])].filter((c) => !df.columns.includes(c));
  if (missing.length > 0) {
    throw new Error(`loadCsvSeries ${file}: expected columns ${missing.join(', ')}, found only ${df.columns.join(', ')}.`);
  }
  if (options.timeColumn) df = df.sort(options.timeColumn);
  const n = df.height;
  const values = new Float32Array(n * options.columns.length);
  options.columns.forEach((name, f) => {
    const column = df.getColumn(name);
    const dtype = String(column.dtype).replace(/^DataType\((.*)\)$/, '$1');
    if (!/Int|Float/.test(dtype)) {
      throw new Error(`loadCsvSeries ${file}: column ${name} must be numeric, found ${dtype}.`);
    }
    if (column.nullCount() > 0) throw new Error(`loadCsvSeries ${file}: column ${name} has ${column.nullCount()} empty cells.`);
    const data = column.cast(pl.Float64).toTypedArray() as Float64Array;
    for (let i = 0; i < n; i++) values[i * options.columns.length + f] = data[i];
  });
  const times = options.timeColumn ? (df.getColumn(options.timeColumn).cast(pl.Utf8).toArray() as string[]) : undefined;
  return { columns: options.columns.slice(), values, length: n, times, source: file };
}
