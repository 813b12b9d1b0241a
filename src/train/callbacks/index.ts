/**
 * The callbacks of `fit`: the public hooks (`FitCallbacks`, hooks.ts) and the built-in callbacks, one per file, that
 * make up everything `fit` does besides the loop itself (fastai's `Learner` + callbacks, Keras's `callbacks` module):
 *
 *   tracker.ts         TrackerCallback: best value/epoch of a metric (the fit's monitor; base of early stopping)
 *   lr-schedule.ts     the per-epoch learning rate of every parameter group
 *   progress.ts        the progress bar
 *   non-finite.ts      the guard against NaN/infinite losses and weights
 *   checkpoint.ts      last/, best/, epoch-NNN/, the interrupt's checkpoint, resume, the run-folder lock
 *   live-chart.ts      the live learning curve
 *   early-stopping.ts  EarlyStoppingOptions and the callback
 *
 * `fit` calls them in the order of `builtInCallbacks` in fit.ts. A new training feature is a new file here, added
 * to that list; the built-in classes are internal (not exported from lessonkit/train).
 */
export type { BatchLogs, FitCallbacks, FitControl } from './hooks';
export type { EarlyStoppingOptions } from './early-stopping';
