/**
 * "Precise BatchNorm" (Wu & Johnson, *Rethinking "Batch" in BatchNorm*, 2021): recompute every BatchNorm layer's
 * running mean and variance as the exact average of batch statistics over some data, with the weights fixed.
 *
 * Why: the running statistics are an exponential average taken while the weights were still moving. After a short
 * training run (the `ci` profile's offline pre-training is a few dozen steps) they lag far behind the final weights,
 * and an inference-mode forward pass through 50 layers then produces activations orders of magnitude off. One pass
 * over the training data fixes that; it changes no trainable weight.
 */
import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../../data';
import { TorchBatchNorm } from './batch-norm';

export interface RecalibrateOptions {
  /** Use at most this many batches. Default: all of one epoch. */
  maxBatches?: number;
  /**
   * Which layers to recompute: `'trainable'` (the ones that trained and whose statistics lag; frozen layers keep
   * theirs, since the trained layers above them learned on exactly those) or `'all'` (also frozen ones: re-estimating
   * a pre-trained backbone's statistics on new data, "AdaBN"). Default: `'trainable'`.
   */
  layers?: 'trainable' | 'all';
}

/** Recomputes the running statistics of the TorchBatchNorm layers of `model`; returns the number of batches used. */
export async function recalibrateBatchNorm(
  model: tf.LayersModel,
  source: BatchSource,
  options: RecalibrateOptions = {},
): Promise<number> {
  const which = options.layers ?? 'trainable';
  const layers = model.layers.filter(
    (l): l is TorchBatchNorm => l instanceof TorchBatchNorm && (which === 'all' || l.trainable),
  );
  const saved = layers.map((l) => ({ momentum: l.momentum, frozenMode: l.frozenMode, unfrozenMode: l.unfrozenMode }));
  const limit = options.maxBatches ?? Number.POSITIVE_INFINITY;
  let k = 0;
  try {
    // Frozen layers outside `layers` keep their own mode ('inference' by default) and their statistics.
    for (const layer of layers) {
      layer.frozenMode = 'pytorch-train';
      layer.unfrozenMode = 'train'; // a layer fine-tuned in inference mode (Keras's rule) is recalibrated too
    }
    for await (const batch of source) {
      if (k >= limit) break;
      k++;
      // momentum 1/k turns the running update into the cumulative mean of the k batch statistics.
      for (const layer of layers) layer.momentum = 1 / k;
      tf.tidy(() => {
        model.apply(batch.x, { training: true });
      });
    }
  } finally {
    layers.forEach((layer, i) => {
      layer.momentum = saved[i].momentum;
      layer.frozenMode = saved[i].frozenMode;
      layer.unfrozenMode = saved[i].unfrozenMode;
    });
  }
  if (k === 0) throw new Error(`recalibrateBatchNorm: the data source of ${model.name} yielded no batches.`);
  return k;
}
