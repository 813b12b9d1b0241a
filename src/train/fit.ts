/**
 * `fit`: the lesson's hand-written training loop, made reusable.
 *
 * Each epoch: set the scheduled learning rate, train batch by batch with a custom step (`tf.variableGrads` over the
 * model's trainable variables, optional clipping by global norm, one optimizer per parameter group), validate, add a
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
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../engine';
import type { BatchSource } from '../data/batch';
import { nonFiniteSamples } from '../data/tensor-dataset';
import { activeSink } from '../display';
import { removeStaleEntries, settleRetiredVersions } from '../io';
import { clearInterrupt, interruptRequested, InterruptedError } from '../runtime';
import { LiveLearningCurve } from '../viz/live-learning-curve';
import type { BatchLogs, FitCallbacks, FitControl } from './callbacks';
import { DataFormatError, LabelRangeError, NonFiniteLossError, OptionError } from '../errors';
import { copyCheckpoint, lockRunFolder, saveCheckpoint, restoreCheckpoint, type CheckpointMetadata, type RunFolderLock, type MonitorState, type NamedOptimizer, type RestoreReport, CHECKPOINT_FORMAT } from './checkpoint';
import { clipByGlobalNorm } from './clip';
import type { EarlyStoppingOptions } from './early-stopping';
import { History, type EpochRecord, type MetricName } from './history';
import { checkLossName, computeLoss, countCorrect, isClassificationLoss, type LossName } from './losses';
import { checkMetricName, defaultMonitor, improves, newMonitor, observe } from './monitor';
import { disposeOptimizer, getLearningRate, isOptimizerInstance, makeOptimizer, setLearningRate, type OptimizerChoice } from './optimizer';
import { resolveGroups, toVariable, type ParameterGroup, type ResolvedGroup } from './param-groups';
import { checkProgressMode, ProgressBar, type ProgressMode } from './progress';
import { scheduledLearningRate, type LearningRateSchedule } from './schedule';
import { measureLoss } from './measure';
import { fitGraphStep } from '../engine/graph'; // graph path (issue 15)

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
  constructor(readonly result: FitResult, readonly interruptedEpoch: number, readonly batchesDone: number) {
    super(
      `Training interrupted in epoch ${interruptedEpoch} after ${batchesDone} batches. ` +
        (result.lastCheckpoint ? `Checkpoint: ${result.lastCheckpoint} (resume with {resume: true}). ` : '') +
        `History so far (${result.history.length} complete epochs) is in error.result.history.`,
    );
  }
}

interface Resolved {
  epochs: number;
  loss: LossName;
  classification: boolean;
  monitor: MetricName;
  clipNorm?: number;
  schedule?: LearningRateSchedule;
  callbacks: FitCallbacks[];
  checkpoint?: Required<CheckpointOptions>;
  progress: Exclude<ProgressMode, 'off'>;
  liveChart: boolean;
}

/** Defaults, in one place. */
function resolveOptions(options: FitOptions): Resolved {
  const epochs = options.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1) throw new OptionError(`fit: expected options.epochs to be an integer >= 1. Received: ${options.epochs}`);
  const loss = checkLossName(options.loss ?? 'cross-entropy', 'fit options.loss');
  const classification = isClassificationLoss(loss);
  const monitor = options.monitor === undefined ? defaultMonitor(classification, options.validation !== undefined) : checkMetricName(options.monitor, 'fit options.monitor');
  if (monitor.startsWith('val_') && options.validation === undefined) throw new OptionError(`fit: options.monitor is ${monitor} but no options.validation was given`);
  if (monitor.endsWith('_acc') && !classification) throw new OptionError(`fit: options.monitor is ${monitor}, but loss '${loss}' has no accuracy`);
  if (options.clipNorm !== undefined && !(options.clipNorm > 0)) throw new OptionError(`fit: expected options.clipNorm > 0. Received: ${options.clipNorm}`);
  if (options.earlyStopping?.monitor !== undefined) {
    const m = checkMetricName(options.earlyStopping.monitor, 'fit options.earlyStopping.monitor');
    if (m.startsWith('val_') && options.validation === undefined) throw new OptionError(`fit: options.earlyStopping.monitor is ${m} but no options.validation was given`, 'earlyStopping.monitor');
    if (m.endsWith('_acc') && !classification) throw new OptionError(`fit: options.earlyStopping.monitor is ${m}, but loss '${loss}' has no accuracy`, 'earlyStopping.monitor');
  }
  const ck = typeof options.checkpoint === 'string' ? { dir: options.checkpoint } : options.checkpoint;
  if (options.resume && !ck && typeof options.resume !== 'string') throw new OptionError('fit: options.resume is true but options.checkpoint names no folder to resume from');
  return {
    epochs,
    loss,
    classification,
    monitor,
    clipNorm: options.clipNorm,
    schedule: options.schedule,
    callbacks: options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks],
    checkpoint: ck ? { dir: path.resolve(ck.dir), keepEveryEpoch: ck.keepEveryEpoch ?? false, saveOptimizer: ck.saveOptimizer ?? true } : undefined,
    progress: checkProgressMode(options.progress, 'fit options.progress'),
    liveChart: options.liveChart ?? activeSink() !== undefined,
  };
}

