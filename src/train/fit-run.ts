/**
 * The state of one `fit` call, shared by the loop and the built-in callbacks (fastai's `Learner` attributes): the
 * model and its optimizer groups, the history, the monitor deciding "best", where training starts and why it stops;
 * and `FitResult`, what `fit` returns (or puts in `FitInterruptedError.result`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { InterruptedError } from '../runtime';
import type { MonitorState, NamedOptimizer, RestoreReport } from './checkpoint';
import { TrackerCallback } from './callbacks/tracker';
import type { FitControl } from './callbacks/hooks';
import type { ResolvedOptions } from './fit-options';
import { History } from './history';
import { outputClasses } from './labels';
import type { Group } from './train-step';

export interface FitResult {
  history: History;
  /** Epochs completed, counting those before a resume. */
  epochsCompleted: number;
  stoppedEarly: boolean;
  stopReason?: string;
  monitor: MonitorState;
  /** Folder of the best checkpoint, when checkpointing. */
  bestCheckpoint?: string;
  /** Folder of the last checkpoint, when checkpointing. */
  lastCheckpoint?: string;
  /** What a resume restored. */
  resumed?: RestoreReport;
  /** Things worth knowing that did not stop training (e.g. a stale checkpoint lock taken over). */
  notes: string[];
}

/** Thrown when an interrupt stopped `fit`; `result` holds the history so far and the checkpoint written at the stop. */
export class FitInterruptedError extends InterruptedError {
  constructor(
    readonly result: FitResult,
    readonly interruptedEpoch: number,
    readonly batchesDone: number,
  ) {
    super(
      `Training interrupted in epoch ${interruptedEpoch} after ${batchesDone} batches. ` +
        (result.lastCheckpoint ? `Checkpoint: ${result.lastCheckpoint} (resume with {resume: true}). ` : '') +
        `History so far (${result.history.length} complete epochs) is in error.result.history.`,
    );
  }
}

export class FitRun {
  history = new History();
  /** Tracks `options.monitor`: the best epoch so far, and whether the last epoch was a new best. */
  readonly best: TrackerCallback;
  /** The classifier's number of classes (labels are checked against it), or undefined for regression. */
  readonly classes: number | undefined;
  /** Epochs completed before this call (a resume). */
  startEpoch = 0;
  resumed?: RestoreReport;
  stopReason?: string;
  readonly control: FitControl = {
    stopTraining: (reason = 'stopped by a callback') => {
      this.stopReason ??= reason;
    },
  };

  constructor(
    readonly model: tf.LayersModel,
    readonly groups: readonly Group[],
    readonly options: ResolvedOptions,
    readonly notes: string[],
  ) {
    this.best = new TrackerCallback(options.monitor);
    this.classes = options.classification ? outputClasses(model) : undefined;
  }

  optimizers(): NamedOptimizer[] {
    return this.groups.map((g) => ({ name: g.name, optimizer: g.optimizer }));
  }

  result(): FitResult {
    const existing = (name: string) => {
      const dir = this.options.checkpoint && path.join(this.options.checkpoint.dir, name);
      return dir && fs.existsSync(dir) ? dir : undefined;
    };
    const h = this.history;
    return {
      history: h,
      epochsCompleted: h.length ? h.records[h.length - 1].epoch : this.startEpoch,
      stoppedEarly: this.stopReason !== undefined,
      stopReason: this.stopReason,
      monitor: { ...this.best.state },
      bestCheckpoint: existing('best'),
      lastCheckpoint: existing('last'),
      resumed: this.resumed,
      notes: this.notes,
    };
  }
}
