/**
 * Windowed train/validation/test sets from one series, split chronologically: the first part of the time line
 * trains, the next validates, the last tests. Each part is windowed on its own rows, so no window crosses a
 * boundary, and the scaler is fitted on the training rows only.
 */
import type { CsvSeries } from './csv-series';
import { OptionError } from '../errors';
import { fitScaler, type Scaler, type ScalerKind } from './scaler';
import { WindowDataset, type WindowOptions } from './windows';

export interface ChronologicalSplitOptions {
  /** Share of the rows for training (the earliest). Default 0.7. */
  train?: number;
  /** Share for validation (the next); the rest is the test part (the latest). Default 0.15. */
  validation?: number;
}

/** Row ranges `[start, end)` of the three parts, in time order. */
export function chronologicalSplit(
  rows: number,
  options: ChronologicalSplitOptions = {},
): {
  train: [number, number];
  validation: [number, number];
  test: [number, number];
} {
  const trainShare = options.train ?? 0.7;
  const validationShare = options.validation ?? 0.15;
  if (!(trainShare > 0 && validationShare >= 0 && trainShare + validationShare < 1)) {
    throw new RangeError(
      `chronologicalSplit: expected train > 0, validation >= 0 and train + validation < 1, got ${trainShare} and ${validationShare}.`,
    );
  }
  const a = Math.round(rows * trainShare);
  const b = Math.round(rows * (trainShare + validationShare));
  const empty = (
    [
      ['train', trainShare, a],
      ['validation', validationShare, b - a],
      ['test', 1 - trainShare - validationShare, rows - b],
    ] as const
  ).find(([, share, count]) => share > 0 && count < 1);
  if (empty) {
    throw new OptionError(
      `chronologicalSplit: the ${empty[0]} share ${empty[0] === 'test' ? `(1 - train - validation = ${+empty[1].toPrecision(6)})` : empty[1]} ` +
        `of ${rows} rows gives 0 rows; expected at least 1 row in every part with a share > 0. Use a larger share (or more rows).`,
      empty[0],
    );
  }
  return { train: [0, a], validation: [a, b], test: [b, rows] };
}

export interface TimeSeriesOptions extends WindowOptions, ChronologicalSplitOptions {
  /** How to scale features, fitted on the training rows only. Default 'standard'; 'none' keeps raw values. */
  scaler?: ScalerKind | 'none';
}

export interface TimeSeriesSplits {
  train: WindowDataset;
  validation: WindowDataset;
  test: WindowDataset;
  /** The fitted scaler (undefined for 'none'); use `scaler.inverse` to report predictions in original units. */
  scaler?: Scaler;
  columns: string[];
}

/** Splits `series` in time, fits the scaler on the train rows, and windows each part. */
export function timeSeriesDatasets(series: CsvSeries, options: TimeSeriesOptions): TimeSeriesSplits {
  const features = series.columns.length;
  const ranges = chronologicalSplit(series.length, options);
  const kind = options.scaler ?? 'standard';
  const rowsOf = ([s, e]: [number, number]) => series.values.subarray(s * features, e * features);
  const scaler = kind === 'none' ? undefined : fitScaler(kind, rowsOf(ranges.train), features);
  const part = (range: [number, number]) => {
    const raw = rowsOf(range);
    const values = scaler ? scaler.transform(raw) : raw.slice();
    const ds = new WindowDataset(values, features, options, range[0]);
    return ds;
  };
  const splits = {
    train: part(ranges.train),
    validation: part(ranges.validation),
    test: part(ranges.test),
    scaler,
    columns: series.columns,
  };
  for (const name of ['train', 'validation', 'test'] as const) {
    if (splits[name].length === 0 && ranges[name][1] > ranges[name][0]) {
      throw new Error(
        `timeSeriesDatasets ${series.source}: the ${name} part has ${ranges[name][1] - ranges[name][0]} rows, fewer than ` +
          `window + horizon = ${options.window + (options.horizon ?? 1)}; use a shorter window or a larger share.`,
      );
    }
  }
  return splits;
}
