/**
 * `fit`'s options, and `resolveOptions`: every default and every option check, applied once before training. The
 * shortcuts `checkpoint` and `earlyStopping` become `ModelCheckpoint` and `EarlyStopping` callbacks here.
 */
import * as path from 'node:path';
import type { BatchSource } from '../data';
import { activeSink } from '../display';
import { OptionError } from '../errors';
import { ModelCheckpoint, type CheckpointOptions } from './callbacks/checkpoint';
import { resolveDivergence, type DivergenceOptions } from './callbacks/divergence';
import { EarlyStopping, type EarlyStoppingOptions } from './callbacks/early-stopping';
import type { Callback } from './callbacks/hooks';
import type { MetricName } from './history';
import { checkLossName, isClassificationLoss, type LossName } from './losses';
import { checkMetricName, defaultMonitor } from './monitor';
import { getLearningRate, isOptimizerInstance, type OptimizerChoice } from './optimizer';
import type { ParameterGroup } from './param-groups';
import { checkProgressMode, type ProgressMode } from './progress';
import type { LearningRateSchedule } from './schedule';

export type { CheckpointOptions } from './callbacks/checkpoint';

export interface FitOptions {
  /** Epochs to train in total (a resumed run continues up to this number). Default: 1. */
  epochs?: number;
  /** Validation batches, evaluated after every epoch. Default: none. */
  validation?: BatchSource;
  /** 'adam', 'sgd' (with momentum 0.9), a spec, or an optimizer instance. Default: 'adam'. */
  optimizer?: OptimizerChoice;
  /** Base learning rate. Default: the optimizer spec's, else 1e-3 for adam and 1e-2 for sgd. Ignored for an instance. */
  learningRate?: number;
  /** Loss on the model's output. Default: 'cross-entropy' (logits). */
  loss?: LossName;
  /** Per-epoch learning-rate schedule. Default: constant. */
  schedule?: LearningRateSchedule;
  /** Clip gradients to this global L2 norm. Default: no clipping. */
  clipNorm?: number;
  /** Groups with their own learning rates (needs a named optimizer, not an instance). Default: one group. */
  paramGroups?: ParameterGroup[];
  /** The metric for `best/` and early stopping. Default: val_acc (classification) or val_loss, train_* without validation. */
  monitor?: MetricName;
  /** Stop when the monitor stalls: sugar for `new EarlyStopping(...)` in `callbacks`. Default: off. */
  earlyStopping?: EarlyStoppingOptions;
  /**
   * Callbacks (`EarlyStopping`, `ModelCheckpoint`, `TensorBoard`, or any object with hooks, see callbacks/hooks.ts),
   * called by their `order`. Default: none.
   */
  callbacks?: Callback | Callback[];
  /** Where to write checkpoints (a folder or options): sugar for `new ModelCheckpoint(...)`. Default: none. */
  checkpoint?: string | CheckpointOptions;
  /**
   * Stop with a `DivergingLossError` when a batch loss is more than `factor` times the best batch loss of the run (and
   * above the run's first one), or above `maxLoss`; before that batch is applied. `false` turns the check off.
   * Default: `{ factor: 1000 }`.
   */
  divergence?: DivergenceOptions | false;
  /**
   * Resume: `true` continues from `<checkpoint dir>/last` when it exists (else starts fresh); a folder path resumes
   * from that checkpoint (it must exist). Default: false.
   */
  resume?: boolean | string;
  /** Progress bar mode; `'none'`, `'off'` or `false` is silent. Other values are an OptionError. Default: 'auto'. */
  progress?: ProgressMode | false;
  /** Show a learning curve that updates after every epoch. Default: true inside a notebook, false elsewhere. */
  liveChart?: boolean;
  /** Batches per epoch for the progress bar's total and ETA. Default: the source's `length` if it has one, else the count seen in the first epoch. */
  batchesPerEpoch?: number;
}

/** The options with every default applied. */
export interface ResolvedOptions {
  epochs: number;
  validation?: BatchSource;
  optimizer: OptimizerChoice;
  learningRate?: number;
  loss: LossName;
  classification: boolean;
  schedule?: LearningRateSchedule;
  clipNorm?: number;
  paramGroups?: ParameterGroup[];
  monitor: MetricName;
  /** The sugar's callbacks (checkpoint, early stopping), then the caller's, in the caller's order. */
  callbacks: Callback[];
  divergence: DivergenceOptions | false;
  /** Resume: from the folder the caller named, else (`from` undefined) from `last/` of the first checkpoint folder. */
  resume?: { from?: string };
  progress: Exclude<ProgressMode, 'off'>;
  liveChart: boolean;
  batchesPerEpoch?: number;
}

/** A monitored metric must be recorded: val_* needs validation, *_acc a classification loss. */
function checkMonitor(
  options: FitOptions,
  classification: boolean,
  loss: LossName,
  metric: MetricName,
  name: string,
  field?: string,
): void {
  if (metric.startsWith('val_') && options.validation === undefined)
    throw new OptionError(`fit: options.${name} is ${metric} but no options.validation was given`, field);
  if (metric.endsWith('_acc') && !classification)
    throw new OptionError(`fit: options.${name} is ${metric}, but loss '${loss}' has no accuracy`, field);
}

