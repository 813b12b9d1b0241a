/**
 * Offline pre-training: the `ci` profile's documented stand-in for ImageNet weights.
 *
 * Offline machines cannot download ImageNet weights, so the transfer-learning lessons pre-train a ResNet on a
 * *different* task from data the kit ships (for example supervised CIFAR-10 for the MNIST lesson, or 4-way rotation
 * prediction on CIFAR-10 images the lesson never trains or tests on, for the CIFAR-10 lesson), save its `state_dict`
 * as safetensors in the weights cache, and load that file through the same path as real pretrained weights
 * (`resnet50({ weights: file })`).
 *
 * Every run is described by a **recipe** (architecture, task, data and a hash of its pixels and labels, sizes,
 * epochs, learning rate, seed, transforms, augmentation). The recipe's hash is part of the file name, so a file is
 * reused exactly when the recipe is the same; the recipe and what the run measured (seconds, final loss, when) are
 * written beside the weights as a JSON sidecar (`<file>.json`), and the recipe also into the safetensors metadata.
 * After training, the BatchNorm running statistics are recomputed over the data (`recalibrateBatchNorm`), since a
 * short run leaves them stale.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../engine';
import { writeFileAtomic, weightsCacheDir } from '../io';
import type { Batch, BatchSource, Transform } from '../data';
import { compose, DataLoader, ImageDataset } from '../data';
import { encodeSafetensors, exportStateDict, recalibrateBatchNorm, resnet, type ResNetArch } from '../models';
import { fit, type History } from '../train';
import { OptionError } from '../errors';
import { kmeans } from './kmeans';
import { PATCH_FEATURE_CONSTANTS, patchFeatureTargets } from './patch-features';
import { ProgressBar, runProgress, type ProgressMode } from '../train';

/**
 * What the backbone learns: the data set's own labels (`supervised`); which of 4 rotations (0, 90, 180, 270 degrees)
 * an image shows (`rotation`, self-supervised); which of `clusters` k-means groups of the unlabelled images' pixels
 * an image falls in (`clusters`, self-supervised: the first round of DeepCluster; see `kmeans`); or the image's
 * unsupervised patch features (`patch-features`, self-supervised regression; see `patch-features.ts`).
 */
export type PretrainTask = 'supervised' | 'rotation' | 'clusters' | 'patch-features';

const TASKS: readonly PretrainTask[] = ['supervised', 'rotation', 'clusters', 'patch-features'];
/** Patch size, dictionary sample and k-means iterations of the `patch-features` task (recorded in the recipe). */
const PATCH_FEATURES = { patchSize: 6, samplePatches: 100_000, iterations: 10 } as const;
/** Lloyd iterations of the `clusters` task's k-means (recorded in the recipe). */
const CLUSTER_ITERATIONS = 20;

/** Bump when the procedure changes, so that files of an older procedure are never reused. */
export const PRETRAIN_PROCEDURE = 'lessonkit-pretrain-v3';

export interface PretrainBackboneOptions {
  /** The architecture to pre-train. Required. */
  arch: ResNetArch;
  /** Images to pre-train on (channels-last, uint8 pixels; labels are used by the `supervised` task only). Required. */
  data: ImageDataset;
  /** A short name of the data for the cache file, e.g. `'cifar10'`. Letters, digits and dashes. Required. */
  dataName: string;
  /** Which images these are, in words, for the recipe and the notebook (e.g. "CIFAR-10 sample, train images 0100-0999 of each class"). Default: dataName. */
  dataDescription?: string;
  /** The pre-training task. Default: `'supervised'`. */
  task?: PretrainTask;
  /** Number of k-means clusters (the `clusters` task only). Default: 100. */
  clusters?: number;
  /** The `patch-features` task: dictionary centres (an image's features have 4x as many numbers). Default: 128. */
  dictionary?: number;
  /** The `patch-features` task: principal components the backbone learns to predict. Default: 64. */
  components?: number;
  /** Batch transform (resize, scale, normalize), used for training and for the BatchNorm statistics. Default: none. */
  transform?: Transform;
  /** Random augmentation applied before `transform` in training only (e.g. flip + crop). Default: none. */
  augment?: Transform;
  /** Input side after the transform, recorded in the recipe. Required (it changes what the weights learned). */
  imageSize: number;
  /** Epochs. Default: 2. */
  epochs?: number;
  /** Images per batch (a rotation batch holds each of them in all 4 rotations). Default: 64. */
  batchSize?: number;
  /** Adam learning rate. Default: 1e-3. */
  learningRate?: number;
  /** Cosine decay of the learning rate to 0 over the run. Default: false. */
  cosine?: boolean;
  /** Seed of the initialization and of the shuffle. Default: 0. */
  seed?: number;
  /** Where to keep the weights. Default: `weightsCacheDir()/offline-v3-<arch>-<task>-<data>-<recipe hash>.safetensors`. */
  file?: string;
  /** Train again even when a file for this recipe exists. Default: false. */
  force?: boolean;
  /**
   * Progress while it trains (never for a cached file): a bar for the targets (k-means, patch features), then one
   * bar over all epochs with the epoch, images per second and the time left. Default: 'auto'.
   */
  progress?: ProgressMode | false;
}

