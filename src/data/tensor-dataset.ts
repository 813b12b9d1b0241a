/**
 * `TensorDataset`: samples that already live in tensors (cached backbone features, small generated sets), like
 * PyTorch's `TensorDataset`. It keeps the tensors it is given (the caller must not dispose them while it is in use)
 * and frees them in `dispose()`.
 */
import * as tf from '@tensorflow/tfjs';
import { DataFormatError } from '../errors';
import { checkIndices, type Dataset } from './dataset';

/** Positions of the samples of `t` (float) that hold NaN or an infinity; one reduction and one read. */
export function nonFiniteSamples(t: tf.Tensor): number[] {
  if (t.dtype !== 'float32' || t.size === 0) return [];
  const flags = tf.tidy(() => tf.all(tf.isFinite(tf.reshape(t, [t.shape[0] ?? 1, -1])), 1).dataSync());
  const bad: number[] = [];
  flags.forEach((f, i) => {
    if (!f) bad.push(i);
  });
  return bad;
}

/** Position of the first sample of `t` (float) that holds NaN or an infinity, or -1. */
export function firstNonFiniteSample(t: tf.Tensor): number {
  return nonFiniteSamples(t)[0] ?? -1;
}

export class TensorDataset implements Dataset {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;

  constructor(x: tf.Tensor, y: tf.Tensor) {
    if (x.shape[0] !== y.shape[0]) {
      throw new Error(
        `TensorDataset: x has ${x.shape[0]} samples (shape [${x.shape}]) but y has ${y.shape[0]} (shape [${y.shape}]).`,
      );
    }
    for (const [name, t] of [
      ['x', x],
      ['y', y],
    ] as const) {
      const bad = firstNonFiniteSample(t);
      if (bad >= 0) {
        throw new DataFormatError(
          `TensorDataset: ${name} of sample ${bad} holds NaN or an infinite value; expected finite numbers (shape [${t.shape}]). ` +
            'Remove or repair those samples before training.',
        );
      }
    }
    this.x = x;
    this.y = y;
  }

  get length(): number {
    return this.x.shape[0];
  }

  gather(indices: Int32Array): { x: tf.Tensor; y: tf.Tensor } {
    const own = checkIndices(indices, this.length, 'TensorDataset');
    return tf.tidy(() => {
      const idx = tf.tensor1d(own, 'int32');
      return { x: tf.gather(this.x, idx), y: tf.gather(this.y, idx) };
    });
  }

  dispose(): void {
    tf.dispose([this.x, this.y]);
  }
}
