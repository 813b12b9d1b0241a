/**
 * Lesson profiles: the numbers that notebooks, regression tests and handouts share, in one place.
 * - `full`: the original lesson's settings (ImageNet weights, full data, 5 epochs). Online machine, GPU recommended.
 * - `ci`: offline, small subsets, every notebook a few minutes on 2 CPU cores; the transfer lessons pre-train their
 *   stand-in backbones once (about 100 s and 160 s on a quiet 2-core machine, cached in the weights cache).
 */
import { setting } from '../io';

export type ProfileName = 'full' | 'ci';

/** One offline pre-training run (see `pretrainBackbone` and `lessonBackbone`). */
export interface PretrainPlan {
  arch: 'resnet34' | 'resnet50';
  /**
   * `supervised` (the source data's labels), `rotation` (self-supervised: which of 4 rotations), `clusters`
   * (self-supervised: which k-means cluster of the images' pixels) or `patch-features` (self-supervised regression
   * onto the images' unsupervised patch features); the last three never read a label.
   */
  task: 'supervised' | 'rotation' | 'clusters' | 'patch-features';
  /** k of the `clusters` task. */
  clusters?: number;
  /** The `patch-features` task: dictionary centres and the principal components predicted. */
  dictionary?: number;
  components?: number;
  /**
   * `cifar10`: CIFAR-10 training images at per-class positions `[start, end)` in the official order (the shipped
   * sample holds 0-999). `mnist`: MNIST training images at positions `[start, end)` among those OUTSIDE the lesson's
   * labelled subset (`trainSubset` sampled with `seed`), so pre-training never sees a lesson image.
   */
  source: 'cifar10' | 'mnist';
  range: [number, number];
  imageSize: number;
  epochs: number;
  /** Images per batch (a rotation batch holds each in its four rotations). */
  batchSize: number;
  learningRate: number;
  /** Random horizontal flip (CIFAR-10 only) and random crop with padding 4 while pre-training. */
  augment: boolean;
  /** Cosine decay of the learning rate to 0 over the run. Default: false. */
  cosine?: boolean;
}

export interface LessonProfile {
  name: ProfileName;
  /**
   * ImageNet weights are required (needs the network once, or a local file). When false (`ci`), the lessons still use
   * them if they can be had quickly, and fall back to the offline stand-ins.
   */
  imagenetWeights: boolean;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Training images used from MNIST / CIFAR-10 (undefined: all). */
  trainSubset?: number;
  /** Test images used (undefined: all). */
  testSubset?: number;
  /** Input side for the ResNet-50 MNIST lesson (224 in the original; `ci`: 32, the size its stand-in backbone was pre-trained at). */
  mnistImageSize: number;
  /** Validation share of the training set (the lesson uses 80/20). */
  validationFraction: number;
  /** Epochs of each run in the strategy comparisons (strategies 1 and 2 run the whole network every batch). */
  strategyEpochs: number;
  /** Head-only training on cached features (strategy 3): epochs and Adam learning rate of the new head. */
  headEpochs: number;
  headLearningRate: number;
  /** Fine-tuning (phase 2 of the two-phase recipe): learning rate of the unfrozen backbone layers; the new head gets 10 times more. */
  fineTuneLearningRate: number;
  /** CIFAR-10 images per class (the first ones, official order): labelled training pool and test set (undefined: all). */
  cifarTrainPerClass?: number;
  cifarTestPerClass?: number;
  /**
   * Input side of each transfer lesson when it has ImageNet weights (`lessonBackbone`): `full` keeps the original's
   * (224 for MNIST, CIFAR-10's own 32); `ci` upsamples as far as 2 CPU cores allow (docs/models.md, "ImageNet weights
   * on a CPU").
   */
  imagenetImageSize: { mnistLesson: number; cifarLesson: number };
  /**
   * The stand-ins for ImageNet weights: the pre-training recipes of the two lessons. `ci` uses them when no ImageNet
   * weights can be had (`lessonBackbone`); `full` only when asked (`use: 'stand-in'`).
   */
  pretrain: {
    /** Lesson 01's ResNet-50. */
    mnistLesson: PretrainPlan;
    /** Lesson 02's ResNet-34. */
    cifarLesson: PretrainPlan;
  };
  /** Epochs for the recurrent-network comparisons. */
  rnnEpochs: number;
  seed: number;
}

