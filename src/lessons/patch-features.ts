/**
 * Unsupervised patch features (Coates, Lee & Ng, *An Analysis of Single-Layer Networks in Unsupervised Feature
 * Learning*, AISTATS 2011), used as the regression target of the `patch-features` pre-training task.
 *
 * No label is read anywhere here. From unlabelled images:
 * 1. sample small patches (6x6 pixels, all channels) at random positions;
 * 2. normalize each patch's brightness and contrast (subtract its mean, divide by its standard deviation);
 * 3. ZCA-whiten them (decorrelate the pixels, so that k-means finds edges and colour blobs rather than brightness);
 * 4. learn a dictionary of `k` patch centres with k-means;
 * 5. describe every image by how close each of its patches (every position, stride 1) is to each centre, with the
 *    "triangle" code `max(0, mean distance - distance)`, summed over the four quadrants of the image: `4k` numbers;
 * 6. standardize those numbers and keep their first `components` principal components.
 *
 * A network that learns to predict step 6's vector from the pixels (the task) must learn what edges and colours sit
 * where: the same idea as MaskFeat (Wei et al., 2022), which regresses hand-made HOG features. The features are
 * computed once, before training, and never change.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageDataset } from '../data';
import { createRng } from '../data';
import { ensureEngine } from '../engine';
import { OptionError } from '../errors';
import { kmeans } from './kmeans';

export interface PatchFeatureOptions {
  /** Side of the square patches, in pixels. Default: 6. */
  patchSize?: number;
  /** Number of dictionary centres (`k`); an image is described by `4k` numbers. Default: 128. */
  dictionary?: number;
  /** Random patches the dictionary is learned from. Default: 100,000. */
  samplePatches?: number;
  /** k-means iterations of the dictionary. Default: 10. */
  iterations?: number;
  /** Principal components kept (the target's length). Default: 64. */
  components?: number;
  /** Seed of the patch sample and of k-means. Default: 0. */
  seed?: number;
}

/** The constants of the recipe (recorded in the pre-training recipe so that a change makes a new cache file). */
export const PATCH_FEATURE_CONSTANTS = {
  /** Added to a patch's pixel variance (pixels in [0, 1]) before dividing: 10 on Coates' 0-255 scale. */
  contrastEpsilon: 10 / 255 ** 2,
  /** Added to the eigenvalues in ZCA whitening (Coates: 0.1 on normalized patches). */
  whiteningEpsilon: 0.1,
} as const;

export interface PatchFeatureTargets {
  /** `[n, components]`, row-major: standardized features projected on their principal components, scaled to unit RMS. */
  targets: Float32Array;
  components: number;
  /** Share of the standardized features' variance that the kept components hold. */
  explainedVariance: number;
  /** Length of the feature vector before PCA (`4k`). */
  featureLength: number;
}

