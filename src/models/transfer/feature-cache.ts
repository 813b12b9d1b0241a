/**
 * Feature caching for strategy 3 (frozen backbone, head-only training, no augmentation): run the backbone once per
 * sample, in inference mode, and train the head on the stored features. Because a frozen backbone with BatchNorm in
 * inference mode computes the same function every epoch, this gives the same head as re-running the backbone each
 * step (the original lesson's loop), many times faster. (With `frozenBatchNorm: 'pytorch-train'`, or with random
 * augmentation, the backbone's output changes from step to step and caching is not equivalent.)
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch, BatchSource } from '../../data';
import { featureTensor } from './heads';
import { graphForward, type GraphForward } from '../../engine/graph'; // graph path

export interface BackboneAndHead {
  /** Input → pooled features `[n, C]`. Shares layers with the model. */
  backbone: tf.LayersModel;
  /** Features `[n, C]` → the model's output. Shares layers (and weights) with the model. */
  head: tf.LayersModel;
}

/** Splits a model at its pooled features (the input of `fc` / `fc.0`). */
export function splitBackboneHead(model: tf.LayersModel): BackboneAndHead {
  const features = featureTensor(model);
  const backbone = tf.model({ inputs: model.inputs, outputs: features, name: `${model.name}.backbone` });
  const headLayers = model.layers.filter((l) => l.name === 'fc' || l.name.startsWith('fc.'));
  if (headLayers.length === 0)
    throw new Error(`splitBackboneHead: model ${model.name} has no head (layers fc or fc.*).`);
  const input = tf.input({ shape: features.shape.slice(1) as number[], name: 'features' });
  let x: tf.SymbolicTensor = input;
  for (const layer of headLayers) x = layer.apply(x) as tf.SymbolicTensor;
  return { backbone, head: tf.model({ inputs: input, outputs: x, name: `${model.name}.head` }) };
}

export interface CacheFeaturesOptions {
  /** Computes features from a batch of inputs. Default: `backbone.predict` (inference mode). */
  forward?: (x: tf.Tensor) => tf.Tensor;
}

/** Cached features: one batch per source batch, in source order; iterate it like any BatchSource. */
export class FeatureCache implements Iterable<Batch> {
  constructor(readonly batches: readonly Batch[]) {}

  get size(): number {
    return this.batches.reduce((n, b) => n + b.x.shape[0], 0);
  }

  [Symbol.iterator](): Iterator<Batch> {
    return this.batches[Symbol.iterator]();
  }

  /** The whole cache as two tensors (caller disposes), for re-batching or shuffling. */
  concat(): { x: tf.Tensor; y: tf.Tensor } {
    return tf.tidy(() => ({ x: tf.concat(this.batches.map((b) => b.x)), y: tf.concat(this.batches.map((b) => b.y)) }));
  }

  dispose(): void {
    for (const b of this.batches) tf.dispose([b.x, b.y]);
  }
}

/** Runs the backbone once over one epoch of `source` and keeps features, targets and indices. */
export async function cacheFeatures(
  backbone: tf.LayersModel,
  source: BatchSource,
  options: CacheFeaturesOptions = {},
): Promise<FeatureCache> {
  // graph path: the default forward runs as one native call per batch shape when covered.
  const graphDefault = options.forward ? undefined : graphForward((x: tf.Tensor) => backbone.predict(x) as tf.Tensor);
  const forward = options.forward ?? (graphDefault as GraphForward);
  const batches: Batch[] = [];
  try {
    for await (const batch of source) {
      batches.push({ x: forward(batch.x), y: tf.clone(batch.y), indices: Int32Array.from(batch.indices) });
    }
  } finally {
    graphDefault?.dispose(); // graph path
  }
  return new FeatureCache(batches);
}
