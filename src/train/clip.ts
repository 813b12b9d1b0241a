/** Gradient clipping by global norm (PyTorch's `clip_grad_norm_`, TF's `clip_by_global_norm`). */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '../errors';

/** The global L2 norm of a list of gradients, as a scalar tensor. */
export function globalNorm(grads: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar);
}

/**
 * Scales every gradient by `min(1, maxNorm / globalNorm)`. Returns new tensors (the inputs are not disposed) and the
 * norm before clipping.
 */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): { clipped: tf.Tensor[]; norm: tf.Scalar } {
  if (!(maxNorm > 0)) throw new OptionError(`clipByGlobalNorm: expected maxNorm > 0. Received: ${maxNorm}`);
  return tf.tidy(() => {
    const norm = globalNorm(grads);
    // PyTorch adds 1e-6 to the norm in the same place.
    const scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(maxNorm), tf.add(norm, 1e-6)));
    return { clipped: grads.map((g) => tf.mul(g, scale)), norm };
  });
}
