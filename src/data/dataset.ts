/**
 * The one interface every data set in the kit offers to the `DataLoader`: a length, and a way to build the tensors
 * of any list of samples. Image sets, windowed time series and MNIST-as-rows all implement it.
 */
import type * as tf from '@tensorflow/tfjs';

export interface Dataset {
  /** Number of samples. */
  readonly length: number;
  /**
   * Builds the inputs and targets of the samples at `indices` (positions in this data set), stacked along a new
   * first axis. The caller owns (and disposes) the returned tensors.
   */
  gather(indices: Int32Array): { x: tf.Tensor; y: tf.Tensor };
}

/** Checks that every index is an integer in [0, length); the error names the data set and the bad index. */
export function checkIndices(indices: ArrayLike<number>, length: number, name: string): Int32Array {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i];
    if (!Number.isInteger(v) || v < 0 || v >= length) {
      throw new RangeError(
        `${name}: index ${v} (at position ${i}) is out of range; expected an integer in [0, ${length}).`,
      );
    }
    out[i] = v;
  }
  return out;
}
