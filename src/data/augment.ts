/**
 * Seeded random augmentations for a batch `[n, h, w, c]`, drawn per sample like torchvision's
 * `RandomHorizontalFlip` and `RandomCrop(size, padding)`. Each transform owns its random generator, so a given seed
 * gives the same sequence of flips and crops in every run.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from './random';
import type { Transform } from './transforms';

export interface RandomHorizontalFlipOptions {
  /** Probability of flipping each sample. Default 0.5. */
  p?: number;
  /** Seed. Default 0. */
  seed?: number;
}

/** Flips each sample left-right with probability `p`. */
export function randomHorizontalFlip(options: RandomHorizontalFlipOptions = {}): Transform {
  const p = options.p ?? 0.5;
  const rng = createRng(options.seed ?? 0);
  return {
    name: `randomHorizontalFlip(p=${p})`,
    apply: (x) => {
      const n = x.shape[0];
      const flip = tf.tensor4d(
        Int32Array.from({ length: n }, () => (rng.next() < p ? 1 : 0)),
        [n, 1, 1, 1],
        'int32',
      );
      return tf.where(tf.cast(tf.broadcastTo(flip, x.shape), 'bool'), tf.reverse(x, 2), x);
    },
  };
}

export interface RandomCropOptions {
  /** Zero padding added on every side before cropping. Default 0. */
  padding?: number;
  /** Seed. Default 0. */
  seed?: number;
}

/**
 * Pads each sample with zeros by `padding` and crops a random `size` window (a number means a square), with the
 * offset drawn per sample. The crop is exact (integer pixel offsets) and done for the whole batch by one native
 * `cropAndResize` call.
 */
export function randomCrop(size: number | [number, number], options: RandomCropOptions = {}): Transform {
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  const padding = options.padding ?? 0;
  const rng = createRng(options.seed ?? 0);
  return {
    name: `randomCrop(${h}x${w}, padding=${padding})`,
    apply: (x) => {
      const [n, H0, W0] = x.shape;
      const H = H0 + 2 * padding;
      const W = W0 + 2 * padding;
      if (h > H || w > W) throw new Error(`randomCrop: crop ${h}x${w} is larger than the padded image ${H}x${W}.`);
      const padded =
        padding > 0
          ? tf.pad(x, [
              [0, 0],
              [padding, padding],
              [padding, padding],
              [0, 0],
            ])
          : x;
      const boxes = new Float32Array(n * 4);
      for (let i = 0; i < n; i++) {
        const top = rng.int(H - h + 1);
        const left = rng.int(W - w + 1);
        // With crop size h and box [top, top+h-1] / (H-1), cropAndResize samples exactly the integer pixel rows.
        boxes.set(
          [
            top / Math.max(H - 1, 1),
            left / Math.max(W - 1, 1),
            (top + h - 1) / Math.max(H - 1, 1),
            (left + w - 1) / Math.max(W - 1, 1),
          ],
          4 * i,
        );
      }
      const boxInd = Int32Array.from({ length: n }, (_, i) => i);
      return tf.image.cropAndResize(
        tf.cast(padded, 'float32') as tf.Tensor4D,
        tf.tensor2d(boxes, [n, 4]),
        tf.tensor1d(boxInd, 'int32'),
        [h, w],
        'bilinear',
      );
    },
  };
}
