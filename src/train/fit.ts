/**
 * `fit`: the lesson's hand-written training loop, made reusable: a short loop that calls callbacks (callbacks/, the
 * events and their order in callbacks/hooks.ts). Everything besides the loop is a callback, called by `order`: the
 * learning-rate schedule, the progress bar, the non-finite and divergence guards, checkpoints, the user's callbacks,
 * TensorBoard, the live chart, early stopping. The shortcuts of `FitOptions` (`checkpoint`, `earlyStopping`,
 * `schedule`, `progress`, `liveChart`, `divergence`) build these objects; `callbacks` adds the caller's.
 *
 * Each epoch: the schedule sets the learning rate, training runs batch by batch (`trainStep`, see train-step.ts),
 * then validation, a history row, the monitor, and the epoch's callbacks (checkpoints, the chart, early stopping).
 * Between batches it yields to the event loop so that SIGINT (Jupyter's interrupt, Ctrl-C) is delivered, and it stops
 * at that batch boundary after writing a checkpoint.
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
import { clearInterrupt, interruptRequested } from '../runtime';
import { LossAccumulator } from './accumulator';
import { ModelCheckpoint } from './callbacks/checkpoint';
import { DivergenceGuard } from './callbacks/divergence';
import { disposeAll, emit, sortCallbacks, type BatchLogs, type Callback } from './callbacks/hooks';
import { LiveChart } from './callbacks/live-chart';
import { LearningRateScheduler } from './callbacks/lr-schedule';
import { NonFiniteGuard } from './callbacks/non-finite';
import { ProgressCallback } from './callbacks/progress';
import { resolveOptions, type FitOptions, type ResolvedOptions } from './fit-options';
import { FitInterruptedError, FitRun, type FitResult } from './fit-run';
import type { EpochRecord } from './history';
import { checkLabels } from './labels';
import { measureLoss } from './measure';
import { disposeOptimizer, getLearningRate, isOptimizerInstance } from './optimizer';
import { resumeRun } from './resume';
import { buildGroups, makeTrainStep, type TrainStep } from './train-step';
import { graphTrainStep } from './graph-step'; // the graph path

export type { CheckpointOptions, FitOptions } from './fit-options';
export { FitInterruptedError, type FitResult } from './fit-run';
export { checkLabels } from './labels';
export { nonFiniteWeights } from './callbacks/non-finite';

/** Trains `model` on `train`. See the module comment for the order of events in an epoch. */
export async function fit(model: tf.LayersModel, train: BatchSource, options: FitOptions = {}): Promise<FitResult> {
  ensureEngine();
  const r = resolveOptions(options, train);
  const run = new FitRun(model, buildGroups(model, r), r, []);
  try {
    const callbacks = fitCallbacks(run, r);
    // The eager step, or the graph path's (one native call per step; null when the model is not covered).
    const trainStep = graphTrainStep(model, run.groups, r) ?? makeTrainStep(model, run.groups, r); // the graph path
    try {
      await resumeRun(run);
      return await runEpochs(run, train, trainStep, callbacks);
    } finally {
      trainStep.dispose?.(); // the graph path
    }
  } finally {
    if (!isOptimizerInstance(r.optimizer)) for (const g of run.groups) disposeOptimizer(g.optimizer);
  }
}

/** The run's callbacks, sorted by `order` (hooks.ts): fit's own, the shortcuts' and the caller's. */
function fitCallbacks(run: FitRun, r: ResolvedOptions): Callback[] {
  run.checkpointDirs = r.callbacks.filter((c) => c instanceof ModelCheckpoint).map((c) => c.dir);
  return sortCallbacks([
    new LearningRateScheduler(r.schedule),
    new ProgressCallback(r.progress),
    new NonFiniteGuard({ checkpointDir: run.checkpointDirs[0] }),
    ...(r.divergence === false ? [] : [new DivergenceGuard(r.divergence)]),
    ...(r.liveChart ? [new LiveChart()] : []),
    ...r.callbacks,
  ]);
}

async function runEpochs(
  run: FitRun,
  train: BatchSource,
  trainStep: TrainStep,
  callbacks: Callback[],
): Promise<FitResult> {
  const r = run.options;
  const ctx = run.context;
  let result: FitResult;
  try {
    await emit(callbacks, 'onTrainBegin', ctx);
    for (let epoch = run.startEpoch + 1; epoch <= r.epochs && run.stopReason === undefined; epoch++) {
      const started = performance.now();
      run.epoch = epoch;
      run.batch = 0;
      run.best.improved = false;
      await emit(callbacks, 'onEpochBegin', epoch, ctx);
      const { loss, batches } = await trainEpoch(run, train, trainStep, callbacks, epoch);
      run.batchesPerEpoch ??= batches;
      await emit(callbacks, 'onValidationBegin', { epoch, batches }, ctx);
      const val = r.validation ? await measureLoss(run.model, r.validation, r.loss) : undefined;
      await emit(callbacks, 'onValidationEnd', { epoch, batches, val: val ?? null }, ctx);
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
      run.best.onEpochEnd(record);
      await emit(callbacks, 'onEpochEnd', record, ctx);
      if (interruptRequested()) {
        // The interrupt came during validation or a callback: the epoch is complete and checkpointed.
        clearInterrupt();
        throw new FitInterruptedError(run.result(), epoch, batches);
      }
    }
    await emit(callbacks, 'onTrainEnd', run.history, ctx);
    result = run.result();
  } catch (error) {
    // The first error is the one to report; a callback failing to clean up after it must not hide it.
    await disposeAll(callbacks, ctx).catch(() => undefined);
    throw error;
  }
  await disposeAll(callbacks, ctx);
  return result;
}

/** One epoch's training batches; stops at a batch boundary when an interrupt was requested. */
async function trainEpoch(
  run: FitRun,
  train: BatchSource,
  trainStep: TrainStep,
  callbacks: Callback[],
  epoch: number,
): Promise<{ loss: LossAccumulator; batches: number }> {
  const ctx = run.context;
  const acc = new LossAccumulator();
  let batch = 0;
  for await (const b of train) {
    if (run.classes !== undefined) await checkLabels(b.y, run.classes, b.indices, epoch, batch);
    const size = b.x.shape[0] ?? 0;
    await emit(callbacks, 'onBatchBegin', { epoch, batch, size }, ctx);
    const step = await trainStep(b.x, b.y, (loss) =>
      emit(callbacks, 'onLoss', { epoch, batch, size, loss, data: b }, ctx),
    );
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
    run.batch = batch;
    await emit(callbacks, 'onBatchEnd', logs, ctx);
    // Let pending signals (SIGINT) and I/O callbacks run before deciding to go on.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (interruptRequested()) {
      clearInterrupt();
      await emit(callbacks, 'onInterrupt', { epoch, batches: batch }, ctx);
      throw new FitInterruptedError(run.result(), epoch, batch);
    }
  }
  if (acc.samples === 0) throw new Error(`fit: the training source yielded no batches in epoch ${epoch}`);
  return { loss: acc, batches: batch };
}
