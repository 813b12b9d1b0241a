/** Early stopping: stop when the monitored metric has not improved for `patience` epochs (Keras's EarlyStopping). */
import type { MetricName } from './history';

export interface EarlyStoppingOptions {
  /** Metric to watch. Default: the fit's monitor (see `FitOptions.monitor`). */
  monitor?: MetricName;
  /** Epochs without improvement before stopping. Default: 3. */
  patience?: number;
  /** Smallest change that counts as an improvement. Default: 0. */
  minDelta?: number;
  /** Put the best epoch's weights back into the model when stopping or finishing. Default: false. */
  restoreBestWeights?: boolean;
}
