// Public API of src/train/.
export { CALLBACK_ORDER, EarlyStopping, LearningRateScheduler, ModelCheckpoint, TensorBoard } from './callbacks';
export type {
  BatchInfo,
  BatchLogs,
  Callback,
  DivergenceOptions,
  EarlyStoppingOptions,
  EpochProgress,
  FitCallbacks,
  FitContext,
  FitControl,
  GroupView,
  LossLogs,
  MonitorView,
  TensorBoardOptions,
  ValidationLogs,
} from './callbacks';
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
export { computeEvaluation, evaluate, presentEvaluation } from './evaluate';
export type { EvaluateOptions, EvaluationCounts, EvaluationResult, Misclassification } from './evaluate';
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
export { runProgress } from './run-progress';
export type { RunProgress, RunProgressOptions } from './run-progress';
export { scheduledLearningRate } from './schedule';
export type { CosineSchedule, LearningRateSchedule, StepSchedule } from './schedule';
export { predictImageFile } from './predict-file';
export type { FilePrediction, PredictImageFileOptions } from './predict-file';
export { degenerateRun, predictionsOf } from './degenerate-run';
export type { DegenerateOptions, DegenerateRun, RunOutcome } from './degenerate-run';
