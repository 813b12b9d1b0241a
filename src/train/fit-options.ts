/** `fit`'s options, and `resolveOptions`: every default and every option check, applied once before training. */
import * as path from 'node:path';
import type { BatchSource } from '../data';
import { activeSink } from '../display';
import { OptionError } from '../errors';
import type { FitCallbacks } from './callbacks/hooks';
import type { EarlyStoppingOptions } from './callbacks/early-stopping';
import type { MetricName } from './history';
import { checkLossName, isClassificationLoss, type LossName } from './losses';
import { checkMetricName, defaultMonitor } from './monitor';
import type { OptimizerChoice } from './optimizer';
import type { ParameterGroup } from './param-groups';
import { checkProgressMode, type ProgressMode } from './progress';
import type { LearningRateSchedule } from './schedule';

export interface CheckpointOptions {
  /** This run's folder; `checkpointDir(run)` from the io area gives the standard place. Required. */
  dir: string;
  /** Also keep one folder per epoch (`epoch-001/`, ...) besides `last/` and `best/`. Default: false. */
  keepEveryEpoch?: boolean;
  /** Save the optimizer state (Adam moments, momentum) so that a resume continues exactly. Default: true. */
  saveOptimizer?: boolean;
}

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
  /** Stop when the monitor stalls. Default: off. */
  earlyStopping?: EarlyStoppingOptions;
  /** Hooks. Default: none. */
  callbacks?: FitCallbacks | FitCallbacks[];
  /** Where to write checkpoints (a folder or options). Default: no checkpoints. */
  checkpoint?: string | CheckpointOptions;
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
  earlyStopping?: Required<EarlyStoppingOptions>;
  callbacks: FitCallbacks[];
  checkpoint?: Required<CheckpointOptions>;
  /** The checkpoint folder to resume from; `mustExist` when the caller named it. */
  resume?: { from: string; mustExist: boolean };
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
  if (options.clipNorm !== undefined && !(options.clipNorm > 0))
    throw new OptionError(`fit: expected options.clipNorm > 0. Received: ${options.clipNorm}`);
  const es = options.earlyStopping;
  const esMonitor =
    es?.monitor === undefined ? monitor : checkMetricName(es.monitor, 'fit options.earlyStopping.monitor');
  if (es?.monitor !== undefined)
    checkMonitor(options, classification, loss, esMonitor, 'earlyStopping.monitor', 'earlyStopping.monitor');
  const ck = typeof options.checkpoint === 'string' ? { dir: options.checkpoint } : options.checkpoint;
  if (options.resume && !ck && typeof options.resume !== 'string')
    throw new OptionError('fit: options.resume is true but options.checkpoint names no folder to resume from');
  const checkpoint = ck
    ? { dir: path.resolve(ck.dir), keepEveryEpoch: ck.keepEveryEpoch ?? false, saveOptimizer: ck.saveOptimizer ?? true }
    : undefined;
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
    earlyStopping: es && {
      monitor: esMonitor,
      patience: es.patience ?? 3,
      minDelta: es.minDelta ?? 0,
      restoreBestWeights: es.restoreBestWeights ?? false,
    },
    callbacks:
      options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks],
    checkpoint,
    resume: !options.resume
      ? undefined
      : typeof options.resume === 'string'
        ? { from: path.resolve(options.resume), mustExist: true }
        : { from: path.join(checkpoint!.dir, 'last'), mustExist: false },
    progress: checkProgressMode(options.progress, 'fit options.progress'),
    liveChart: options.liveChart ?? activeSink() !== undefined,
    batchesPerEpoch: options.batchesPerEpoch ?? sourceLength(train),
  };
}