/** The recipe of a pre-training run: everything that changes the weights. Values are strings or numbers. */
export type PretrainRecipe = Record<string, string | number>;

/** The JSON sidecar written beside the weights. */
export interface PretrainSidecar {
  recipe: PretrainRecipe;
  /** The recipe's hash (also in the file name). */
  key: string;
  /** Wall-clock seconds of the training run, including the BatchNorm recalibration. */
  seconds: number;
  /** ISO date of the run. */
  trainedAt: string;
  /** Loss and accuracy (on the pre-training task) of the last epoch; a regression task has no accuracy (null). */
  finalLoss: number;
  finalAccuracy: number | null;
  /** CPU cores of the machine that trained it (times scale with it). */
  cpus: number;
  /** The `clusters` task: images in the smallest and largest cluster. */
  clusterSizes?: [number, number];
  /**
   * The `clusters` task: the share of images whose cluster's most common true label is their own label, computed once
   * after clustering to say how much the groups resemble the classes. Training never reads the labels.
   */
  clusterLabelAgreement?: number;
  /** The `patch-features` task: the share of the features' variance that the predicted components hold. */
  explainedVariance?: number;
}

export interface PretrainedBackbone {
  /** The safetensors `state_dict` (torchvision keys, including the pre-training head `fc.*`). */
  file: string;
  /** The JSON sidecar's path (`<file>.json`). */
  sidecarFile: string;
  /** True when the file already existed and nothing was trained. */
  fromCache: boolean;
  /** The recipe. */
  recipe: PretrainRecipe;
  /** The recipe's hash. */
  key: string;
  /** The sidecar: for a cached file, the run that made it. */
  sidecar: PretrainSidecar;
  /** The pre-training history (only when it trained now). */
  history?: History;
}

/** sha256 of the pixels and labels of `data`, in order (16 hex digits): the data's identity in the recipe. */
export function datasetFingerprint(data: ImageDataset): string {
  const h = crypto.createHash('sha256');
  h.update(`${data.length}:${data.imageShape.join('x')}\n`);
  for (let i = 0; i < data.length; i++) {
    h.update(data.image(i));
    h.update(String(data.label(i)));
  }
  return h.digest('hex').slice(0, 16);
}

/** The recipe's hash (12 hex digits) over its keys in sorted order, so that key order never matters. */
export function recipeKey(recipe: PretrainRecipe): string {
  const canonical = JSON.stringify(
    Object.keys(recipe)
      .sort()
      .map((k) => [k, recipe[k]]),
  );
  return crypto.createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}

