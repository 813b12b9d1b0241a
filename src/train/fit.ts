/**
 * `fit`: the lesson's hand-written training loop, made reusable: a short loop plus built-in callbacks
 * (callbacks/), called in this order: the learning-rate schedule, the progress bar, the monitor's tracker, the
 * non-finite guard, checkpoints, the user's callbacks, the live chart, early stopping.
 *
 * Each epoch: set the scheduled learning rate, train batch by batch (`trainStep`, see train-step.ts), validate, add a
 * history row, write checkpoints (`last/`, `best/`), call the callbacks, update the live chart, and check early
 * stopping. Between batches it yields to the event loop so that SIGINT (Jupyter's interrupt, Ctrl-C) is delivered,
 * and it stops at that batch boundary after writing a checkpoint.
 *
 * Determinism: `fit` draws no random numbers itself. Seed the parts that do: weight initialisers and Dropout take a
 * `seed` in tfjs-layers (the model builders pass one), and the data loader seeds its shuffling. What stays
 * nondeterministic: tfjs has no global seed, so an unseeded initialiser or Dropout layer differs per run; native
 * TensorFlow's multi-threaded CPU kernels (and cuDNN on GPU) may sum in a different order, so losses can differ in
 * the last bits between runs; and the `seconds` column is wall time.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../data';
import { ensureEngine } from '../engine';
import { settleRetiredVersions } from '../io';
import { clearInterrupt, interruptRequested } from '../runtime';
import { LossAccumulator } from './accumulator';
import { CheckpointCallback, openRunFolder } from './callbacks/checkpoint';
import { EarlyStoppingCallback } from './callbacks/early-stopping';
import { emit, userCallback, type BatchLogs, type Callback } from './callbacks/hooks';
import { LiveChartCallback } from './callbacks/live-chart';
import { LearningRateScheduleCallback } from './callbacks/lr-schedule';
import { NonFiniteGuard } from './callbacks/non-finite';
import { ProgressCallback } from './callbacks/progress';
import { resolveOptions, type FitOptions } from './fit-options';
import { FitInterruptedError, FitRun, type FitResult } from './fit-run';
import type { EpochRecord } from './history';
import { checkLabels } from './labels';
import { measureLoss } from './measure';
import { disposeOptimizer, getLearningRate, isOptimizerInstance } from './optimizer';
import { buildGroups, makeTrainStep, type TrainStep } from './train-step';
import { graphTrainStep } from './graph-step'; // graph path (issue 15)

export type { CheckpointOptions, FitOptions } from './fit-options';
export { FitInterruptedError, type FitResult } from './fit-run';
export { checkLabels } from './labels';
export { nonFiniteWeights } from './callbacks/non-finite';

/** Trains `model` on `train`. See the module comment for the order of events in an epoch. */
export async function fit(model: tf.LayersModel, train: BatchSource, options: FitOptions = {}): Promise<FitResult> {
  ensureEngine();
  const r = resolveOptions(options, train);
  const notes: string[] = [];
  const lock = r.checkpoint ? openRunFolder(r.checkpoint.dir, notes) : undefined;
  try {
    const run = new FitRun(model, buildGroups(model, r), r, notes);
    try {
      // The eager step, or the graph path's (one native call per step; null when the model is not covered).
      const trainStep = graphTrainStep(model, run.groups, r) ?? makeTrainStep(model, run.groups, r); // graph path (issue 15)
      try {
        return await runEpochs(run, train, trainStep, builtInCallbacks(run));
      } finally {
        trainStep.dispose?.(); // graph path (issue 15)
      }
    } finally {
      if (!isOptimizerInstance(r.optimizer)) for (const g of run.groups) disposeOptimizer(g.optimizer);
    }
  } finally {
    // Checkpoints replaced during the run stay for a moment for readers in flight; gone before fit returns.
    if (lock) await settleRetiredVersions();
    lock?.release();
  }
}

