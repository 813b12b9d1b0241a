/**
 * `TrackerCallback` (fastai's): follows one metric over the epochs, remembering its best value and epoch and whether
 * the last epoch was a new best. `fit` keeps one for its monitor (updated by the loop before `onEpochEnd`; the
 * callbacks see it as `ctx.monitor`, checkpoints' `best/` and `FitResult.monitor` follow it); early stopping is one
 * with its own metric and `minDelta`.
 */
import type { MonitorState } from '../checkpoint';
import type { EpochRecord, MetricName } from '../history';
import { newMonitor, observe } from '../monitor';
import type { Callback, FitContext } from './hooks';

export class TrackerCallback implements Callback {
  state: MonitorState;
  /** Whether the last epoch seen was a new best. */
  improved = false;

  constructor(
    metric: MetricName,
    readonly minDelta = 0,
  ) {
    this.state = newMonitor(metric);
  }

  /** Starts over, following `metric`. */
  reset(metric: MetricName): void {
    this.state = newMonitor(metric);
    this.improved = false;
  }

  /** Catches up on epochs trained before (a resumed history). */
  replay(records: readonly EpochRecord[]): void {
    for (const record of records) observe(this.state, record, this.minDelta);
  }

  onEpochEnd(record: EpochRecord, _ctx?: FitContext): void {
    this.improved = observe(this.state, record, this.minDelta);
  }
}