interface Group extends ResolvedGroup {
  optimizer: tf.Optimizer;
}

function buildGroups(model: tf.LayersModel, options: FitOptions): Group[] {
  const trainable = model.trainableWeights.map(toVariable);
  if (trainable.length === 0) throw new Error('fit: the model has no trainable weights (is everything frozen?)');
  const choice = options.optimizer ?? 'adam';
  if (isOptimizerInstance(choice)) {
    if (options.paramGroups?.length) throw new OptionError('fit: options.paramGroups needs a named optimizer (e.g. "adam"), not an optimizer instance');
    return [{ name: 'default', variables: trainable, baseLearningRate: getLearningRate(choice), optimizer: choice }];
  }
  const spec = typeof choice === 'string' ? { name: choice } : choice;
  const base = options.learningRate ?? spec.learningRate ?? (spec.name === 'sgd' ? 1e-2 : 1e-3);
  return resolveGroups(trainable, options.paramGroups, base).map((g) => ({ ...g, optimizer: makeOptimizer(spec, g.baseLearningRate) }));
}

interface Step {
  loss: tf.Scalar;
  correct?: tf.Scalar;
  norm?: tf.Scalar;
  /** The (clipped) gradients by variable name, not yet applied. */
  grads: Record<string, tf.Tensor | undefined>;
}

/**
 * The first half of a training step: the batch loss, the number correct (classification), the gradient norm
 * (clipping) and the gradients. Nothing is applied yet, so a non-finite loss can stop training with the weights
 * unchanged.
 */
function computeStep(model: tf.LayersModel, groups: Group[], r: Resolved, x: tf.Tensor, y: tf.Tensor): Step {
  const varList = groups.flatMap((g) => g.variables);
  let correct: tf.Scalar | undefined;
  const out = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const output = model.apply(x, { training: true }) as tf.Tensor;
      if (r.classification) correct = tf.keep(countCorrect(output, y));
      const batchLoss = computeLoss(r.loss, output, y);
      const regularization = model.calculateLosses();
      return (regularization.length > 0 ? tf.addN([batchLoss, ...regularization]) : batchLoss) as tf.Scalar;
    }, varList);
    const names = varList.map((v) => v.name);
    let norm: tf.Scalar | undefined;
    let gradByName: Record<string, tf.Tensor | undefined> = grads;
    if (r.clipNorm !== undefined) {
      const present = names.filter((n) => grads[n] !== undefined);
      const clipped = clipByGlobalNorm(present.map((n) => grads[n]), r.clipNorm);
      norm = clipped.norm;
      gradByName = Object.fromEntries(present.map((n, i) => [n, clipped.clipped[i]]));
    }
    const kept = Object.fromEntries(Object.entries(gradByName).filter((e): e is [string, tf.Tensor] => e[1] !== undefined));
    return norm ? { loss: value, norm, grads: kept } : { loss: value, grads: kept };
  });
  return { ...out, correct };
}