/** Every callback of a run, in the order they are called (see the module comment). */
function builtInCallbacks(run: FitRun): Callback[] {
  const r = run.options;
  const progress = new ProgressCallback(r.progress, r.epochs, r.batchesPerEpoch);
  return [
    new LearningRateScheduleCallback(run.groups, r.schedule, r.epochs),
    progress,
    run.best,
    new NonFiniteGuard(run, () => progress.close()),
    new CheckpointCallback(run),
    ...r.callbacks.map(userCallback),
    ...(r.liveChart ? [new LiveChartCallback(run)] : []),
    ...(r.earlyStopping ? [new EarlyStoppingCallback(run, r.earlyStopping)] : []),
  ];
}

async function runEpochs(
  run: FitRun,
  train: BatchSource,
  trainStep: TrainStep,
  callbacks: Callback[],
): Promise<FitResult> {
  const r = run.options;
  try {
    await emit(callbacks, 'beforeFit');
    await emit(callbacks, 'onTrainBegin', run.control);
    for (let epoch = run.startEpoch + 1; epoch <= r.epochs && run.stopReason === undefined; epoch++) {
      const started = performance.now();
      await emit(callbacks, 'onEpochBegin', epoch, run.control);
      const { loss, batches } = await trainEpoch(run, train, trainStep, callbacks, epoch);
      await emit(callbacks, 'afterBatches', epoch, batches);
      const val = r.validation ? await measureLoss(run.model, r.validation, r.loss) : undefined;
      if (val) await emit(callbacks, 'afterValidation', val, epoch, batches);
      const record: EpochRecord = {
        epoch,
        train_loss: loss.loss,
        train_acc: r.classification ? loss.accuracy : null,
        val_loss: val ? val.loss : null,
        val_acc: val ? val.accuracy : null,
        seconds: (performance.now() - started) / 1000,
        lr: getLearningRate(run.groups[0].optimizer),
      };
      run.history.push(record);
      await emit(callbacks, 'onEpochEnd', record, run.control);
      if (interruptRequested()) {
        // The interrupt came during validation or a callback: the epoch is complete and checkpointed.
        clearInterrupt();
        throw new FitInterruptedError(run.result(), epoch, batches);
      }
    }
    await emit(callbacks, 'beforeTrainEnd');
    await emit(callbacks, 'onTrainEnd', run.history);
    return run.result();
  } finally {
    for (const cb of callbacks) cb.dispose?.();
  }
}

/** One epoch's training batches; stops at a batch boundary when an interrupt was requested. */
async function trainEpoch(
  run: FitRun,
  train: BatchSource,
  trainStep: TrainStep,
  callbacks: Callback[],
  epoch: number,
): Promise<{ loss: LossAccumulator; batches: number }> {
  const acc = new LossAccumulator();
  let batch = 0;
  for await (const b of train) {
    if (run.classes !== undefined) await checkLabels(b.y, run.classes, b.indices, epoch, batch);
    const step = await trainStep(b.x, b.y, (loss) => emit(callbacks, 'afterLoss', loss, b, epoch, batch));
    const size = b.x.shape[0] ?? 0;
    acc.add(step.loss, size, step.correct, step.correct === undefined ? 0 : b.y.size);
    const logs: BatchLogs = {
      epoch,
      batch,
      size,
      loss: step.loss,
      runningLoss: acc.loss,
      runningAcc: run.options.classification ? acc.accuracy : null,
      ...(step.gradNorm !== undefined ? { gradNorm: step.gradNorm } : {}),
    };
    batch += 1;
    await emit(callbacks, 'onBatchEnd', logs, run.control);
    // Let pending signals (SIGINT) and I/O callbacks run before deciding to go on.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (interruptRequested()) {
      clearInterrupt();
      await emit(callbacks, 'onInterrupt', epoch, batch);
      throw new FitInterruptedError(run.result(), epoch, batch);
    }
  }
  if (acc.samples === 0) throw new Error(`fit: the training source yielded no batches in epoch ${epoch}`);
  return { loss: acc, batches: batch };
}
