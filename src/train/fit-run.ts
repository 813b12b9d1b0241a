/**
 * The state of one `fit` call, owned by the loop (fastai's `Learner` attributes): the model and its optimizer groups,
 * the history, the monitor deciding "best", where training starts and why it stops; the callbacks see it only
 * through `context` (a `FitContext`, callbacks/hooks.ts). And `FitResult`, what `fit` returns (or puts in
 * `FitInterruptedError.result`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { InterruptedError } from '../runtime';
import type { MonitorState, NamedOptimizer, RestoreReport } from './checkpoint';
import { OptionError } from '../errors';
import { TrackerCallback } from './callbacks/tracker';
import type { FitContext, GroupView, MonitorView } from './callbacks/hooks';
import type { ResolvedOptions } from './fit-options';
import { History } from './history';
import { outputClasses } from './labels';
import { getLearningRate, setLearningRate } from './optimizer';
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
  /** The current epoch (1-based) and the batches done in it, for the callbacks' context. */
  epoch = 0;
  batch = 0;
  /** Batches per epoch: the option or the source's length, else the first epoch's count. */
  batchesPerEpoch: number | undefined;
  /** Checkpoint folders of this run (of its `ModelCheckpoint` callbacks): where a resume and `FitResult` look. */
  checkpointDirs: string[] = [];
  /** What the callbacks see (hooks.ts): read-only views and three requests, never this object. */
  readonly context: FitContext;

  constructor(
    readonly model: tf.LayersModel,
    readonly groups: readonly Group[],
    readonly options: ResolvedOptions,
    readonly notes: string[],
  ) {
    this.best = new TrackerCallback(options.monitor);
    this.classes = options.classification ? outputClasses(model) : undefined;
    this.batchesPerEpoch = options.batchesPerEpoch;
    this.context = runContext(this);
  }

  optimizers(): NamedOptimizer[] {
    return this.groups.map((g) => ({ name: g.name, optimizer: g.optimizer }));
  }

  result(): FitResult {
    const existing = (name: string) => {
      const root = this.checkpointDirs[0];
      const dir = root && path.join(root, name);
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

/** The callbacks' view of a run: getters over its state, and the requests a callback may make. */
function runContext(run: FitRun): FitContext {
  const groupView = (g: Group): GroupView => ({
    name: g.name,
    baseLearningRate: g.baseLearningRate,
    get learningRate() {
      return getLearningRate(g.optimizer);
    },
    optimizer: g.optimizer,
  });
  const groups = Object.freeze(run.groups.map(groupView));
  const monitor: MonitorView = {
    get metric() {
      return run.best.state.metric;
    },
    get mode() {
      return run.best.state.mode;
    },
    get best() {
      return run.best.state.best;
    },
    get bestEpoch() {
      return run.best.state.bestEpoch;
    },
    get improved() {
      return run.best.improved;
    },
  };
  return Object.freeze({
    model: run.model,
    epochs: run.options.epochs,
    get startEpoch() {
      return run.startEpoch;
    },
    get epoch() {
      return run.epoch;
    },
    get batch() {
      return run.batch;
    },
    get batchesPerEpoch() {
      return run.batchesPerEpoch;
    },
    get history() {
      return Object.freeze(run.history.records.map((r) => Object.freeze({ ...r })));
    },
    monitor: Object.freeze(monitor),
    hasValidation: run.options.validation !== undefined,
    classification: run.options.classification,
    groups,
    get learningRate() {
      return getLearningRate(run.groups[0].optimizer);
    },
    setLearningRate(rate: number, group?: string): void {
      if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0)
        throw new OptionError(
          `fit callback: setLearningRate expects a finite number >= 0. Received: ${String(rate)}`,
          'learningRate',
        );
      const targets = group === undefined ? run.groups : run.groups.filter((g) => g.name === group);
      if (targets.length === 0)
        throw new OptionError(
          `fit callback: setLearningRate names group ${JSON.stringify(group)}; the groups are ${run.groups.map((g) => g.name).join(', ')}`,
          'learningRate',
        );
      for (const g of targets) setLearningRate(g.optimizer, rate);
    },
    get stopRequested() {
      return run.stopReason;
    },
    stopTraining(reason = 'stopped by a callback'): void {
      run.stopReason ??= reason;
    },
    note(message: string): void {
      run.notes.push(message);
    },
  });
}