/** The recipe of a run with these options (without training anything). */
export function pretrainRecipe(options: PretrainBackboneOptions): PretrainRecipe {
  if (!/^[a-z0-9-]+$/i.test(options.dataName)) {
    throw new OptionError(
      `pretrainBackbone: dataName must be letters, digits and dashes; found ${JSON.stringify(options.dataName)}.`,
    );
  }
  const task = options.task ?? 'supervised';
  if (!TASKS.includes(task)) {
    throw new OptionError(
      `pretrainBackbone: task must be one of ${TASKS.map((t) => `'${t}'`).join(', ')}; found ${JSON.stringify(task)}.`,
    );
  }
  const clusters = options.clusters ?? 100;
  const dictionary = options.dictionary ?? 128;
  const components = options.components ?? 64;
  if (task === 'patch-features') {
    if (!Number.isInteger(dictionary) || dictionary < 2 || dictionary > PATCH_FEATURES.samplePatches)
      throw new OptionError(
        `pretrainBackbone: dictionary must be an integer in [2, ${PATCH_FEATURES.samplePatches}]; found ${options.dictionary}.`,
      );
    const most = Math.min(4 * dictionary, options.data.length);
    if (!Number.isInteger(components) || components < 1 || components > most)
      throw new OptionError(
        `pretrainBackbone: components must be an integer in [1, ${most}] (4 x dictionary, and at most the images); found ${options.components}.`,
      );
  }
  if (task === 'clusters' && (!Number.isInteger(clusters) || clusters < 2 || clusters > options.data.length)) {
    throw new OptionError(
      `pretrainBackbone: clusters must be an integer in [2, ${options.data.length}] (the images); found ${options.clusters}.`,
    );
  }
  // What only one task records: what was clustered, or how the regression targets were made.
  const taskRecipe: PretrainRecipe =
    task === 'clusters'
      ? { clusterInput: 'raw pixels / 255', clusterIterations: CLUSTER_ITERATIONS }
      : task === 'patch-features'
        ? {
            features:
              'Coates-Ng 2011: contrast-normalized, ZCA-whitened patches; k-means; triangle code; 4 quadrants; standardized; PCA',
            patchSize: PATCH_FEATURES.patchSize,
            dictionary,
            samplePatches: PATCH_FEATURES.samplePatches,
            dictionaryIterations: PATCH_FEATURES.iterations,
            contrastEpsilon: PATCH_FEATURE_CONSTANTS.contrastEpsilon,
            whiteningEpsilon: PATCH_FEATURE_CONSTANTS.whiteningEpsilon,
            loss: 'mse',
          }
        : {};
  return {
    procedure: PRETRAIN_PROCEDURE,
    arch: options.arch,
    task,
    data: options.dataName,
    dataDescription: options.dataDescription ?? options.dataName,
    dataFingerprint: datasetFingerprint(options.data),
    samples: options.data.length,
    outputs:
      task === 'rotation'
        ? 4
        : task === 'clusters'
          ? clusters
          : task === 'patch-features'
            ? components
            : options.data.classes.length,
    ...taskRecipe,
    imageSize: options.imageSize,
    transform: options.transform?.name ?? 'none',
    augmentation: options.augment?.name ?? 'none',
    epochs: options.epochs ?? 2,
    batchSize: options.batchSize ?? 64,
    optimizer: 'adam',
    learningRate: options.learningRate ?? 1e-3,
    schedule: options.cosine ? 'cosine' : 'constant',
    seed: options.seed ?? 0,
    batchNorm: 'running statistics recomputed over the data after training (precise BN)',
  };
}

/** The four rotations of a square batch `[n, s, s, c]` by 0, 90, 180 and 270 degrees (counter-clockwise), stacked. */
export function fourRotations(x: tf.Tensor4D): tf.Tensor4D {
  if (x.shape[1] !== x.shape[2])
    throw new Error(`fourRotations: expected square images, found ${x.shape[1]}x${x.shape[2]}.`);
  return tf.tidy(() => {
    const r90 = tf.reverse(tf.transpose(x, [0, 2, 1, 3]), 1); // rotate left by 90 degrees
    const r180 = tf.reverse(x, [1, 2]);
    const r270 = tf.reverse(tf.transpose(x, [0, 2, 1, 3]), 2);
    return tf.concat([x, r90, r180, r270]) as tf.Tensor4D;
  });
}

/**
 * The rotation task as a BatchSource: every batch of `source` becomes its images in all four rotations, with
 * targets 0..3 (the rotation). The returned tensors are disposed when the consumer moves on (like a DataLoader's).
 */
export function rotationBatches(source: BatchSource): AsyncIterable<Batch> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const batch of source) {
        const n = batch.x.shape[0];
        const x = fourRotations(batch.x as tf.Tensor4D);
        const y = tf.tidy(() => tf.concat([0, 1, 2, 3].map((k) => tf.fill([n], k, 'int32'))));
        const indices = new Int32Array(4 * n);
        for (let k = 0; k < 4; k++) indices.set(batch.indices, k * n);
        try {
          yield { x, y, indices };
        } finally {
          tf.dispose([x, y]);
        }
      }
    },
  };
}

/**
 * A regression task as a BatchSource: each batch of `source` gets the rows of `targets` (`[dataset length, width]`,
 * row-major) at its dataset positions as `y`. The tensors are disposed when the consumer moves on.
 */