/**
 * Eigen-decomposition of a symmetric `n x n` matrix (row-major): Householder reduction to tridiagonal form, then the
 * implicit QL algorithm (the classic EISPACK `tred2`/`tql2` pair, O(n^3)). Returns the eigenvalues in descending order
 * and the matching unit eigenvectors as the COLUMNS of `vectors` (row-major `n x n`).
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array } {
  if (!Number.isInteger(n) || n < 1 || matrix.length !== n * n)
    throw new RangeError(`symmetricEigen: expected ${n} x ${n} = ${n * n} entries; found ${matrix.length}.`);
  // V[i][j] as rows of Float64Arrays; symmetrize (a covariance computed in float32 may differ by rounding).
  const V = Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const v = 0.5 * (Number(matrix[i * n + j]) + Number(matrix[j * n + i]));
      if (!Number.isFinite(v)) throw new RangeError(`symmetricEigen: entry (${i}, ${j}) is ${v}.`);
      row[j] = v;
    }
    return row;
  });
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(V, d, e, n);
  // tql2 rotates pairs of columns of V: work on the transpose, so that they are contiguous rows.
  const W = Array.from({ length: n }, (_, i) => Float64Array.from({ length: n }, (_, k) => V[k][i]));
  diagonalize(W, d, e, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[j] - d[i]);
  const values = Float64Array.from(order, (i) => d[i]);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = W[src][k];
  });
  return { values, vectors };
}

/** Householder reduction of the symmetric matrix in `V` to tridiagonal form (`d`, `e`), accumulating the transforms in `V`. */
function tridiagonalize(V: Float64Array[], d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = V[n - 1][j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = V[i - 1][j];
        V[i][j] = 0;
        V[j][i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[j][i] = f;
        g = e[j] + V[j][j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[k][j] * d[k];
          e[k] += V[k][j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) V[k][j] -= f * e[k] + g * d[k];
        d[j] = V[i - 1][j];
        V[i][j] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    V[n - 1][i] = V[i][i];
    V[i][i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k][i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k][i + 1] * V[k][j];
        for (let k = 0; k <= i; k++) V[k][j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) V[k][i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[n - 1][j];
    V[n - 1][j] = 0;
  }
  V[n - 1][n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL iterations on the tridiagonal matrix (`d`, `e`); `W` holds the eigenvectors as ROWS (transposed). */
function diagonalize(W: Float64Array[], d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      for (let iteration = 0; ; iteration++) {
        if (iteration > 60) throw new RangeError('symmetricEigen: the QL iteration did not converge.');
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const wi = W[i];
          const wi1 = W[i + 1];
          for (let k = 0; k < n; k++) {
            const t = wi1[k];
            wi1[k] = s * wi[k] + c * t;
            wi[k] = c * wi[k] - s * t;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (!(Math.abs(e[l]) > eps * tst1)) break;
      }
    }
    d[l] += f;
    e[l] = 0;
  }
}

/** Brightness and contrast normalization of patch rows `[m, d]` (pixels in [0, 1]). */
function normalizePatches(p: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(p, 1, true);
    return tf.div(tf.sub(p, mean), tf.sqrt(tf.add(variance, PATCH_FEATURE_CONSTANTS.contrastEpsilon))) as tf.Tensor2D;
  });
}

/** Covariance (`[d, d]`, row-major float64) and mean of the rows of `x`. */
function covariance(x: tf.Tensor2D): { mean: tf.Tensor1D; cov: Float64Array } {
  const mean = tf.mean(x, 0) as tf.Tensor1D;
  const cov = tf.tidy(() => {
    const c = tf.sub(x, mean);
    return tf.div(tf.matMul(c, c, true, false), Math.max(1, x.shape[0] - 1));
  });
  const values = Float64Array.from(cov.dataSync());
  cov.dispose();
  return { mean, cov: values };
}

interface Dictionary {
  mean: tf.Tensor1D;
  whiten: tf.Tensor2D;
  centres: tf.Tensor2D;
}

/** A conv2d kernel that copies every `s x s x c` patch into one output channel per pixel: patch extraction. */
function patchKernel(s: number, c: number): tf.Tensor4D {
  const d = s * s * c;
  const k = new Float32Array(d * d);
  for (let i = 0; i < d; i++) k[i * d + i] = 1; // [s, s, c, d]: position (y, x, ch) -> channel (y * s + x) * c + ch
  return tf.tensor4d(k, [s, s, c, d]);
}

function learnDictionary(data: ImageDataset, o: Required<PatchFeatureOptions>): Dictionary {
  const [h, w, c] = data.imageShape;
  const s = o.patchSize;
  const d = s * s * c;
  const rng = createRng(o.seed);
  const sample = new Float32Array(o.samplePatches * d);
  // Patches from a few hundred images at a time, so that only those images' pixels are held.
  const perImage = new Map<number, number[]>();
  for (let i = 0; i < o.samplePatches; i++) {
    const image = rng.int(data.length);
    const list = perImage.get(image) ?? [];
    list.push(i, rng.int(h - s + 1), rng.int(w - s + 1));
    perImage.set(image, list);
  }
  for (const [image, list] of perImage) {
    const px = data.gatherPixels(Int32Array.of(image));
    for (let t = 0; t < list.length; t += 3) {
      const [row, y0, x0] = [list[t], list[t + 1], list[t + 2]];
      let k = row * d;
      for (let y = 0; y < s; y++)
        for (let x = 0; x < s; x++)
          for (let ch = 0; ch < c; ch++) sample[k++] = px[((y0 + y) * w + x0 + x) * c + ch] / 255;
    }
  }
  const normalized = tf.tidy(() => normalizePatches(tf.tensor2d(sample, [o.samplePatches, d])));
  const { mean, cov } = covariance(normalized);
  const { values, vectors } = symmetricEigen(cov, d);
  // ZCA: V diag(1 / sqrt(lambda + eps)) V^T
  const zca = new Float32Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let k = 0; k < d; k++)
        sum +=
          (vectors[i * d + k] * vectors[j * d + k]) /
          Math.sqrt(Math.max(values[k], 0) + PATCH_FEATURE_CONSTANTS.whiteningEpsilon);
      zca[i * d + j] = sum;
    }
  const whiten = tf.tensor2d(zca, [d, d]);
  const white = tf.tidy(() => tf.matMul(tf.sub(normalized, mean), whiten) as tf.Tensor2D);
  normalized.dispose();
  try {
    const { centres } = kmeans(white, o.dictionary, { iterations: o.iterations, seed: o.seed });
    return { mean, whiten, centres: tf.tensor2d(centres, [o.dictionary, d]) };
  } finally {
    white.dispose();
  }
}

