/** Which metric decides "best" (checkpoints, early stopping), and whether bigger is better. */
import type { EpochRecord, MetricName } from './history';
import type { MonitorState } from './checkpoint';
import { OptionError } from '../errors';

export const METRIC_NAMES: readonly MetricName[] = ['train_loss', 'train_acc', 'val_loss', 'val_acc'];

/** `*_acc` is maximised, `*_loss` minimised. */
export function metricMode(metric: MetricName): 'min' | 'max' {
  return metric.endsWith('_acc') ? 'max' : 'min';
}

/** The default monitor: validation accuracy for classification with validation, then val_loss, train_acc, train_loss. */
export function defaultMonitor(classification: boolean, hasValidation: boolean): MetricName {
  if (hasValidation) return classification ? 'val_acc' : 'val_loss';
  return classification ? 'train_acc' : 'train_loss';
}

export function checkMetricName(metric: unknown, where: string): MetricName {
  if (typeof metric === 'string' && (METRIC_NAMES as readonly string[]).includes(metric)) return metric as MetricName;
  throw new OptionError(`${where}: expected one of ${METRIC_NAMES.join(', ')}. Received: ${JSON.stringify(metric)}`);
}

export function newMonitor(metric: MetricName): MonitorState {
  return { metric, mode: metricMode(metric), best: null, bestEpoch: null };
}

/** Whether `value` beats the best so far by more than `minDelta`. */
export function improves(state: MonitorState, value: number | null, minDelta = 0): boolean {
  if (value === null || !Number.isFinite(value)) return false;
  if (state.best === null) return true;
  return state.mode === 'max' ? value > state.best + minDelta : value < state.best - minDelta;
}

/** Updates the monitor with a finished epoch; returns whether it was a new best. */
export function observe(state: MonitorState, record: EpochRecord, minDelta = 0): boolean {
  const value = record[state.metric];
  if (!improves(state, value, minDelta)) return false;
  state.best = value;
  state.bestEpoch = record.epoch;
  return true;
}

/** A monitored metric must be recorded: val_* needs validation, *_acc a classification loss. `option` names it. */
export function checkMetricRecorded(
  metric: MetricName,
  fit: { hasValidation: boolean; classification: boolean },
  option: string,
): void {
  if (metric.startsWith('val_') && !fit.hasValidation)
    throw new OptionError(`${option} is ${metric} but the fit has no validation data (options.validation)`, option);
  if (metric.endsWith('_acc') && !fit.classification)
    throw new OptionError(
      `${option} is ${metric}, but the fit's loss is not a classification loss (no accuracy)`,
      option,
    );
}