/** The second half of a training step: every group's optimizer applies its gradients; the gradients are freed. */
function applyStep(groups: Group[], step: Step): void {
  tf.tidy(() => {
    for (const g of groups) {
      // Every variable of the group, in a fixed order, even when its gradient is missing: tfjs optimizers keep their
      // state by position, and skip a null gradient without shifting the others.
      const map: Record<string, tf.Tensor | null> = {};
      for (const v of g.variables) map[v.name] = step.grads[v.name] ?? null;
      g.optimizer.applyGradients(map as tf.NamedTensorMap);
    }
  });
  tf.dispose(Object.values(step.grads).filter((t): t is tf.Tensor => t !== undefined));
}

/** Number of classes of a classifier: the last axis of its (first) output. */
function outputClasses(model: tf.LayersModel): number | undefined {
  const shape = model.outputs[0]?.shape;
  const c = shape?.[shape.length - 1];
  return typeof c === 'number' && c > 0 ? c : undefined;
}

/**
 * Class labels must be integers in [0, classes); checked on the batch's own label tensor (a few hundred numbers)
 * before the step, so a bad label never trains. The error names the value, its sample index and the batch.
 */
export async function checkLabels(y: tf.Tensor, classes: number, indices: Int32Array | undefined, epoch: number, batch: number): Promise<void> {
  const values = await y.data();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isInteger(v) && v >= 0 && v < classes) continue;
    const perSample = values.length / Math.max(1, y.shape[0] ?? values.length);
    const local = Math.floor(i / perSample);
    const sample = indices?.[local];
    const where = `${sample !== undefined ? `sample index ${sample}` : `position ${local}`} (batch ${batch} of epoch ${epoch}${perSample > 1 ? `, label ${i % perSample} of that sample` : ''})`;
    throw new LabelRangeError(
      `fit: label ${v} at ${where} is ${Number.isInteger(v) ? 'outside' : 'not an integer in'} [0, ${classes}); expected integer class ` +
        `indices 0..${classes - 1}, because the model outputs ${classes} classes. Check the labels, or the model's number of classes.`,
      v,
      sample ?? local,
    );
  }
}

/** Names of the variables that hold NaN or infinite values (one reduction per weight, one read). */
export function nonFiniteWeights(variables: readonly tf.Variable[]): string[] {
  if (variables.length === 0) return [];
  const flags = tf.tidy(() => tf.stack(variables.map((v) => tf.all(tf.isFinite(v)))).dataSync());
  return variables.filter((_, i) => !flags[i]).map((v) => v.name);
}

function learningRates(groups: Group[]): string {
  return groups.length === 1 ? `learning rate ${getLearningRate(groups[0].optimizer)}` : `learning rates ${groups.map((g) => `${g.name} ${getLearningRate(g.optimizer)}`).join(', ')}`;
}

function optimizerList(groups: Group[]): NamedOptimizer[] {
  return groups.map((g) => ({ name: g.name, optimizer: g.optimizer }));
}