/** The `4k` triangle-coded, quadrant-pooled features of a batch of images `[b, h, w, c]` in [0, 1]. */
function encode(x: tf.Tensor4D, dict: Dictionary, kernel: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const [b] = x.shape;
    const patches = tf.conv2d(x, kernel, 1, 'valid'); // [b, gh, gw, d]
    const [, gh, gw, d] = patches.shape;
    const z = tf.matMul(tf.sub(normalizePatches(tf.reshape(patches, [-1, d])), dict.mean), dict.whiten);
    const dist2 = tf.add(
      tf.sub(tf.sum(tf.square(z), 1, true), tf.mul(tf.matMul(z, dict.centres, false, true), 2)),
      tf.sum(tf.square(dict.centres), 1).expandDims(0),
    );
    const dist = tf.sqrt(tf.relu(dist2));
    const k = dict.centres.shape[0];
    const code = tf.reshape(tf.relu(tf.sub(tf.mean(dist, 1, true), dist)), [b, gh, gw, k]);
    const hh = Math.ceil(gh / 2);
    const hw = Math.ceil(gw / 2);
    const quadrant = (y: number, x: number, ny: number, nx: number) =>
      tf.sum(tf.slice(code, [0, y, x, 0], [b, ny, nx, k]), [1, 2]);
    return tf.concat(
      [
        quadrant(0, 0, hh, hw),
        quadrant(0, hw, hh, gw - hw),
        quadrant(hh, 0, gh - hh, hw),
        quadrant(hh, hw, gh - hh, gw - hw),
      ],
      1,
    ) as tf.Tensor2D;
  });
}

function resolve(options: PatchFeatureOptions, data: ImageDataset): Required<PatchFeatureOptions> {
  const o: Required<PatchFeatureOptions> = {
    patchSize: options.patchSize ?? 6,
    dictionary: options.dictionary ?? 128,
    samplePatches: options.samplePatches ?? 100_000,
    iterations: options.iterations ?? 10,
    components: options.components ?? 64,
    seed: options.seed ?? 0,
  };
  const [h, w] = data.imageShape;
  const positive = (name: keyof PatchFeatureOptions, max: number) => {
    const v = o[name];
    if (!Number.isInteger(v) || v < 1 || v > max)
      throw new OptionError(`patchFeatureTargets: ${name} must be an integer in [1, ${max}]; found ${v}.`);
  };
  positive('patchSize', Math.min(h, w));
  positive('samplePatches', 10_000_000);
  positive('dictionary', o.samplePatches);
  positive('iterations', 1000);
  positive('components', 4 * o.dictionary);
  if (data.length < 2) throw new OptionError(`patchFeatureTargets: expected at least 2 images; found ${data.length}.`);
  if (o.components > data.length)
    throw new OptionError(`patchFeatureTargets: components (${o.components}) exceeds the images (${data.length}).`);
  return o;
}

/**
 * The `patch-features` task's targets for every image of `data` (labels never read): see the file header.
 * Deterministic for one seed on one machine.
 */
export function patchFeatureTargets(data: ImageDataset, options: PatchFeatureOptions = {}): PatchFeatureTargets {
  ensureEngine();
  const o = resolve(options, data);
  const dict = learnDictionary(data, o);
  const kernel = patchKernel(o.patchSize, data.imageShape[2]);
  const featureLength = 4 * o.dictionary;
  const features = new Float32Array(data.length * featureLength);
  try {
    const chunk = 100;
    for (let start = 0; start < data.length; start += chunk) {
      const idx = Int32Array.from({ length: Math.min(chunk, data.length - start) }, (_, i) => start + i);
      const f = tf.tidy(() => encode(tf.div(data.gather(idx).x, 255) as tf.Tensor4D, dict, kernel));
      features.set(f.dataSync(), start * featureLength);
      f.dispose();
    }
  } finally {
    tf.dispose([dict.mean, dict.whiten, dict.centres, kernel]);
  }
  // Standardize each feature, then project on the principal components.
  const n = data.length;
  const standardized = tf.tidy(() => {
    const f = tf.tensor2d(features, [n, featureLength]);
    const { mean, variance } = tf.moments(f, 0);
    const sd = tf.add(tf.sqrt(tf.mul(variance, n / (n - 1))), 1e-6);
    return tf.div(tf.sub(f, mean), sd) as tf.Tensor2D;
  });
  try {
    const { cov, mean } = covariance(standardized);
    mean.dispose();
    const { values, vectors } = symmetricEigen(cov, featureLength);
    const basis = new Float32Array(featureLength * o.components);
    for (let i = 0; i < featureLength; i++)
      for (let j = 0; j < o.components; j++) basis[i * o.components + j] = vectors[i * featureLength + j];
    let kept = 0;
    let total = 0;
    values.forEach((v, i) => {
      total += Math.max(v, 0);
      if (i < o.components) kept += Math.max(v, 0);
    });
    const targets = tf.tidy(() => {
      const t = tf.matMul(standardized, tf.tensor2d(basis, [featureLength, o.components]));
      const rms = tf.sqrt(tf.mean(tf.square(t)));
      return tf.div(t, rms);
    });
    const out = Float32Array.from(targets.dataSync());
    targets.dispose();
    if (!out.every(Number.isFinite))
      throw new RangeError('patchFeatureTargets: the targets hold NaN or infinity (are all images identical?).');
    return { targets: out, components: o.components, explainedVariance: total > 0 ? kept / total : 0, featureLength };
  } finally {
    standardized.dispose();
  }
}
