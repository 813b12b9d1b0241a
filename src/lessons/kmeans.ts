/**
 * k-means (Lloyd's algorithm) on the rows of a matrix, for the `clusters` pre-training task: unlabelled images are
 * grouped by their pixels, and the group numbers become the targets a backbone learns to predict (the first round
 * of DeepCluster, Caron et al., *Deep Clustering for Unsupervised Learning of Visual Features*, 2018, which clusters
 * the network's own features and repeats). The image labels are never read.
 *
 * Seeded: the initial centres are `k` distinct rows drawn with the kit's seeded generator, so one seed gives one
 * clustering (up to floating-point ties on different CPUs). An emptied cluster keeps its previous centre.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../data';
import { OptionError } from '../errors';

export interface KMeansOptions {
  /** Lloyd iterations. Default: 20. */
  iterations?: number;
  /** Seed of the initial centres. Default: 0. */
  seed?: number;
}

export interface KMeansResult {
  /** The cluster of each row, 0..k-1. */
  assignments: Int32Array;
  /** Rows per cluster. */
  sizes: number[];
  /** Mean squared distance of a row to its centre, after the last iteration. */
  inertia: number;
  /** The centres (`[k, d]`, row-major): the mean of each cluster's rows (an emptied cluster keeps its last centre). */
  centres: Float32Array;
}

/** Clusters the rows of `x` (`[n, d]`, float32) into `k` groups. `x` is not disposed. */
export function kmeans(x: tf.Tensor2D, k: number, options: KMeansOptions = {}): KMeansResult {
  const [n] = x.shape;
  const iterations = options.iterations ?? 20;
  if (!Number.isInteger(k) || k < 2 || k > n)
    throw new OptionError(`kmeans: k must be an integer in [2, ${n}] (the number of rows); found ${k}.`);
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new OptionError(`kmeans: iterations must be a positive integer; found ${iterations}.`);
  const rng = createRng(options.seed ?? 0);
  const picked = new Set<number>();
  while (picked.size < k) picked.add(rng.int(n));
  let centres = tf.gather(x, Int32Array.from(picked)) as tf.Tensor2D;
  const rowNorms = tf.tidy(() => tf.sum(tf.square(x), 1, true));
  let assignments = tf.zeros([n], 'int32') as tf.Tensor1D;
  let distances = tf.zeros([n]) as tf.Tensor1D;
  try {
    for (let it = 0; it < iterations; it++) {
      const step = tf.tidy(() => {
        // |x - c|^2 = |x|^2 - 2 x.c + |c|^2, for every row and centre at once.
        const d = tf.add(
          tf.sub(rowNorms, tf.mul(tf.matMul(x, centres, false, true), 2)),
          tf.sum(tf.square(centres), 1).expandDims(0),
        );
        const nearest = tf.argMin(d, 1) as tf.Tensor1D;
        const members = tf.oneHot(nearest, k).toFloat();
        const counts = tf.sum(members, 0);
        const means = tf.div(tf.matMul(members, x, true, false), tf.maximum(counts, 1).expandDims(1));
        const next = tf.where(tf.greater(counts, 0).expandDims(1).tile([1, x.shape[1]]), means, centres) as tf.Tensor2D;
        return { nearest, next, best: tf.min(d, 1) as tf.Tensor1D };
      });
      tf.dispose([centres, assignments, distances]);
      centres = step.next;
      assignments = step.nearest;
      distances = step.best;
    }
    const labels = Int32Array.from(assignments.dataSync());
    const sizes = new Array<number>(k).fill(0);
    for (const c of labels) sizes[c]++;
    const inertia = tf.tidy(() => tf.mean(tf.relu(distances)).dataSync()[0]);
    return { assignments: labels, sizes, inertia, centres: Float32Array.from(centres.dataSync()) };
  } finally {
    tf.dispose([centres, rowNorms, assignments, distances]);
  }
}
