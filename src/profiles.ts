/**
 * Lesson profiles: the numbers that notebooks, regression tests and handouts share, in one place.
 * - `full`: the original lesson's settings (ImageNet weights, full data, 5 epochs). Online machine, GPU recommended.
 * - `ci`: offline, small subsets, every notebook under 10 minutes on 2 CPU cores.
 */
export type ProfileName = 'full' | 'ci';

export interface LessonProfile {
  name: ProfileName;
  /** Load ImageNet weights (needs the network or a local file). */
  imagenetWeights: boolean;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Training images used from MNIST / CIFAR-10 (undefined: all). */
  trainSubset?: number;
  /** Test images used (undefined: all). */
  testSubset?: number;
  /** Input side for the ResNet-50 MNIST lesson (224 in the original). */
  mnistImageSize: number;
  /** Validation share of the training set (the lesson uses 80/20). */
  validationFraction: number;
  /** Epochs of each run in the strategy comparisons (strategies 1 and 2 run the whole network every batch). */
  strategyEpochs: number;
  /** Offline stand-in for ImageNet (`imagenetWeights: false`): images and epochs of the pre-training run. */
  pretrainSamples: number;
  pretrainEpochs: number;
  /** Epochs for the recurrent-network comparisons. */
  rnnEpochs: number;
  seed: number;
}

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
    pretrainSamples: 50000,
    pretrainEpochs: 5,
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
    testSubset: 500,
    mnistImageSize: 64,
    validationFraction: 0.2,
    strategyEpochs: 2,
    pretrainSamples: 1000,
    pretrainEpochs: 2,
    rnnEpochs: 3,
    seed: 42,
  },
};

/** The profile named by `name`, else the `LESSON_PROFILE` environment variable, else `ci`. */
export function lessonProfile(name: string | undefined = process.env.LESSON_PROFILE): LessonProfile {
  const key = (name ?? 'ci').trim() || 'ci';
  if (key !== 'full' && key !== 'ci') {
    throw new Error(`Unknown lesson profile ${JSON.stringify(name)}: expected "full" or "ci".`);
  }
  return PROFILES[key];
}
