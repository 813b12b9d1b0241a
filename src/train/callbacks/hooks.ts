/**
 * The hooks `fit` calls during training. Every hook may be async; `fit` awaits it before going on.
 *
 * `FitCallbacks` are the public hooks a user passes in `FitOptions.callbacks`. `Callback` adds the hooks only the
 * built-in callbacks of this folder implement (fastai's `after_loss`, `after_train`, `after_validate`, ...).
 */
import type { Batch } from '../../data';
import type { EpochRecord, History } from '../history';
import type { LossAndAccuracy } from '../measure';

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

/** Lets a hook stop training after the current epoch (early stopping does the same). */
export interface FitControl {
  stopTraining(reason?: string): void;
}

export interface FitCallbacks {
  onTrainBegin?(control: FitControl): void | Promise<void>;
  /** `epoch` is 1-based. */
  onEpochBegin?(epoch: number, control: FitControl): void | Promise<void>;
  onBatchEnd?(logs: BatchLogs, control: FitControl): void | Promise<void>;
  onEpochEnd?(record: EpochRecord, control: FitControl): void | Promise<void>;
  onTrainEnd?(history: History): void | Promise<void>;
}

/** A built-in callback: the public hooks plus internal ones, called in the order of fit's callback list. */
export interface Callback extends FitCallbacks {
  /** Before `onTrainBegin`: restore a checkpoint, replay the history so far. */
  beforeFit?(): void | Promise<void>;
  /** A batch's loss is known and its gradients are not applied yet; throwing stops with the weights unchanged. */
  afterLoss?(loss: number, batch: Batch, epoch: number, index: number): void | Promise<void>;
  /** The epoch's `batches` training batches are done; validation has not started. */
  afterBatches?(epoch: number, batches: number): void | Promise<void>;
  /** The validation pass of the epoch is done. */
  afterValidation?(val: LossAndAccuracy, epoch: number, batches: number): void | Promise<void>;
  /** An interrupt stops training after `batches` batches of `epoch`; `FitInterruptedError` follows. */
  onInterrupt?(epoch: number, batches: number): void | Promise<void>;
  /** After the last epoch, before the users' `onTrainEnd` (e.g. put the best weights back). */
  beforeTrainEnd?(): void | Promise<void>;
  /** Always, when `fit` ends (returns or throws): free what the callback holds. */
  dispose?(): void;
}

type Hook = Exclude<keyof Callback, 'dispose'>;

/** Calls `hook` on every callback that has it, in order, awaiting each. */
export async function emit<K extends Hook>(
  callbacks: readonly Callback[],
  hook: K,
  ...args: Parameters<NonNullable<Callback[K]>>
): Promise<void> {
  for (const cb of callbacks) {
    const fn = cb[hook] as ((...a: typeof args) => void | Promise<void>) | undefined;
    if (fn) await fn.apply(cb, args);
  }
}

/** A user's hooks as a `Callback`: the five public hooks only, each called on the user's own object. */
export function userCallback(cb: FitCallbacks): Callback {
  return {
    onTrainBegin: (control) => cb.onTrainBegin?.(control),
    onEpochBegin: (epoch, control) => cb.onEpochBegin?.(epoch, control),
    onBatchEnd: (logs, control) => cb.onBatchEnd?.(logs, control),
    onEpochEnd: (record, control) => cb.onEpochEnd?.(record, control),
    onTrainEnd: (history) => cb.onTrainEnd?.(history),
  };
}