/** Lesson 02's stand-in recipe, in both profiles (they differ in the images it learns from). */
const CIFAR_STAND_IN: Omit<PretrainPlan, 'range'> = {
  arch: 'resnet34',
  task: 'patch-features',
  dictionary: 128,
  components: 64,
  source: 'cifar10',
  imageSize: 32,
  epochs: 4,
  batchSize: 64,
  learningRate: 2e-3,
  cosine: true,
  augment: true,
};

export const PROFILES: Readonly<Record<ProfileName, LessonProfile>> = {
  full: {
    name: 'full',
    imagenetWeights: true,
    epochs: 5,
    batchSize: 128,
    learningRate: 1e-3,
    mnistImageSize: 224,
    validationFraction: 0.2,
    strategyEpochs: 5,
    headEpochs: 5,
    headLearningRate: 1e-3,
    fineTuneLearningRate: 1e-4,
    imagenetImageSize: { mnistLesson: 224, cifarLesson: 32 },
    // Unused with ImageNet weights; kept so that LESSONKIT_PROFILE=full can be switched to offline weights by hand.
    pretrain: {
      mnistLesson: {
        arch: 'resnet50',
        task: 'supervised',
        source: 'cifar10',
        range: [0, 5000],
        imageSize: 32,
        epochs: 5,
        batchSize: 128,
        learningRate: 1e-3,
        augment: true,
      },
      cifarLesson: { ...CIFAR_STAND_IN, range: [0, 5000] },
    },
    rnnEpochs: 10,
    seed: 42,
  },
  ci: {
    name: 'ci',
    imagenetWeights: false,
    epochs: 5,
    batchSize: 64,
    learningRate: 1e-3,
    trainSubset: 1000,
    testSubset: 1000,
    mnistImageSize: 32,
    validationFraction: 0.2,
    strategyEpochs: 2,
    headEpochs: 30,
    headLearningRate: 1e-3, // the original's rate; at 1e-2 the head lost 10-30 points on the stand-ins' features (docs/models.md)
    fineTuneLearningRate: 1e-4, // the Keras guide's low rate; 1e-3 (head 1e-2) wrecked the patch-features backbone: 44% -> 33% (docs/models.md)
    cifarTrainPerClass: 100,
    cifarTestPerClass: 100,
    imagenetImageSize: { mnistLesson: 64, cifarLesson: 64 }, // measured on 2 CPU cores: docs/models.md
    pretrain: {
      // Measured against rotation prediction and supervised CIFAR-10 within the same budget: docs/models.md.
      mnistLesson: {
        arch: 'resnet50',
        task: 'clusters',
        clusters: 50,
        source: 'mnist',
        range: [0, 12000],
        imageSize: 32,
        epochs: 1,
        batchSize: 64,
        learningRate: 2e-3,
        cosine: true,
        augment: false,
      },
      // Measured against rotation prediction and k-means clusters of the pixels: docs/models.md.
      cifarLesson: { ...CIFAR_STAND_IN, range: [100, 1000] },
    },
    rnnEpochs: 3,
    seed: 42,
  },
};

/** The profile named by `name`, else the `LESSONKIT_PROFILE` environment variable, else `ci`. */
export function lessonProfile(name: string | undefined = setting('LESSONKIT_PROFILE')): LessonProfile {
  const key = (name ?? 'ci').trim() || 'ci';
  if (key !== 'full' && key !== 'ci') {
    throw new Error(`Unknown lesson profile ${JSON.stringify(name)}: expected "full" or "ci".`);
  }
  return PROFILES[key];
}
