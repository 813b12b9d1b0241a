/**
 * Batch transforms, composable like torchvision's `transforms.Compose`, applied to a whole batch `[n, h, w, c]`
 * (channels-last) on the native backend. Each transform returns a new tensor; the loader runs them inside `tf.tidy`.
 *
 * Porting note: torchvision transforms one PIL image at a time and `ToTensor` both scales to [0,1] and moves channels
 * first. Here the order is the same but the layout stays channels-last, and `scaleTo01` is a separate step.
 */
import * as tf from '@tensorflow/tfjs';

export interface Transform {
  /** A short description, e.g. `resize(224x224)`. */
  readonly name: string;
  apply(x: tf.Tensor4D): tf.Tensor4D;
}

/** ImageNet channel means (RGB), as torchvision's pretrained weights expect after scaling to [0,1]. */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
/** ImageNet channel standard deviations (RGB). */
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/** Applies `transforms` in order. */
export function compose(...transforms: Transform[]): Transform {
  return {
    name: `compose(${transforms.map((t) => t.name).join(', ')})`,
    apply: (x) => transforms.reduce<tf.Tensor4D>((acc, t) => t.apply(acc), x),
  };
}

/**
 * torchvision `Grayscale(num_output_channels=3)`: a 1-channel batch is replicated to 3 channels; a 3-channel batch is
 * converted to luma (0.299 R + 0.587 G + 0.114 B, as PIL does) and replicated.
 */
export function grayscaleTo3(): Transform {
  return {
    name: 'grayscaleTo3',
    apply: (x) => {
      const c = x.shape[3];
      if (c === 1) return tf.tile(x, [1, 1, 1, 3]);
      if (c === 3)
        return tf.tile(tf.sum<tf.Tensor4D>(tf.mul(x, tf.tensor1d([0.299, 0.587, 0.114])), 3, true), [1, 1, 1, 3]);
      throw new Error(`grayscaleTo3: expected 1 or 3 channels, found ${c} (input shape [${x.shape.join(', ')}]).`);
    },
  };
}

/**
 * Bilinear resize to `[height, width]` (a single number means a square), half-pixel centres like PIL/torchvision.
 * Porting note: no antialiasing when shrinking (torchvision's PIL path antialiases); enlarging 28 -> 224 matches.
 */
export function resize(size: number | [number, number]): Transform {
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0)) {
    throw new RangeError(`resize: expected positive integer sizes, got ${JSON.stringify(size)}.`);
  }
  return {
    name: `resize(${h}x${w})`,
    apply: (x) =>
      x.shape[1] === h && x.shape[2] === w ? tf.clone(x) : tf.image.resizeBilinear(x, [h, w], false, true),
  };
}

/** Converts raw 0..255 pixels to float32 in [0, 1] (the scaling half of torchvision's `ToTensor`). */
export function scaleTo01(): Transform {
  return { name: 'scaleTo01', apply: (x) => tf.div(tf.cast(x, 'float32'), 255) };
}

/** `(x - mean) / std` per channel, e.g. `normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])` or the ImageNet constants. */
export function normalize(mean: readonly number[], std: readonly number[]): Transform {
  if (mean.length !== std.length || mean.length === 0) {
    throw new Error(
      `normalize: mean and std need one value per channel; got ${mean.length} means and ${std.length} stds.`,
    );
  }
  if (std.some((s) => !(s > 0))) throw new RangeError(`normalize: every std must be > 0, got [${std.join(', ')}].`);
  return {
    name: `normalize(mean=[${mean.join(', ')}], std=[${std.join(', ')}])`,
    apply: (x) => {
      if (x.shape[3] !== mean.length) {
        throw new Error(
          `normalize: expected ${mean.length} channels, found ${x.shape[3]} (input shape [${x.shape.join(', ')}]).`,
        );
      }
      return tf.div(tf.sub(x, tf.tensor1d(mean as number[])), tf.tensor1d(std as number[]));
    },
  };
}

/**
 * torchvision `CenterCrop`: the central `[height, width]` window (a single number means a square). With `resize`
 * before it, this is the evaluation preprocessing of torchvision's ImageNet weights (`Resize(256)`, `CenterCrop(224)`).
 * Throws when the image is smaller than the crop.
 */
export function centerCrop(size: number | [number, number]): Transform {
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0)) {
    throw new RangeError(`centerCrop: expected positive integer sizes, got ${JSON.stringify(size)}.`);
  }
  return {
    name: `centerCrop(${h}x${w})`,
    apply: (x) => {
      const [, H, W] = x.shape;
      if (H < h || W < w) throw new Error(`centerCrop: the crop ${h}x${w} is larger than the image ${H}x${W}.`);
      // torchvision's offset is int(round((H - h) / 2)), and Python rounds halves to even.
      const roundHalfEven = (v: number) =>
        v % 1 === 0.5 ? (Math.floor(v) % 2 === 0 ? Math.floor(v) : Math.ceil(v)) : Math.round(v);
      const top = roundHalfEven((H - h) / 2);
      const left = roundHalfEven((W - w) / 2);
      return tf.slice(x, [0, top, left, 0], [-1, h, w, -1]);
    },
  };
}
