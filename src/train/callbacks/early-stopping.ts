/**
 * Early stopping (Keras's `EarlyStopping`, fastai's `EarlyStoppingCallback`): stop when the monitored metric has not
 * improved for `patience` epochs, optionally putting the best epoch's weights back at the end.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '../../errors';
import type { EpochRecord, History, MetricName } from '../history';
import { checkMetricName, checkMetricRecorded } from '../monitor';
import { CALLBACK_ORDER, type FitContext } from './hooks';
import { TrackerCallback } from './tracker';

export interface EarlyStoppingOptions {
  /** Metric to watch. Default: the fit's monitor (see `FitOptions.monitor`). */
  monitor?: MetricName;
  /** Epochs without improvement before stopping. Default: 3. */
  patience?: number;
  /** Smallest change that counts as an improvement. Default: 0. */
  minDelta?: number;
  /**
   * Put the best epoch's weights back into the model when training ends (in `onTrainEnd`, after every epoch's
   * checkpoint; callbacks of a larger `order` see the restored weights there). Default: false.
   */
  restoreBestWeights?: boolean;
}

/** `new EarlyStopping({ monitor: 'val_acc', patience: 3 })` in `FitOptions.callbacks`, or `FitOptions.earlyStopping`. */
export class EarlyStopping extends TrackerCallback {
  readonly order: number = CALLBACK_ORDER.earlyStopping;
  readonly patience: number;
  readonly restoreBestWeights: boolean;
  /** Whether `monitor` was given (else the fit's monitor is taken at `onTrainBegin`). */
  private readonly ownMonitor: boolean;
  private bestWeights?: tf.Tensor[];
  private startEpoch = 0;

  constructor(options: EarlyStoppingOptions = {}) {
    const monitor =
      options.monitor === undefined ? 'val_loss' : checkMetricName(options.monitor, 'EarlyStopping options.monitor');
    const patience = options.patience ?? 3;
    if (!Number.isInteger(patience) || patience < 0)
      throw new OptionError(
        `EarlyStopping: expected options.patience to be an integer >= 0. Received: ${patience}`,
        'patience',
      );
    const minDelta = options.minDelta ?? 0;
    if (!Number.isFinite(minDelta) || minDelta < 0)
      throw new OptionError(
        `EarlyStopping: expected options.minDelta to be a finite number >= 0. Received: ${minDelta}`,
        'minDelta',
      );
    super(monitor, minDelta);
    this.ownMonitor = options.monitor !== undefined;
    this.patience = patience;
    this.restoreBestWeights = options.restoreBestWeights ?? false;
  }

  /**
   * Starts over (an object can serve several fits), with the fit's monitor when none was given; checks that the
   * metric is recorded; catches up on a resume's history.
   */
  onTrainBegin(ctx: FitContext): void {
    if (this.ownMonitor) checkMetricRecorded(this.state.metric, ctx, 'EarlyStopping options.monitor');
    this.reset(this.ownMonitor ? this.state.metric : ctx.monitor.metric);
    tf.dispose(this.bestWeights ?? []);
    this.bestWeights = undefined;
    this.startEpoch = ctx.startEpoch;
    this.replay(ctx.history);
  }

  override onEpochEnd(record: EpochRecord, ctx: FitContext): void {
    super.onEpochEnd(record);
    if (this.improved) {
      if (!this.restoreBestWeights) return;
      tf.dispose(this.bestWeights ?? []);
      this.bestWeights = ctx.model.getWeights().map((w) => tf.keep(w.clone()));
    } else if (record.epoch - (this.state.bestEpoch ?? this.startEpoch) >= this.patience) {
      const { metric, best, bestEpoch } = this.state;
      const where = bestEpoch === null ? `no epoch had a finite ${metric}` : `best ${best} at epoch ${bestEpoch}`;
      ctx.stopTraining(`early stopping: ${metric} did not improve for ${this.patience} epochs (${where})`);
    }
  }

  /** The best weights go back after the last epoch's callbacks (so its checkpoint holds its own weights). */
  onTrainEnd(_history: History, ctx: FitContext): void {
    if (this.bestWeights) ctx.model.setWeights(this.bestWeights);
  }

  onDispose(): void {
    tf.dispose(this.bestWeights ?? []);
    this.bestWeights = undefined;
  }
}