export function targetBatches(source: BatchSource, targets: Float32Array, width: number): AsyncIterable<Batch> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const batch of source) {
        const rows = new Float32Array(batch.indices.length * width);
        batch.indices.forEach((i, r) => {
          if ((i + 1) * width > targets.length)
            throw new RangeError(
              `targetBatches: dataset position ${i} has no target row (${targets.length / width} rows).`,
            );
          rows.set(targets.subarray(i * width, (i + 1) * width), r * width);
        });
        const y = tf.tensor2d(rows, [batch.indices.length, width]);
        try {
          yield { x: batch.x, y, indices: batch.indices };
        } finally {
          y.dispose();
        }
      }
    },
  };
}

/**
 * The `clusters` task's data: the same images, labelled with their k-means cluster (on raw pixels / 255), plus the
 * cluster sizes and how far the clusters agree with the hidden labels (reported, never trained on).
 */
export function clusterLabelledImages(
  data: ImageDataset,
  k: number,
  seed: number,
): { data: ImageDataset; sizes: [number, number]; labelAgreement: number } {
  const all = Int32Array.from({ length: data.length }, (_, i) => i);
  const pixels = data.gatherPixels(all);
  const [h, w, c] = data.imageShape;
  const x = tf.tidy(() => tf.div(tf.tensor2d(pixels, [data.length, h * w * c], 'float32'), 255) as tf.Tensor2D);
  let result: ReturnType<typeof kmeans>;
  try {
    result = kmeans(x, k, { iterations: CLUSTER_ITERATIONS, seed });
  } finally {
    x.dispose();
  }
  const truth = data.labels();
  const counts = Array.from({ length: k }, () => new Map<number, number>());
  result.assignments.forEach((cluster, i) => counts[cluster].set(truth[i], (counts[cluster].get(truth[i]) ?? 0) + 1));
  const agreeing = counts.reduce((sum, m) => sum + Math.max(0, ...m.values()), 0);
  const relabelled = new ImageDataset({
    pixels,
    labels: result.assignments,
    height: h,
    width: w,
    channels: c,
    classes: Array.from({ length: k }, (_, i) => `cluster ${i}`),
    source: `${data.store.source} (k-means clusters, k=${k})`,
  });
  return {
    data: relabelled,
    sizes: [Math.min(...result.sizes), Math.max(...result.sizes)],
    labelAgreement: agreeing / data.length,
  };
}

/** One line for a notebook: the same shape whether the weights were trained now or reused. */
export function describePretrained(p: PretrainedBackbone): string {
  const r = p.recipe;
  const task =
    r.task === 'rotation'
      ? 'rotation prediction (4-way, self-supervised, no labels)'
      : r.task === 'clusters'
        ? `telling apart ${r.outputs} k-means clusters of the images' pixels (self-supervised, labels never read)`
        : r.task === 'patch-features'
          ? `predicting each image's unsupervised patch features (${r.outputs} principal components of a ${r.dictionary}-centre k-means dictionary of ${r.patchSize}x${r.patchSize} whitened patches, Coates & Ng 2011; self-supervised regression, labels never read)`
          : `supervised ${r.outputs}-class labels`;
  const what =
    `${r.arch} pre-trained on ${task}` +
    ` of ${r.dataDescription} (${r.samples} images, ${r.imageSize}x${r.imageSize}, ${r.epochs} epochs, Adam ${r.learningRate}, augmentation ${r.augmentation}, seed ${r.seed})`;
  const how = p.fromCache
    ? `reused from the weights cache (recipe ${p.key}, trained in ${p.sidecar.seconds.toFixed(0)} s on ${p.sidecar.cpus} cores, ${p.sidecar.trainedAt.slice(0, 10)})`
    : `trained now in ${p.sidecar.seconds.toFixed(0)} s on ${p.sidecar.cpus} cores (recipe ${p.key}, cached for the next run)`;
  const agreement = p.sidecar.clusterLabelAgreement;
  const clusters =
    agreement === undefined
      ? ''
      : `; the clusters agree with the hidden labels for ${(100 * agreement).toFixed(1)}% of the images`;
  const explained = p.sidecar.explainedVariance;
  const accuracy =
    typeof p.sidecar.finalAccuracy === 'number'
      ? `, accuracy ${(100 * p.sidecar.finalAccuracy).toFixed(1)}%`
      : explained === undefined
        ? ''
        : ` (mean squared error on targets of unit variance; the ${r.outputs} components hold ${(100 * explained).toFixed(0)}% of the features' variance)`;
  const final = `final pre-training loss ${p.sidecar.finalLoss.toFixed(3)}${accuracy}${clusters}`;
  return `${what}; ${how}; ${final}.`;
}

function readSidecar(file: string): PretrainSidecar | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as PretrainSidecar;
  } catch {
    return undefined;
  }
}

