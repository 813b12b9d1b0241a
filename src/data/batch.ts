/**
 * The batch contract between data loaders and training code.
 *
 * A loader is re-iterable: each `for await (const batch of loader)` is one epoch. A batch's tensors belong to the
 * loader and stay valid until the consumer asks for the next batch (or leaves the loop); the loader then disposes
 * them. A consumer that needs a batch's tensors later must `tf.clone` (or `tf.keep`) them itself.
 */
import type * as tf from '@tensorflow/tfjs';

export interface Batch {
  /** Inputs: images `[n, h, w, c]` (channels-last) or sequences `[n, steps, features]`. */
  x: tf.Tensor;
  /** Targets: int32 class indices `[n]`, or float targets `[n, ...]` for regression. */
  y: tf.Tensor;
  /** Positions of these samples in the dataset the loader reads (for "wrong predictions" lists). */
  indices: Int32Array;
}

/** Anything that yields one epoch of batches per iteration. */
export type BatchSource = AsyncIterable<Batch> | Iterable<Batch>;
