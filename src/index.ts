/**
 * lessonkit: the shared library of the lesson kit. Notebooks, tests and benchmarks import it by its package name.
 * Importing it does nothing by itself; computing functions call `ensureEngine()` to load native TensorFlow.
 *
 * The root is what a lesson needs: every name here is used by a notebook (or is an error class a caller branches
 * on), and test/api/root-exports.test.ts pins the list, so that an addition is deliberate. Everything else public
 * lives in a subpath, one per area: `lessonkit/data`, `lessonkit/models`, `lessonkit/train`, `lessonkit/viz`,
 * `lessonkit/display`, `lessonkit/engine`, `lessonkit/io`, `lessonkit/runtime`, `lessonkit/profiles`,
 * `lessonkit/errors`.
 */

// Errors: callers branch on them with `instanceof`.
export {
  CheckpointError,
  DataFormatError,
  LabelRangeError,
  LessonkitError,
  NonFiniteLossError,
  OfflineError,
  OptionError,
  WeightsIntegrityError,
} from './errors';

// Engine, profiles, display, interrupts.
export { describeEngine, ensureEngine } from './engine';
export { lessonProfile } from './profiles';
export { display, DisplayHandle } from './display';
export { throwIfInterrupted } from './runtime';
export { checkpointDir } from './io';

// Data.
export {
  asRowSequences,
  centerCrop,
  CIFAR10_CLASSES,
  compose,
  createRng,
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
  shuffleInPlace,
  TensorDataset,
  timeSeriesDatasets,
  vegaDatasetPath,
  withTimeBudget,
} from './data';

// Models.
export {
  applyFreezeStrategy,
  batchNormDrift,
  cacheFeatures,
  gradientFlow,
  linearRecurrenceGradients,
  parameterGroups,
  recalibrateBatchNorm,
  recurrentLayer,
  recurrentModel,
  replaceHead,
  resnet34,
  resnet50,
  snapshotBatchNorm,
  splitBackboneHead,
  STRATEGY_NAMES,
} from './models';
export type { FreezeStrategy } from './models';

// Training, evaluation and the generated verdicts.
export {
  compareAccuracy,
  degenerateRun,
  evaluate,
  fit,
  forecastSummary,
  forecastVerdict,
  gradientFlowSummary,
  gradientFlowVerdict,
  lessonBackbone,
  measureLoss,
  predictImageFile,
  predictionsOf,
  recurrentAccuracySummary,
  restoreCheckpoint,
  sequentialTimingSummary,
  transferSummary,
  wrapText,
} from './train';

// Charts, grids, diagrams.
export {
  classAccuracyBars,
  classSamplesGrid,
  confusionHeatmap,
  encodePng,
  formatCount,
  gradientNormChart,
  gruCellDiagram,
  learningCurves,
  lstmCellDiagram,
  misclassifiedGrid,
  PlotlyFigure,
  rnnFormsDiagram,
  sampleGrid,
  strategyComparison,
  tanhDerivativeChart,
  transferStrategiesDiagram,
  unrolledRnnDiagram,
  withArticle,
} from './viz';