/** Pre-trains `arch` on `data` once and returns the safetensors file (reused while the recipe is the same). */
export async function pretrainBackbone(options: PretrainBackboneOptions): Promise<PretrainedBackbone> {
  ensureEngine();
  const recipe = pretrainRecipe(options);
  const key = recipeKey(recipe);
  const name = `offline-v3-${options.arch}-${recipe.task}-${options.dataName}-${key}`;
  const file = options.file ?? path.join(weightsCacheDir(), `${name}.safetensors`);
  const sidecarFile = `${file}.json`;
  if (!options.force && fs.existsSync(file)) {
    const sidecar = readSidecar(sidecarFile);
    if (sidecar && sidecar.key === key) return { file, sidecarFile, fromCache: true, recipe, key, sidecar };
  }

  const epochs = Number(recipe.epochs);
  const batchSize = Number(recipe.batchSize);
  const learningRate = Number(recipe.learningRate);
  const seed = Number(recipe.seed);
  const t0 = Date.now();
  const progress = options.progress === false ? 'none' : options.progress;
  const targetsBar =
    recipe.task === 'clusters' || recipe.task === 'patch-features'
      ? new ProgressBar(1, {
          description: `pre-training ${options.arch}, step 1/2: ${recipe.task === 'clusters' ? 'k-means clusters' : 'patch-feature targets'} of ${options.data.length} images`,
          unit: 'step',
          mode: progress,
        })
      : undefined;
  targetsBar?.update(0);
  const clustered =
    recipe.task === 'clusters' ? clusterLabelledImages(options.data, Number(recipe.outputs), seed) : undefined;
  const data = clustered?.data ?? options.data;
  const features =
    recipe.task === 'patch-features'
      ? patchFeatureTargets(options.data, {
          ...PATCH_FEATURES,
          dictionary: Number(recipe.dictionary),
          components: Number(recipe.outputs),
          seed,
        })
      : undefined;
  targetsBar?.update(1);
  targetsBar?.close();
  const model = await resnet(options.arch, { classes: Number(recipe.outputs), seed });
  try {
    const train =
      options.augment && options.transform
        ? compose(options.augment, options.transform)
        : (options.augment ?? options.transform);
    const loader = new DataLoader(data, { batchSize, shuffle: true, seed, transform: train });
    const source =
      recipe.task === 'rotation'
        ? rotationBatches(loader)
        : features
          ? targetBatches(loader, features.targets, features.components)
          : loader;
    const bar = runProgress({
      epochs,
      samplesPerEpoch: data.length * (recipe.task === 'rotation' ? 4 : 1),
      description: `pre-training ${options.arch}${targetsBar ? ', step 2/2' : ''}`,
      mode: progress,
    });
    const { history } = await fit(model, source, {
      epochs,
      learningRate,
      optimizer: 'adam',
      loss: features ? 'mse' : 'cross-entropy',
      progress: 'none',
      callbacks: [bar],
      liveChart: false,
      schedule: options.cosine ? { kind: 'cosine' } : undefined,
    }).finally(() => bar.close());
    // The running BatchNorm statistics of so short a run lag behind the weights; recompute them exactly.
    const plain = new DataLoader(data, { batchSize, transform: options.transform });
    await recalibrateBatchNorm(model, recipe.task === 'rotation' ? rotationBatches(plain) : plain);
    const last = history.length - 1;
    const sidecar: PretrainSidecar = {
      recipe,
      key,
      seconds: (Date.now() - t0) / 1000,
      trainedAt: new Date().toISOString(),
      finalLoss: history.records[last].train_loss ?? Number.NaN,
      finalAccuracy: features ? null : (history.records[last].train_acc ?? Number.NaN),
      cpus: os.cpus().length,
      ...(clustered ? { clusterSizes: clustered.sizes, clusterLabelAgreement: clustered.labelAgreement } : {}),
      ...(features ? { explainedVariance: features.explainedVariance } : {}),
    };
    const metadata: Record<string, string> = { format: 'pt', recipeKey: key };
    for (const [k, v] of Object.entries(recipe)) metadata[k] = String(v);
    writeFileAtomic(file, encodeSafetensors(exportStateDict(model), metadata));
    writeFileAtomic(sidecarFile, `${JSON.stringify(sidecar, null, 1)}\n`);
    return { file, sidecarFile, fromCache: false, recipe, key, sidecar, history };
  } finally {
    model.dispose();
  }
}
