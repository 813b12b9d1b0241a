/**
 * The callback protocol of `fit` (Keras's `on_*` vocabulary): the events, the context a callback sees, and the
 * order callbacks are called in. Built-in callbacks (this folder) and a user's are the same kind of object; `fit`
 * knows no callback by name.
 *
 * Events, in the order they happen (every hook may be async; `fit` awaits it before going on):
 *
 *   onTrainBegin(ctx)                         once, after a resume restored its state, before the first epoch
 *     onEpochBegin(epoch, ctx)                every epoch (1-based)
 *       onBatchBegin(info, ctx)               every training batch, before its forward pass
 *       onLoss(logs, ctx)                     the batch's loss is known, its gradients are not applied yet:
 *                                             throwing here stops training with the weights unchanged
 *       onBatchEnd(logs, ctx)                 the batch is applied
 *       onValidationBegin(info, ctx)          the epoch's training batches are done (called every epoch)
 *       onValidationEnd(logs, ctx)            the validation pass is done (`logs.val` is null without
 *                                             validation data; then the two are called back to back)
 *     onEpochEnd(record, ctx)                 the epoch's history row is recorded (`ctx.history` holds it)
 *   onTrainEnd(history, ctx)                  the last epoch ended or a callback asked to stop
 *   onInterrupt(info, ctx)                    instead of the rest: an interrupt stops training at a batch
 *                                             boundary; `FitInterruptedError` follows
 *   onDispose(ctx)                            always, when fit ends (returns or throws): free what the callback
 *                                             holds, close what it opened
 *
 * Order: every event calls the callbacks by ascending `order` (default `CALLBACK_ORDER.user`); equal orders keep
 * the order of the list (fit's own first, then `FitOptions.callbacks`). The built-ins' places are `CALLBACK_ORDER`.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../data';
import type { EpochRecord, History, MetricName } from '../history';
import type { LossAndAccuracy } from '../measure';

/**
 * Where each built-in callback runs in every event (fastai's `order`); a callback without `order` runs at `user`.
 * So at an epoch's end the checkpoint of that epoch is on disk when a user's `onEpochEnd` runs, and a stop asked by a
 * user's callback wins over early stopping's in the same epoch.
 */
export const CALLBACK_ORDER = {
  /** `LearningRateScheduler`: each group's rate for the epoch. */
  schedule: 10,
  /** The progress bar. */
  progress: 20,
  /** The guard against NaN/infinite losses and weights. */
  nonFinite: 30,
  /** The guard against a diverging (finite) loss. */
  divergence: 35,
  /** `ModelCheckpoint`: last/, best/, epoch-NNN/, the interrupt's checkpoint. */
  checkpoint: 40,
  /** A callback that sets no `order`. */
  user: 50,
  /** `TensorBoard`. */
  tensorBoard: 60,
  /** The live learning curve. */
  liveChart: 70,
  /** `EarlyStopping` (also puts the best weights back). */
  earlyStopping: 80,
} as const;

/** Numbers reported after each training batch. */
export interface BatchLogs {
  /** 1-based epoch. */
  epoch: number;
  /** 0-based batch index within the epoch. */
  batch: number;
  /** Samples in this batch. */
  size: number;
  /** This batch's loss. */
  loss: number;
  /** Running (epoch so far) loss and accuracy. */
  runningLoss: number;
  runningAcc: number | null;
  /** Global gradient norm before clipping (only when `clipNorm` is set). */
  gradNorm?: number;
}

/** A training batch about to run. */
export interface BatchInfo {
  /** 1-based epoch. */
  epoch: number;
  /** 0-based batch index within the epoch. */
  batch: number;
  /** Samples in this batch. */
  size: number;
}

/** A training batch whose loss is known and whose gradients are not applied yet. */
export interface LossLogs extends BatchInfo {
  loss: number;
  /** The batch itself (its tensors belong to the loader: read them, do not keep or dispose them). */
  data: Batch;
}

/** Where an epoch (or an interrupted one) stands: `batches` training batches done. */
export interface EpochProgress {
  /** 1-based epoch. */
  epoch: number;
  batches: number;
}

export interface ValidationLogs extends EpochProgress {
  /** The validation pass's numbers, or null when the fit has no validation data. */
  val: LossAndAccuracy | null;
}

/** The fit's monitor (`FitOptions.monitor`): what decides `best/` and `FitResult.monitor`. */
export interface MonitorView {
  readonly metric: MetricName;
  readonly mode: 'min' | 'max';
  /** Best value so far, or null before any finite value. */
  readonly best: number | null;
  readonly bestEpoch: number | null;
  /** Whether the epoch that just ended was a new best (meaningful in `onEpochEnd`). */
  readonly improved: boolean;
}

/** One parameter group of the fit (one optimizer each; one group named `default` unless `paramGroups` are set). */
export interface GroupView {
  readonly name: string;
  /** The group's rate before any schedule. */
  readonly baseLearningRate: number;
  /** The rate its optimizer uses now. */
  readonly learningRate: number;
  readonly optimizer: tf.Optimizer;
}

