// Public API of src/train/.
export type { BatchLogs, EarlyStoppingOptions, FitCallbacks, FitControl } from './callbacks';
export {
  CHECKPOINT_FORMAT,
  copyCheckpoint,
  loadCheckpointModel,
  readCheckpointMetadata,
  restoreCheckpoint,
  saveCheckpoint,
} from './checkpoint';
export type { CheckpointMetadata, MonitorState, NamedOptimizer, RestoreReport } from './checkpoint';
export { LOCK_FILE, lockRunFolder } from './run-lock';
export type { LockHolder, RunFolderLock } from './run-lock';
export { clipByGlobalNorm, globalNorm } from './clip';
export { ConfusionMatrix } from './confusion';
export { evaluate } from './evaluate';
export type { EvaluateOptions, EvaluationResult } from './evaluate';
export { fit, FitInterruptedError } from './fit';
export type { CheckpointOptions, FitOptions, FitResult } from './fit';
export { History, HISTORY_COLUMNS } from './history';
export type { EpochRecord, MetricName } from './history';
export { computeLoss, countCorrect, isClassificationLoss, LOSS_NAMES } from './losses';
export type { LossName } from './losses';
export { measureLoss } from './measure';
export type { LossAndAccuracy } from './measure';
export { defaultMonitor, metricMode } from './monitor';
export { getLearningRate, makeOptimizer, setLearningRate } from './optimizer';
export type { OptimizerChoice, OptimizerName, OptimizerSpec } from './optimizer';
export { resolveGroups } from './param-groups';
export type { ParameterGroup, VariableLike } from './param-groups';
export { barText, checkProgressMode, formatDuration, PROGRESS_MODES, ProgressBar, ProgressSnapshot } from './progress';
export type { ProgressMode, ProgressOptions } from './progress';
export {
  accuracyNoise,
  accuracyVerdict,
  forecastSummary,
  forecastVerdict,
  GRADIENT_REACH_LIMITS,
  gradientFlowSummary,
  gradientFlowVerdict,
  gradientReach,
  recurrentAccuracySummary,
  sequentialTimingSummary,
  wrapText,
} from './rnn-verdicts';
export type { GradientReach, RecurrentAccuracyContext, RecurrentAccuracyRow } from './rnn-verdicts';
export { scheduledLearningRate } from './schedule';
export type { CosineSchedule, LearningRateSchedule, StepSchedule } from './schedule';
export {
  clusterLabelledImages,
  datasetFingerprint,
  describePretrained,
  fourRotations,
  pretrainBackbone,
  pretrainRecipe,
  PRETRAIN_PROCEDURE,
  recipeKey,
  rotationBatches,
  targetBatches,
} from './pretrain';
export { kmeans } from './kmeans';
export type { KMeansOptions, KMeansResult } from './kmeans';
export { PATCH_FEATURE_CONSTANTS, patchFeatureTargets, symmetricEigen } from './patch-features';
export type { PatchFeatureOptions, PatchFeatureTargets } from './patch-features';
export type {
  PretrainBackboneOptions,
  PretrainedBackbone,
  PretrainRecipe,
  PretrainSidecar,
  PretrainTask,
} from './pretrain';
export { predictImageFile } from './predict-file';
export type { FilePrediction, PredictImageFileOptions } from './predict-file';
export { binomialStandardError, compareAccuracy, transferSummary, verdictTable } from './verdict';
export type { AccuracyVerdict, MeasuredAccuracy, VerdictWord } from './verdict';
export { LESSON_HUB_TIMEOUT_MS, lessonBackbone, mnistOutsideLessonSubset } from './lesson-backbones';
export type { BackboneChoice, LessonBackbone, LessonBackboneName, LessonBackboneOptions } from './lesson-backbones';
