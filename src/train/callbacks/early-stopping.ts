/**
 * Early stopping (Keras's `EarlyStopping`, fastai's `EarlyStoppingCallback`): stop when the monitored metric has not
 * improved for `patience` epochs, optionally putting the best epoch's weights back at the end.
 */
import * as tf from '@tensorflow/tfjs';
import type { FitRun } from '../fit-run';
import type { EpochRecord, MetricName } from '../history';
import type { FitControl } from './hooks';
import { TrackerCallback } from './tracker';

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

export class EarlyStoppingCallback extends TrackerCallback {
  private bestWeights?: tf.Tensor[];

  /** `options` with its defaults applied (`resolveOptions`). */
  constructor(
    private readonly run: FitRun,
    private readonly options: Required<EarlyStoppingOptions>,
  ) {
    super(options.monitor, options.minDelta);
  }

  beforeFit(): void {
    this.replay(this.run.history.records);
  }

  override onEpochEnd(record: EpochRecord, control?: FitControl): void {
    super.onEpochEnd(record);
    if (this.improved) {
      if (!this.options.restoreBestWeights) return;
      tf.dispose(this.bestWeights ?? []);
      this.bestWeights = this.run.model.getWeights().map((w) => tf.keep(w.clone()));
    } else if (record.epoch - (this.state.bestEpoch ?? this.run.startEpoch) >= this.options.patience) {
      const { metric, best, bestEpoch } = this.state;
      const where = bestEpoch === null ? `no epoch had a finite ${metric}` : `best ${best} at epoch ${bestEpoch}`;
      control?.stopTraining(`early stopping: ${metric} did not improve for ${this.options.patience} epochs (${where})`);
    }
  }

  beforeTrainEnd(): void {
    if (this.bestWeights) this.run.model.setWeights(this.bestWeights);
  }

  dispose(): void {
    tf.dispose(this.bestWeights ?? []);
    this.bestWeights = undefined;
  }
}
