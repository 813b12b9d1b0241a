/**
 * Images read as sequences, row by row: an `h x w x c` image becomes `h` steps of `w * c` features, scaled to
 * [0, 1]. For MNIST that is the classic 28 steps of 28 features for recurrent networks.
 */
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../engine';
import type { Dataset } from './dataset';
import type { ImageDataset } from './image-dataset';

export class RowSequenceDataset implements Dataset {
  readonly images: ImageDataset;

  constructor(images: ImageDataset) {
    this.images = images;
  }

  get length(): number {
    return this.images.length;
  }

  /** `[steps, features]` of each sequence. */
  get sequenceShape(): [number, number] {
    const [h, w, c] = this.images.imageShape;
    return [h, w * c];
  }

  /** x: float32 `[b, h, w*c]` in [0, 1]; y: int32 class indices `[b]`. */
  gather(indices: Int32Array): { x: tf.Tensor3D; y: tf.Tensor1D } {
    ensureEngine();
    const [steps, features] = this.sequenceShape;
    const bytes = this.images.gatherPixels(indices);
    const x = Float32Array.from(bytes, (v) => v / 255);
    const y = tf.tensor1d(
      Int32Array.from(indices, (i) => this.images.label(i)),
      'int32',
    );
    return { x: tf.tensor3d(x, [indices.length, steps, features]), y };
  }
}

/** `images` as row sequences (MNIST: 28 steps x 28 features). */
export function asRowSequences(images: ImageDataset): RowSequenceDataset {
  return new RowSequenceDataset(images);
}