function sourceLength(source: BatchSource): number | undefined {
  const n = (source as { length?: unknown }).length;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Trains `model` on `train`. See the module comment for the order of events in an epoch. */
export async function fit(model: tf.LayersModel, train: BatchSource, options: FitOptions = {}): Promise<FitResult> {
  ensureEngine();
  const r = resolveOptions(options);
  const notes: string[] = [];
  let lock: RunFolderLock | undefined;
  if (r.checkpoint) {
    lock = lockRunFolder(r.checkpoint.dir);
    if (lock.note) {
      notes.push(lock.note);
      console.warn(lock.note);
    }
    // Leftovers of saves that were killed (temp folders, unlinked versions), for every checkpoint name in the folder.
    const removed = removeStaleEntries(r.checkpoint.dir);
    if (removed.length > 0) notes.push(`checkpoint folder ${r.checkpoint.dir}: removed ${removed.length} leftover folder(s) of interrupted saves (${removed.slice(0, 5).join(', ')}${removed.length > 5 ? ', ...' : ''}).`);
  }
  try {
    return await fitLocked(model, train, options, r, notes);
  } finally {
    // Checkpoints replaced during the run stay for a moment for readers in flight; gone before fit returns.
    if (lock) await settleRetiredVersions();
    lock?.release();
  }
}

async function fitLocked(model: tf.LayersModel, train: BatchSource, options: FitOptions, r: Resolved, notes: string[]): Promise<FitResult> {
  const groups = buildGroups(model, options);
  const graph = fitGraphStep<Step>(model, groups.map((g) => g.optimizer)); // graph path (issue 15): null = eager
  const classes = r.classification ? outputClasses(model) : undefined;
  const allVariables = () => model.weights.map((w) => w.read() as tf.Variable);
  let history = new History();
  let monitor = newMonitor(r.monitor);
  let startEpoch = 0;
  let resumed: RestoreReport | undefined;
  const lastDir = r.checkpoint ? path.join(r.checkpoint.dir, 'last') : undefined;
  const bestDir = r.checkpoint ? path.join(r.checkpoint.dir, 'best') : undefined;

  if (options.resume) {
    const from = typeof options.resume === 'string' ? path.resolve(options.resume) : lastDir!;
    if (typeof options.resume === 'string' && !fs.existsSync(from)) throw new OptionError(`fit: options.resume names ${from}, which does not exist`, 'resume');
    if (fs.existsSync(from)) {
      resumed = await restoreCheckpoint(from, model, optimizerList(groups));
      history = new History(resumed.metadata.history);
      if (resumed.metadata.monitor.metric === r.monitor) monitor = { ...resumed.metadata.monitor };
      else history.records.forEach((rec) => observe(monitor, rec));
      startEpoch = resumed.metadata.epoch;
    }
  }

  const early = options.earlyStopping;
  const earlyMonitor = early ? newMonitor(early.monitor ? checkMetricName(early.monitor, 'fit options.earlyStopping.monitor') : r.monitor) : undefined;
  if (earlyMonitor) history.records.forEach((rec) => observe(earlyMonitor, rec, early?.minDelta ?? 0));
  let bestWeights: tf.Tensor[] | undefined;

  let stopReason: string | undefined;
  const control: FitControl = { stopTraining: (reason = 'stopped by a callback') => { stopReason ??= reason; } };
  const live = r.liveChart ? new LiveLearningCurve() : undefined;
  let batchesPerEpoch = options.batchesPerEpoch ?? sourceLength(train);
  const result = (): FitResult => ({
    history,
    epochsCompleted: history.length ? history.records[history.length - 1].epoch : startEpoch,
    stoppedEarly: stopReason !== undefined,
    stopReason,
    monitor: { ...monitor },
    bestCheckpoint: bestDir && fs.existsSync(bestDir) ? bestDir : undefined,
    lastCheckpoint: lastDir && fs.existsSync(lastDir) ? lastDir : undefined,
    resumed,
    notes,
  });
  const metadata = (epoch: number, interrupted: boolean, batchesIntoNextEpoch: number): CheckpointMetadata => ({
    format: CHECKPOINT_FORMAT,
    epoch,
    interrupted,
    batchesIntoNextEpoch,
    history: history.toJSON(),
    monitor: { ...monitor },
    groups: groups.map((g) => ({ name: g.name, baseLearningRate: g.baseLearningRate, learningRate: getLearningRate(g.optimizer), optimizer: g.optimizer.getClassName() })),
    savedAt: new Date().toISOString(),
    tfjsVersion: tf.version_core,
  });
  const savedOptimizers = () => (r.checkpoint?.saveOptimizer ? optimizerList(groups) : []);
  /** Refuses to write a checkpoint of non-finite weights (a finite last loss does not rule them out). */
  const assertFiniteWeights = (epoch: number, batch: number, when: string) => {
    const bad = nonFiniteWeights(allVariables());
    if (bad.length === 0) return;
    throw new NonFiniteLossError(
      `fit: the weights became NaN or infinite in epoch ${epoch} (after batch ${batch}, ${learningRates(groups)}): ` +
        `${bad.slice(0, 5).join(', ')}${bad.length > 5 ? `, ... (${bad.length} in all)` : ''}. Training stopped ${when}; ` +
        `no checkpoint was written with these weights${r.checkpoint ? ` (last/ and best/ in ${r.checkpoint.dir} keep the previous epoch's)` : ''}. ` +
        'Lower the learning rate or set clipNorm.',
      epoch,
      batch,
      getLearningRate(groups[0].optimizer),
      NaN,
    );
  };

  try {
    for (const cb of r.callbacks) await cb.onTrainBegin?.(control);
    for (let e = startEpoch; e < r.epochs && stopReason === undefined; e++) {
      const epoch = e + 1;
      const started = performance.now();
      for (const g of groups) setLearningRate(g.optimizer, scheduledLearningRate(r.schedule, e, g.baseLearningRate, r.epochs));
      for (const cb of r.callbacks) await cb.onEpochBegin?.(epoch, control);
      const bar = new ProgressBar(batchesPerEpoch, { description: `epoch ${epoch}/${r.epochs}`, mode: r.progress, unit: 'batch' });
      let lossSum = 0;
      let samples = 0;
      let correct = 0;
      let targets = 0;
      let batch = 0;
      for await (const b of train) {
        if (classes !== undefined) await checkLabels(b.y, classes, b.indices, epoch, batch);
        const step = graph ? graph.compute(b.x, b.y, () => computeStep(model, groups, r, b.x, b.y)) : computeStep(model, groups, r, b.x, b.y);
        const [lossValue] = await step.loss.data();
        if (!Number.isFinite(lossValue)) {
          tf.dispose([step.loss, step.correct, step.norm].filter((t): t is tf.Scalar => t !== undefined));
          tf.dispose(Object.values(step.grads).filter((t): t is tf.Tensor => t !== undefined));
          bar.close();
          const badInputs = nonFiniteSamples(b.x);
          if (badInputs.length > 0) {
            const ids = badInputs.slice(0, 10).map((i) => b.indices?.[i] ?? i);
            throw new DataFormatError(
              `fit: the input of batch ${batch} in epoch ${epoch} holds NaN or infinite values (sample indices ${ids.join(', ')}` +
                `${badInputs.length > 10 ? `, ... ${badInputs.length} in all` : ''}), so the loss is ${lossValue}; expected finite numbers. ` +
                'Check the data set and its transform (e.g. a division by a zero std).',
            );
          }
          throw new NonFiniteLossError(
            `fit: the loss is ${lossValue} in epoch ${epoch}, batch ${batch}, at ${learningRates(groups)}; expected a finite number. ` +
              'Training stopped before applying this batch, so the trainable weights are those from the batch before, and no ' +
              `checkpoint was written with non-finite weights. The inputs of this batch are finite; a learning rate that is ` +
              'too large (or no gradient clipping) is the usual cause: lower learningRate or set clipNorm.',
            epoch,
            batch,
            getLearningRate(groups[0].optimizer),
            lossValue,
          );
        }
        if (graph) graph.apply(step, () => applyStep(groups, step));
        else applyStep(groups, step);
        const n = b.x.shape[0] ?? 0;
        lossSum += lossValue * n;
        samples += n;
        if (step.correct) {
          correct += (await step.correct.data())[0];
          targets += b.y.size;
        }
        const gradNorm = step.norm ? (await step.norm.data())[0] : undefined;
        tf.dispose([step.loss, step.correct, step.norm].filter((t): t is tf.Scalar => t !== undefined));
        const logs: BatchLogs = {
          epoch,
          batch,
          size: n,
          loss: lossValue,
          runningLoss: lossSum / samples,
          runningAcc: r.classification ? correct / targets : null,
          ...(gradNorm !== undefined ? { gradNorm } : {}),
        };
        batch += 1;
        bar.update(1, r.classification ? { loss: logs.runningLoss, acc: logs.runningAcc ?? 0 } : { loss: logs.runningLoss });
        for (const cb of r.callbacks) await cb.onBatchEnd?.(logs, control);
        // Let pending signals (SIGINT) and I/O callbacks run before deciding to go on.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (interruptRequested()) {
          clearInterrupt();
          bar.close();
          if (r.checkpoint) {
            assertFiniteWeights(epoch, batch, 'at the interrupt');
            await saveCheckpoint(lastDir!, model, metadata(e, true, batch), savedOptimizers());
          }
          throw new FitInterruptedError(result(), epoch, batch);
        }
      }
      if (samples === 0) throw new Error(`fit: the training source yielded no batches in epoch ${epoch}`);
      batchesPerEpoch ??= batch;
      assertFiniteWeights(epoch, batch, 'at the end of the epoch');
      const val = options.validation ? await measureLoss(model, options.validation, r.loss) : undefined;
      if (val && !Number.isFinite(val.loss)) {
        bar.close();
        throw new NonFiniteLossError(
          `fit: the validation loss is ${val.loss} after epoch ${epoch} (${learningRates(groups)}), while the training loss and the ` +
            'weights are finite; expected a finite number. The validation data probably holds NaN or infinite values (or labels ' +
            'the training data does not have). No checkpoint was written for this epoch.',
          epoch,
          batch,
          getLearningRate(groups[0].optimizer),
          val.loss,
        );
      }
      const record: EpochRecord = {
        epoch,
        train_loss: lossSum / samples,
        train_acc: r.classification ? correct / targets : null,
        val_loss: val ? val.loss : null,
        val_acc: val ? val.accuracy : null,
        seconds: (performance.now() - started) / 1000,
        lr: getLearningRate(groups[0].optimizer),
      };
      const postfix: Record<string, number> = { loss: record.train_loss };
      if (record.train_acc !== null) postfix.acc = record.train_acc;
      if (record.val_loss !== null) postfix.val_loss = record.val_loss;
      if (record.val_acc !== null) postfix.val_acc = record.val_acc;
      bar.close(postfix);
      history.push(record);
      const isBest = observe(monitor, record);
      if (r.checkpoint) {
        const meta = metadata(epoch, false, 0);
        // best/ and epoch-NNN/ are copies of this very save (the version folder it wrote), not of whatever last/ is now.
        const own = await saveCheckpoint(lastDir!, model, meta, savedOptimizers());
        if (isBest) await copyCheckpoint(own, bestDir!);
        if (r.checkpoint.keepEveryEpoch) await copyCheckpoint(own, path.join(r.checkpoint.dir, `epoch-${String(epoch).padStart(3, '0')}`));
      }
      for (const cb of r.callbacks) await cb.onEpochEnd?.(record, control);
      live?.update(history);
      if (early && earlyMonitor) {
        if (improves(earlyMonitor, record[earlyMonitor.metric], early.minDelta ?? 0)) {
          observe(earlyMonitor, record, early.minDelta ?? 0);
          if (early.restoreBestWeights) {
            tf.dispose(bestWeights ?? []);
            bestWeights = model.getWeights().map((w) => tf.keep(w.clone()));
          }
        } else if (epoch - (earlyMonitor.bestEpoch ?? startEpoch) >= (early.patience ?? 3)) {
          const best = earlyMonitor.bestEpoch === null ? `no epoch had a finite ${earlyMonitor.metric}` : `best ${earlyMonitor.best} at epoch ${earlyMonitor.bestEpoch}`;
          stopReason ??= `early stopping: ${earlyMonitor.metric} did not improve for ${early.patience ?? 3} epochs (${best})`;
        }
      }
      if (interruptRequested()) {
        // The interrupt came during validation or a callback: the epoch is complete and checkpointed.
        clearInterrupt();
        throw new FitInterruptedError(result(), epoch, batch);
      }
    }
    if (bestWeights) model.setWeights(bestWeights);
    for (const cb of r.callbacks) await cb.onTrainEnd?.(history);
    return result();
  } finally {
    graph?.dispose();
    tf.dispose(bestWeights ?? []);
    if (!isOptimizerInstance(options.optimizer)) for (const g of groups) disposeOptimizer(g.optimizer);
  }
}
