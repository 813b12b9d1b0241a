/**
 * `DataLoader`: turns a `Dataset` into batches, one epoch per `for await`. It shuffles with a seed (a new order
 * each epoch, the same orders in every run), keeps or drops the last partial batch, applies a batch transform on the
 * native backend, and builds the next batch while the consumer works on the current one. It disposes every tensor
 * it creates: a batch's tensors stay valid until the consumer asks for the next batch or leaves the loop (see
 * `batch.ts`).
 *
 * Porting note: tfjs-node runs ops synchronously on the JS thread, so the prefetched batch is built in the gaps
 * where the consumer awaits (for example `await model.trainOnBatch(...)` or `await loss.data()`), not on a separate
 * worker as with PyTorch's `num_workers`.
 */
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../engine';
import type { Batch } from './batch';
import type { Dataset } from './dataset';
import { createRng, permutation } from './random';
import type { Transform } from './transforms';

export interface DataLoaderOptions {
  /** Samples per batch. Default 32. */
  batchSize?: number;
  /** Visit samples in a new random order each epoch. Default false. */
  shuffle?: boolean;
  /** Seed of the shuffle; epoch e uses an order derived from (seed, e). Default 0. */
  seed?: number;
  /** Drop the last batch when it is smaller than `batchSize`. Default false (keep it). */
  dropLast?: boolean;
  /** Transform applied to each batch's `x` (e.g. `compose(grayscaleTo3(), resize(224), scaleTo01())`). Default none. */
  transform?: Transform;
  /** Build the next batch while the current one is in use. Default true. */
  prefetch?: boolean;
}

export class DataLoader implements AsyncIterable<Batch> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  readonly transform?: Transform;
  readonly prefetch: boolean;
  private epochsStarted = 0;

  constructor(dataset: Dataset, options: DataLoaderOptions = {}) {
    this.dataset = dataset;
    this.batchSize = options.batchSize ?? 32;
    this.shuffle = options.shuffle ?? false;
    this.seed = options.seed ?? 0;
    this.dropLast = options.dropLast ?? false;
    this.transform = options.transform;
    this.prefetch = options.prefetch ?? true;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new RangeError(`DataLoader: batchSize must be a positive integer, got ${options.batchSize}.`);
    }
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** The sample order of epoch `epoch` (0-based). */
  orderOf(epoch: number): Int32Array {
    if (!this.shuffle) return Int32Array.from({ length: this.dataset.length }, (_, i) => i);
    return permutation(this.dataset.length, createRng((this.seed * 0x9e3779b1 + epoch) | 0));
  }

  private build(order: Int32Array, k: number): Batch {
    const indices = order.slice(k * this.batchSize, Math.min((k + 1) * this.batchSize, order.length));
    const { x, y } = this.dataset.gather(indices);
    if (!this.transform) return { x, y, indices };
    const transformed = tf.tidy(() => this.transform!.apply(x as tf.Tensor4D));
    x.dispose();
    return { x: transformed, y, indices };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    ensureEngine();
    const order = this.orderOf(this.epochsStarted++);
    const count = this.length;
    // A prefetched batch settles into a value or an error, so that a failure is raised when the batch is asked for
    // (never as an unhandled rejection while the consumer is still busy).
    type Settled = { batch: Batch } | { error: unknown };
    const schedule = (k: number): Promise<Settled> =>
      new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => ({ batch: this.build(order, k) }))
        .catch((error: unknown) => ({ error }));
    const take = async (p: Promise<Settled>): Promise<Batch> => {
      const s = await p;
      if ('error' in s) throw s.error;
      return s.batch;
    };
    let pending: Promise<Settled> | undefined;
    let current: Batch | undefined;
    try {
      for (let k = 0; k < count; k++) {
        current = pending ? await take(pending) : this.build(order, k);
        pending = this.prefetch && k + 1 < count ? schedule(k + 1) : undefined;
        yield current;
        disposeBatch(current);
        current = undefined;
      }
    } finally {
      if (current) disposeBatch(current);
      if (pending) {
        const s = await pending;
        if ('batch' in s) disposeBatch(s.batch);
      }
    }
  }
}

function disposeBatch(batch: Batch): void {
  batch.x.dispose();
  batch.y.dispose();
}
