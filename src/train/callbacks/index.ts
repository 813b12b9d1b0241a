/**
 * The callbacks of `fit` (Keras's `callbacks` module, fastai's callbacks): the protocol (hooks.ts: the events, the
 * context a callback sees, `CALLBACK_ORDER`) and the built-in callbacks, one per file, that make up everything `fit`
 * does besides the loop itself:
 *
 *   lr-schedule.ts     LearningRateScheduler: the per-epoch learning rate of every parameter group
 *   progress.ts        the progress bar
 *   non-finite.ts      the guard against NaN/infinite losses and weights
 *   divergence.ts      the guard against a finite loss that runs away (FitOptions.divergence)
 *   checkpoint.ts      ModelCheckpoint: last/, best/, epoch-NNN/, the interrupt's checkpoint, the run-folder lock
 *   tensorboard.ts     TensorBoard: per-epoch scalars and weight histograms in TensorBoard's event files
 *   live-chart.ts      the live learning curve
 *   early-stopping.ts  EarlyStopping (and restoring the best weights)
 *   tracker.ts         TrackerCallback: best value/epoch of a metric (the fit's monitor; base of early stopping)
 *
 * A built-in is an ordinary callback: a user's can do all it does. A new training feature is a new file here with
 * its place in `CALLBACK_ORDER`, built by `fit` from its `FitOptions` shortcut (fit-options.ts) or passed in
 * `FitOptions.callbacks`; not a new branch in the loop.
 */
export { CALLBACK_ORDER } from './hooks';
export type {
  BatchInfo,
  BatchLogs,
  Callback,
  EpochProgress,
  FitCallbacks,
  FitContext,
  FitControl,
  GroupView,
  LossLogs,
  MonitorView,
  ValidationLogs,
} from './hooks';
export { EarlyStopping } from './early-stopping';
export type { EarlyStoppingOptions } from './early-stopping';
export { ModelCheckpoint } from './checkpoint';
export type { CheckpointOptions } from './checkpoint';
export { TensorBoard } from './tensorboard';
export type { TensorBoardOptions } from './tensorboard';
export { LearningRateScheduler } from './lr-schedule';
export type { DivergenceOptions } from './divergence';
