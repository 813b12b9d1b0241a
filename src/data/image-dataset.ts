/**
 * `ImageDataset`: decoded images kept as one uint8 buffer (channels-last, `[n, h, w, c]`) plus int32 labels, viewed
 * through a list of positions. `subset`, `take` and `split` make new views without copying pixels; `gather` builds
 * the tensors of one batch, and `toTensors` the whole set.
 *
 * Porting note: tfjs has no uint8 dtype, so pixel tensors are int32 (exact 0..255 values) or float32.
 */
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../engine';
import { checkIndices, type Dataset } from './dataset';
import { stratifiedSplit, type StratifiedSplitOptions } from './split';

/** The decoded pixels and labels that one or more `ImageDataset` views share. */
export interface ImageStore {
  /** All images, `count * height * width * channels` bytes, channels-last. */
  pixels: Uint8Array;
  /** One class index per image. */
  labels: Int32Array;
  height: number;
  width: number;
  channels: number;
  /** Class names, indexed by label. */
  classes: string[];
  /** Where the images came from (a file or folder), for messages. */
  source: string;
  /** Optional per-image file path (image folders), for "wrong predictions" lists. */
  files?: string[];
}

export interface ToTensorsOptions {
  /** dtype of the image tensor. Default 'int32' (the exact 0..255 pixel values). */
  dtype?: 'int32' | 'float32';
}

export class ImageDataset implements Dataset {
  readonly store: ImageStore;
  /** Positions in `store` of this view's samples. */
  readonly storeIndices: Int32Array;

  constructor(store: ImageStore, storeIndices?: Int32Array) {
    const count = store.labels.length;
    const expected = count * store.height * store.width * store.channels;
    if (store.pixels.length !== expected) {
      throw new Error(
        `ImageDataset ${store.source}: ${count} labels need ${expected} pixel bytes, found ${store.pixels.length}.`,
      );
    }
    this.store = store;
    this.storeIndices = storeIndices ?? Int32Array.from({ length: count }, (_, i) => i);
  }

  get length(): number {
    return this.storeIndices.length;
  }

  /** `[height, width, channels]` of every image. */
  get imageShape(): [number, number, number] {
    return [this.store.height, this.store.width, this.store.channels];
  }

  get classes(): string[] {
    return this.store.classes;
  }

  private get imageBytes(): number {
    return this.store.height * this.store.width * this.store.channels;
  }

  private storeIndex(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) {
      throw new RangeError(`ImageDataset ${this.store.source}: index ${i} is out of range [0, ${this.length}).`);
    }
    return this.storeIndices[i];
  }

  /** Label of sample `i`. */
  label(i: number): number {
    return this.store.labels[this.storeIndex(i)];
  }

  /** Labels of all samples of this view. */
  labels(): Int32Array {
    return this.storeIndices.map((s) => this.store.labels[s]);
  }

  /** Pixels of sample `i` (`h*w*c` bytes, a view: do not modify). */
  image(i: number): Uint8Array {
    const s = this.storeIndex(i);
    return this.store.pixels.subarray(s * this.imageBytes, (s + 1) * this.imageBytes);
  }

  /** Source file of sample `i`, when the images came from files. */
  file(i: number): string | undefined {
    return this.store.files?.[this.storeIndex(i)];
  }

  /** A view on the samples at `indices` (positions in this view). Out-of-range positions throw. */
  subset(indices: ArrayLike<number>): ImageDataset {
    const own = checkIndices(indices, this.length, `ImageDataset ${this.store.source} subset`);
    return new ImageDataset(
      this.store,
      own.map((i) => this.storeIndices[i]),
    );
  }

  /** The first `n` samples (all if fewer). */
  take(n: number): ImageDataset {
    return this.subset(Int32Array.from({ length: Math.min(n, this.length) }, (_, i) => i));
  }

  /**
   * A stratified, seeded subset of exactly `n` samples in which every class keeps its share (for the `ci` profile's
   * small subsets; `take` would follow the storage order, which is class by class for image folders). Returns this
   * view when `n >= length`.
   */
  sample(n: number, seed = 42): ImageDataset {
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`ImageDataset ${this.store.source} sample: n must be a positive integer, got ${n}.`);
    }
    if (n >= this.length) return this;
    return this.subset(stratifiedSplit(this.labels(), { validationFraction: n / this.length, seed }).validation);
  }

  /** Stratified, seeded, disjoint train/validation views of this view (see `stratifiedSplit`). */
  split(options: StratifiedSplitOptions = {}): { train: ImageDataset; validation: ImageDataset } {
    const parts = stratifiedSplit(this.labels(), options);
    return { train: this.subset(parts.train), validation: this.subset(parts.validation) };
  }

  /** Copies the pixels of the samples at `indices` into one buffer, `[indices.length, h, w, c]`. */
  gatherPixels(indices: Int32Array): Uint8Array {
    const size = this.imageBytes;
    const out = new Uint8Array(indices.length * size);
    const { pixels } = this.store;
    for (let j = 0; j < indices.length; j++) {
      const s = this.storeIndex(indices[j]) * size;
      out.set(pixels.subarray(s, s + size), j * size);
    }
    return out;
  }

  /** Images as float32 `[b, h, w, c]` with raw 0..255 values, labels as int32 `[b]`. */
  gather(indices: Int32Array): { x: tf.Tensor4D; y: tf.Tensor1D } {
    ensureEngine();
    const [h, w, c] = this.imageShape;
    const x = tf.tensor4d(Float32Array.from(this.gatherPixels(indices)), [indices.length, h, w, c], 'float32');
    const y = tf.tensor1d(
      Int32Array.from(indices, (i) => this.store.labels[this.storeIndices[i]]),
      'int32',
    );
    return { x, y };
  }

  /** The whole view as tensors: images `[n, h, w, c]` and int32 labels `[n]`. The caller disposes them. */
  toTensors(options: ToTensorsOptions = {}): { x: tf.Tensor4D; y: tf.Tensor1D } {
    ensureEngine();
    const dtype = options.dtype ?? 'int32';
    const [h, w, c] = this.imageShape;
    const identity = this.length === this.store.labels.length && this.storeIndices.every((s, i) => s === i);
    const bytes = identity
      ? this.store.pixels
      : this.gatherPixels(Int32Array.from({ length: this.length }, (_, i) => i));
    const values = dtype === 'int32' ? Int32Array.from(bytes) : Float32Array.from(bytes);
    return { x: tf.tensor4d(values, [this.length, h, w, c], dtype), y: tf.tensor1d(this.labels(), 'int32') };
  }

  toString(): string {
    const [h, w, c] = this.imageShape;
    return `ImageDataset(${this.length} images ${h}x${w}x${c}, ${this.classes.length} classes, from ${this.store.source})`;
  }
}
