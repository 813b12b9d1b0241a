/** Small real data and models for the training tests: a 3-class problem a dense net learns in a few epochs. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../src/data/batch';
import { createRng } from '../../src/data/random';

/**
 * A re-iterable batch source over fixed arrays, following the batch contract: each batch's tensors are disposed
 * when the consumer asks for the next one (or leaves the loop).
 */
export class ArraySource implements Iterable<Batch> {
  constructor(
    readonly features: Float32Array,
    readonly labels: Int32Array,
    readonly dim: number,
    readonly batchSize: number,
  ) {}

  get size(): number {
    return this.labels.length;
  }

  get length(): number {
    return Math.ceil(this.size / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<Batch> {
    for (let start = 0; start < this.size; start += this.batchSize) {
      const end = Math.min(this.size, start + this.batchSize);
      const x = tf.tensor2d(this.features.subarray(start * this.dim, end * this.dim), [end - start, this.dim]);
      const y = tf.tensor1d(this.labels.subarray(start, end), 'int32');
      const indices = new Int32Array(end - start).map((_, i) => start + i);
      try {
        yield { x, y, indices };
      } finally {
        tf.dispose([x, y]);
      }
    }
  }
}

/** Points around three centres in `dim` dimensions; the label is the centre. Deterministic for a seed. */
export function blobs(n: number, seed: number, batchSize = 16, dim = 4): ArraySource {
  const rng = createRng(seed);
  const features = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(3);
    labels[i] = c;
    for (let d = 0; d < dim; d++) features[i * dim + d] = (d % 3 === c ? 2 : 0) + (rng.next() - 0.5) * 1.5;
  }
  return new ArraySource(features, labels, dim, batchSize);
}

/** A small dense classifier with named layers and seeded initialisers (so two builds start identical). */
export function denseModel(
  options: { dim?: number; classes?: number; seed?: number; prefix?: string } = {},
): tf.LayersModel {
  const seed = options.seed ?? 1;
  const p = options.prefix ?? 'm';
  const input = tf.input({ shape: [options.dim ?? 4], name: `${p}_input` });
  const hidden = tf.layers
    .dense({
      units: 16,
      activation: 'relu',
      name: `${p}_hidden`,
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    })
    .apply(input) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({
      units: options.classes ?? 3,
      name: `${p}_fc`,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    })
    .apply(hidden) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: p });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lessonkit-${prefix}-`));
}

/** All weights of a model as flat arrays. */
export function weightValues(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

export function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((arr, i) => arr.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i][j])))));
  return m;
}
