/** Hooks `fit` calls during training. Every hook may be async; `fit` awaits it before going on. */
import type { EpochRecord, History } from './history';

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