function sourceLength(source: BatchSource): number | undefined {
  const n = (source as { length?: unknown }).length;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * A learning rate must be a finite number >= 0: a negative one trains "upward" without a word. 0 stays legal (it
 * freezes: tests and frozen parameter groups use it). `where` names it in the message, `option` is `err.option`.
 */
function checkLearningRate(rate: unknown, where: string, option: string): void {
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0)
    throw new OptionError(
      `fit: expected ${where} to be a finite number >= 0. Received: ${typeof rate === 'string' ? JSON.stringify(rate) : String(rate)}`,
      option,
    );
}

function checkLearningRates(options: FitOptions): void {
  if (options.learningRate !== undefined)
    checkLearningRate(options.learningRate, 'options.learningRate', 'learningRate');
  const choice = options.optimizer;
  if (isOptimizerInstance(choice))
    checkLearningRate(getLearningRate(choice), "options.optimizer's learning rate", 'optimizer');
  else if (typeof choice === 'object' && choice !== null && choice.learningRate !== undefined)
    checkLearningRate(choice.learningRate, 'options.optimizer.learningRate', 'optimizer.learningRate');
  options.paramGroups?.forEach((g, i) => {
    const where = `options.paramGroups[${i}]`;
    if (g.learningRate !== undefined)
      checkLearningRate(g.learningRate, `${where}.learningRate`, `paramGroups[${i}].learningRate`);
    if (g.learningRateScale !== undefined)
      checkLearningRate(g.learningRateScale, `${where}.learningRateScale`, `paramGroups[${i}].learningRateScale`);
  });
}

function userCallbacks(callbacks: FitOptions['callbacks']): Callback[] {
  if (callbacks === undefined) return [];
  const list: Callback[] = Array.isArray(callbacks) ? callbacks : [callbacks];
  list.forEach((cb, i) => {
    if (typeof cb !== 'object' || cb === null)
      throw new OptionError(
        `fit: expected options.callbacks[${i}] to be an object with hooks. Received: ${String(cb)}`,
        'callbacks',
      );
    if (cb.order !== undefined && (typeof cb.order !== 'number' || !Number.isFinite(cb.order)))
      throw new OptionError(
        `fit: expected the order of options.callbacks[${i}] (${cb.constructor?.name ?? 'object'}) to be a finite number. Received: ${String(cb.order)}`,
        'callbacks',
      );
  });
  return list;
}

/** Defaults, in one place. `train` is the training source (its `length` is the default `batchesPerEpoch`). */
export function resolveOptions(options: FitOptions, train: BatchSource): ResolvedOptions {
  const epochs = options.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new OptionError(`fit: expected options.epochs to be an integer >= 1. Received: ${options.epochs}`);
  const loss = checkLossName(options.loss ?? 'cross-entropy', 'fit options.loss');
  const classification = isClassificationLoss(loss);
  const monitor =
    options.monitor === undefined
      ? defaultMonitor(classification, options.validation !== undefined)
      : checkMetricName(options.monitor, 'fit options.monitor');
  checkMonitor(options, classification, loss, monitor, 'monitor');
  checkLearningRates(options);
  if (options.clipNorm !== undefined && !(options.clipNorm > 0))
    throw new OptionError(`fit: expected options.clipNorm > 0. Received: ${options.clipNorm}`);
  const es = options.earlyStopping;
  const esMonitor =
    es?.monitor === undefined ? monitor : checkMetricName(es.monitor, 'fit options.earlyStopping.monitor');
  if (es?.monitor !== undefined)
    checkMonitor(options, classification, loss, esMonitor, 'earlyStopping.monitor', 'earlyStopping.monitor');
  const ck = typeof options.checkpoint === 'string' ? { dir: options.checkpoint } : options.checkpoint;
  const sugar: Callback[] = [];
  if (ck) sugar.push(new ModelCheckpoint(ck));
  if (es) sugar.push(new EarlyStopping({ ...es, monitor: esMonitor }));
  const divergence = options.divergence === false ? false : resolveDivergence(options.divergence);
  return {
    epochs,
    validation: options.validation,
    optimizer: options.optimizer ?? 'adam',
    learningRate: options.learningRate,
    loss,
    classification,
    schedule: options.schedule,
    clipNorm: options.clipNorm,
    paramGroups: options.paramGroups,
    monitor,
    callbacks: [...sugar, ...userCallbacks(options.callbacks)],
    divergence,
    resume: !options.resume
      ? undefined
      : typeof options.resume === 'string'
        ? { from: path.resolve(options.resume) }
        : {},
    progress: checkProgressMode(options.progress, 'fit options.progress'),
    liveChart: options.liveChart ?? activeSink() !== undefined,
    batchesPerEpoch: options.batchesPerEpoch ?? sourceLength(train),
  };
}
