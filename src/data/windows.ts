/**
 * Sliding windows over a series: sample i is `window` consecutive rows as input and the next `horizon` rows of the
 * target columns as output. Windows are built per batch from the series, never all at once.
 */
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../engine';
import { DataFormatError } from '../errors';
import { checkIndices, type Dataset } from './dataset';

export interface WindowOptions {
  /** Input steps per sample. */
  window: number;
  /** Future steps to predict. Default 1. */
  horizon?: number;
  /** Feature positions that form the target. Default: all features. */
  targets?: number[];
  /** Distance between window starts. Default 1. */
  stride?: number;
}

export class WindowDataset implements Dataset {
  readonly values: Float32Array;
  readonly features: number;
  readonly window: number;
  readonly horizon: number;
  readonly targets: number[];
  readonly stride: number;
  /** Row of the series where this part starts (for plotting predictions against time). */
  readonly startRow: number;

  /** `values` is `[rows, features]` row-major. */
  constructor(values: Float32Array, features: number, options: WindowOptions, startRow = 0) {
    this.values = values;
    this.features = features;
    this.window = options.window;
    this.horizon = options.horizon ?? 1;
    this.targets = options.targets ?? Array.from({ length: features }, (_, f) => f);
    this.stride = options.stride ?? 1;
    this.startRow = startRow;
    for (const [name, v] of [
      ['window', this.window],
      ['horizon', this.horizon],
      ['stride', this.stride],
    ] as const) {
      if (!Number.isInteger(v) || v < 1)
        throw new RangeError(`WindowDataset: ${name} must be a positive integer, got ${v}.`);
    }
    const bad = this.targets.find((t) => !Number.isInteger(t) || t < 0 || t >= features);
    if (bad !== undefined)
      throw new RangeError(`WindowDataset: target feature ${bad} is out of range [0, ${features}).`);
    const nonFinite = values.findIndex((v) => !Number.isFinite(v));
    if (nonFinite >= 0) {
      const row = startRow + Math.floor(nonFinite / features);
      throw new DataFormatError(
        `WindowDataset: row ${row} (feature ${nonFinite % features}) of the series is ${values[nonFinite]}; expected finite numbers ` +
          'in every row (a NaN would make every window that contains it, and the loss, NaN).',
      );
    }
  }

  get rows(): number {
    return this.values.length / this.features;
  }

  get length(): number {
    const span = this.window + this.horizon;
    return this.rows < span ? 0 : Math.floor((this.rows - span) / this.stride) + 1;
  }

  /** x: float32 `[b, window, features]`; y: float32 `[b, horizon * targets.length]`. */
  gather(indices: Int32Array): { x: tf.Tensor3D; y: tf.Tensor2D } {
    ensureEngine();
    const own = checkIndices(indices, this.length, 'WindowDataset');
    const { window, horizon, features, targets } = this;
    const x = new Float32Array(own.length * window * features);
    const y = new Float32Array(own.length * horizon * targets.length);
    own.forEach((sample, j) => {
      const start = sample * this.stride;
      x.set(this.values.subarray(start * features, (start + window) * features), j * window * features);
      for (let h = 0; h < horizon; h++) {
        const row = (start + window + h) * features;
        targets.forEach((t, k) => (y[(j * horizon + h) * targets.length + k] = this.values[row + t]));
      }
    });
    return {
      x: tf.tensor3d(x, [own.length, window, features]),
      y: tf.tensor2d(y, [own.length, horizon * targets.length]),
    };
  }
}
