/**
 * Per-feature scalers for time series, fitted on the training part only (so that nothing about the validation or
 * test periods leaks into training) and then applied unchanged to every part.
 */
export type ScalerKind = 'standard' | 'minmax';

export interface Scaler {
  kind: ScalerKind;
  /** Per-feature offset: the mean (standard) or the minimum (minmax), from the training part. */
  offset: Float32Array;
  /** Per-feature divisor: the std (standard) or max - min (minmax); 1 where it would be 0. */
  scale: Float32Array;
  /** `(v - offset) / scale`, feature by feature, for `[rows, features]` values. Returns a new array. */
  transform(values: Float32Array): Float32Array;
  /** The inverse of `transform`. */
  inverse(values: Float32Array): Float32Array;
}

/** Fits a scaler on `values` (`[rows, features]` row-major). */
export function fitScaler(kind: ScalerKind, values: Float32Array, features: number): Scaler {
  const rows = values.length / features;
  if (!Number.isInteger(rows) || rows < 1) {
    throw new Error(`fitScaler: expected [rows, ${features}] values, found ${values.length} numbers.`);
  }
  const offset = new Float32Array(features);
  const scale = new Float32Array(features);
  for (let f = 0; f < features; f++) {
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let r = 0; r < rows; r++) {
      const v = values[r * features + f];
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const mean = sum / rows;
    let sq = 0;
    for (let r = 0; r < rows; r++) sq += (values[r * features + f] - mean) ** 2;
    const std = Math.sqrt(sq / rows);
    offset[f] = kind === 'standard' ? mean : min;
    const s = kind === 'standard' ? std : max - min;
    scale[f] = s > 0 ? s : 1;
  }
  const map = (values: Float32Array, fn: (v: number, f: number) => number): Float32Array =>
    values.map((v, i) => fn(v, i % features));
  return {
    kind,
    offset,
    scale,
    transform: (v) => map(v, (x, f) => (x - offset[f]) / scale[f]),
    inverse: (v) => map(v, (x, f) => x * scale[f] + offset[f]),
  };
}
