/**
 * lessonkit: the shared library of the lesson kit. Notebooks, tests and benchmarks import it by its package name.
 * Importing it does nothing by itself; computing functions call `ensureEngine()` to load native TensorFlow.
 *
 * The root is curated: what a lesson needs in its first cells (the engine, display, loading and transforming data,
 * building and adapting a model, fit / evaluate, the standard charts) and the errors' base class, at most 60 names.
 * test/api/public-surface.test.ts pins the list, so that an addition is deliberate. Everything else public lives in
 * a subpath, one per area: `lessonkit/data`, `lessonkit/models`, `lessonkit/train`, `lessonkit/viz`,
 * `lessonkit/display`, `lessonkit/engine`, `lessonkit/io`, `lessonkit/runtime`, `lessonkit/errors`; the lesson
 * material (profiles, stand-in backbones, generated verdicts, teaching diagrams) is `lessonkit/lessons`.
 */

// Errors: the base class (its kinds are in `lessonkit/errors`).
export { LessonkitError } from './errors';

// Engine, display, interrupts, paths.
export { describeEngine, ensureEngine } from './engine';
export { display, DisplayHandle } from './display';
export { throwIfInterrupted } from './runtime';
export { checkpointDir } from './io';

// Data.
export {
  asRowSequences,
  centerCrop,
  CIFAR10_CLASSES,
  compose,
  DataLoader,
  grayscaleTo3,
  IMAGENET_MEAN,
  IMAGENET_STD,
  loadCsvSeries,
  loadLessonCifar10,
  loadMnist,
  MNIST_CLASSES,
  normalize,
  randomCrop,
  randomHorizontalFlip,
  resize,
  scaleTo01,
  TensorDataset,
  timeSeriesDatasets,
  vegaDatasetPath,
  withTimeBudget,
} from './data';

// Models.
export {
  applyFreezeStrategy,
  cacheFeatures,
  parameterGroups,
  recurrentLayer,
  recurrentModel,
  replaceHead,
  resnet34,
  resnet50,
  splitBackboneHead,
  STRATEGY_NAMES,
} from './models';
export type { FreezeStrategy } from './models';

// Training and evaluation.
export { evaluate, fit, measureLoss, predictImageFile, restoreCheckpoint } from './train';

// Charts and image grids.
export {
  classAccuracyBars,
  classSamplesGrid,
  confusionHeatmap,
  gradientNormChart,
  learningCurves,
  misclassifiedGrid,
  PlotlyFigure,
  sampleGrid,
  strategyComparison,
} from './viz';