/** Lets a hook stop training after the current epoch (early stopping does the same). */
export interface FitControl {
  /** Stop after the current epoch; the first reason asked for is `FitResult.stopReason`. */
  stopTraining(reason?: string): void;
}

/**
 * What a callback sees of the running fit, the same object in every event: read-only numbers, and three requests
 * (stop, change a learning rate, add a note). The model is the one being trained.
 */
export interface FitContext extends FitControl {
  readonly model: tf.LayersModel;
  /** Epochs of the fit in total (a resumed run counts those before it). */
  readonly epochs: number;
  /** Epochs completed before this call (a resume); 0 for a fresh run. */
  readonly startEpoch: number;
  /** The current 1-based epoch; `startEpoch` before the first one begins. */
  readonly epoch: number;
  /** Training batches done in the current epoch. */
  readonly batch: number;
  /** Batches per epoch when known (the source's `length`, `FitOptions.batchesPerEpoch`, else after epoch 1). */
  readonly batchesPerEpoch: number | undefined;
  /** Finished epochs, including those restored by a resume. */
  readonly history: readonly Readonly<EpochRecord>[];
  readonly monitor: MonitorView;
  /** Whether the fit validates after every epoch (`val_*` metrics exist). */
  readonly hasValidation: boolean;
  /** Whether the loss is a classification loss (`*_acc` metrics exist). */
  readonly classification: boolean;
  readonly groups: readonly GroupView[];
  /** The first group's current learning rate (what the history's `lr` column records). */
  readonly learningRate: number;
  /**
   * Sets the learning rate of one group (by name), or of every group when `group` is omitted; a finite number >= 0.
   * The schedule sets every group's rate at each `onEpochBegin` (order `schedule`), so change it later than that.
   */
  setLearningRate(rate: number, group?: string): void;
  /** The reason of a stop asked for in this epoch, if any. */
  readonly stopRequested: string | undefined;
  /** Adds a line to `FitResult.notes` (things worth knowing that did not stop training). */
  note(message: string): void;
}

/**
 * A callback: any object with some of these hooks (Keras's `Callback`, fastai's). `order` places it among the others
 * (see `CALLBACK_ORDER`). Hooks are called as methods of the object.
 */
export interface Callback {
  /** Where this callback runs in every event. Default: `CALLBACK_ORDER.user` (50). */
  readonly order?: number;
  onTrainBegin?(ctx: FitContext): void | Promise<void>;
  /** `epoch` is 1-based. */
  onEpochBegin?(epoch: number, ctx: FitContext): void | Promise<void>;
  onBatchBegin?(info: BatchInfo, ctx: FitContext): void | Promise<void>;
  /** The loss is known and nothing is applied yet; throwing stops training with the weights of the batch before. */
  onLoss?(logs: LossLogs, ctx: FitContext): void | Promise<void>;
  onBatchEnd?(logs: BatchLogs, ctx: FitContext): void | Promise<void>;
  /** The epoch's training batches are done; called every epoch, with or without validation data. */
  onValidationBegin?(info: EpochProgress, ctx: FitContext): void | Promise<void>;
  onValidationEnd?(logs: ValidationLogs, ctx: FitContext): void | Promise<void>;
  onEpochEnd?(record: EpochRecord, ctx: FitContext): void | Promise<void>;
  onTrainEnd?(history: History, ctx: FitContext): void | Promise<void>;
  /** An interrupt stops training after `info.batches` batches of `info.epoch`; `FitInterruptedError` follows. */
  onInterrupt?(info: EpochProgress, ctx: FitContext): void | Promise<void>;
  /** Always, when `fit` ends (returns or throws), in order; every callback's runs even when one throws. */
  onDispose?(ctx: FitContext): void | Promise<void>;
}

/** The former name of `Callback` (the public hooks), kept for existing code. */
export type FitCallbacks = Callback;

type Hook = Exclude<keyof Callback, 'order' | 'onDispose'>;

/** Calls `hook` on every callback that has it, in order, awaiting each. */
export async function emit<K extends Hook>(
  callbacks: readonly Callback[],
  hook: K,
  ...args: Parameters<NonNullable<Callback[K]>>
): Promise<void> {
  for (const cb of callbacks) {
    const fn = cb[hook] as ((...a: typeof args) => void | Promise<void>) | undefined;
    if (typeof fn === 'function') await fn.apply(cb, args);
  }
}

/** Calls every callback's `onDispose`, in order, even when one throws; rethrows the first error at the end. */
export async function disposeAll(callbacks: readonly Callback[], ctx: FitContext): Promise<void> {
  let first: { error: unknown } | undefined;
  for (const cb of callbacks) {
    try {
      if (typeof cb.onDispose === 'function') await cb.onDispose(ctx);
    } catch (error) {
      first ??= { error };
    }
  }
  if (first) throw first.error;
}

/** The callbacks sorted by `order` (stable: equal orders keep the list's order). */
export function sortCallbacks(callbacks: readonly Callback[]): Callback[] {
  return callbacks
    .map((cb, i) => ({ cb, i, order: cb.order ?? CALLBACK_ORDER.user }))
    .sort((a, b) => a.order - b.order || a.i - b.i)
    .map((e) => e.cb);
}
