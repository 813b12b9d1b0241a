/**
 * Checkpoints: a folder per checkpoint, written atomically with `writeDirAtomic` (a complete versioned folder, then an
 * atomic switch of the `last`/`best` link: there is no moment at which the checkpoint is missing).
 *
 *   model.json + weights.bin      tfjs `file://` format (`model.save`), loadable with `tf.loadLayersModel`
 *   optimizer-<group>.json/.bin   the optimizer's state per parameter group (Adam moments, momentum), when saved
 *   metadata.json                 epoch, history so far, monitored metric, learning rates, interrupt flag
 *
 * Porting note: PyTorch's `torch.save(model)` pickles the Python object; here the architecture is JSON and custom
 * layers must be registered with `tf.serialization.registerClass` (the models area does this) before
 * `loadCheckpointModel`. `restoreCheckpoint` into a model you built yourself needs no registration.
 *
 * A run folder is locked while `fit` writes into it (`lockRunFolder`, run-lock.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../engine';
import { CheckpointError } from '../errors';
import { writeDirAtomic } from '../io';
import type { EpochRecord, MetricName } from './history';

export const CHECKPOINT_FORMAT = 'lessonkit-checkpoint/1';

export interface MonitorState {
  metric: MetricName;
  mode: 'min' | 'max';
  /** Best value so far (null before the first epoch with this metric). */
  best: number | null;
  /** 1-based epoch of the best value. */
  bestEpoch: number | null;
}

export interface CheckpointMetadata {
  format: typeof CHECKPOINT_FORMAT;
  /** Epochs fully completed when this was written. */
  epoch: number;
  /** True when written because of an interrupt in the middle of epoch `epoch + 1`. */
  interrupted: boolean;
  /** Batches of epoch `epoch + 1` already trained into these weights (interrupts only; else 0). */
  batchesIntoNextEpoch: number;
  /** The history up to `epoch`. */
  history: EpochRecord[];
  monitor: MonitorState;
  /** Base learning rate per parameter group, and the rate in use. */
  groups: { name: string; baseLearningRate: number; learningRate: number; optimizer: string }[];
  savedAt: string;
  tfjsVersion: string;
}

/** An optimizer together with the parameter-group name its state is saved under. */
export interface NamedOptimizer {
  name: string;
  optimizer: tf.Optimizer;
}

const META = 'metadata.json';

function optimizerFiles(dir: string, group: string): { json: string; bin: string } {
  const safe = group.replace(/[^A-Za-z0-9_.-]/g, '_');
  return { json: path.join(dir, `optimizer-${safe}.json`), bin: path.join(dir, `optimizer-${safe}.bin`) };
}

/**
 * Writes one checkpoint folder atomically: model, optimizer states, then metadata. Returns the real folder written
 * (the version `dir` links to), so that a caller can copy exactly this save.
 */
export async function saveCheckpoint(
  dir: string,
  model: tf.LayersModel,
  metadata: CheckpointMetadata,
  optimizers: readonly NamedOptimizer[] = [],
): Promise<string> {
  ensureEngine();
  return writeDirAtomic(
    dir,
    async (tmp) => {
      await model.save(`file://${tmp}`);
      for (const { name, optimizer } of optimizers) {
        const weights = await optimizer.getWeights();
        const { data, specs } = await tf.io.encodeWeights(weights);
        const files = optimizerFiles(tmp, name);
        const bytes = Array.isArray(data) ? Buffer.concat(data.map((b) => Buffer.from(b))) : Buffer.from(data);
        fs.writeFileSync(files.bin, bytes);
        fs.writeFileSync(
          files.json,
          JSON.stringify({ className: optimizer.getClassName(), config: optimizer.getConfig(), specs }, null, 1),
        );
        // getWeights() returns a fresh iterations scalar (the rest are the optimizer's own variables).
        if (weights.length > 0) weights[0].tensor.dispose();
      }
      fs.writeFileSync(path.join(tmp, META), JSON.stringify(metadata, null, 1));
    },
    { link: true },
  );
}

/** Parses a checkpoint's JSON file; a damaged file is a CheckpointError naming it. */
function readJsonFile<T>(file: string, dir: string, what: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CheckpointError(
      `checkpoint ${dir}: cannot read ${file} (${(err as Error).message}); expected ${what}.`,
      dir,
      { cause: err },
    );
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new CheckpointError(
      `checkpoint ${dir}: ${file} is not valid JSON (${(err as Error).message}; ${text.length} characters); expected ${what}. ` +
        'The file is damaged: use another checkpoint (best/, epoch-NNN/) or start fresh.',
      dir,
      { cause: err },
    );
  }
}

/** Reads and checks a checkpoint's metadata. */
export function readCheckpointMetadata(dir: string): CheckpointMetadata {
  const file = path.join(dir, META);
  if (!fs.existsSync(file))
    throw new CheckpointError(`checkpoint ${dir}: ${META} not found (not a lessonkit checkpoint folder?)`, dir);
  const meta = readJsonFile<CheckpointMetadata>(file, dir, 'the checkpoint metadata');
  if (meta === null || typeof meta !== 'object' || meta.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      `checkpoint ${file}: expected format "${CHECKPOINT_FORMAT}", got ${JSON.stringify(meta?.format)}`,
      dir,
    );
  }
  return meta;
}

/**
 * Rebuilds the saved model with `tf.loadLayersModel` (architecture and weights). Custom layer classes must be
 * registered first (`tf.serialization.registerClass`); importing the models area does not do it at import time, so
 * call the models area's registration (or build one model of that kind) before loading.
 */
export async function loadCheckpointModel(dir: string): Promise<tf.LayersModel> {
  ensureEngine();
  const file = path.join(dir, 'model.json');
  readJsonFile(file, dir, 'a tfjs model.json');
  try {
    return await tf.loadLayersModel(`file://${file}`);
  } catch (err) {
    throw damaged(dir, 'model.json + weights.bin', err);
  }
}

/** A CheckpointError for a file whose contents tfjs could not decode, keeping tfjs's text as the cause. */
function damaged(dir: string, files: string, err: unknown): CheckpointError {
  if (err instanceof CheckpointError) return err;
  const sizes = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .map((n) => `${n} ${fs.statSync(path.join(dir, n)).size} bytes`)
        .join(', ')
    : 'folder missing';
  return new CheckpointError(
    `checkpoint ${dir}: ${files} do not fit together (${(err as Error).message}). Found: ${sizes}. ` +
      'The checkpoint is damaged (truncated or mixed files): use another checkpoint (best/, epoch-NNN/) or start fresh.',
    dir,
    { cause: err },
  );
}

/** How a restore went. */
export interface RestoreReport {
  metadata: CheckpointMetadata;
  /** 'name' when every saved weight name matched the model's; 'position' when names differed but shapes matched. */
  weightsMatchedBy: 'name' | 'position';
  /** Parameter groups whose optimizer state was restored. */
  optimizerRestored: string[];
  /** Why some optimizer state was not restored (empty when all was). */
  notes: string[];
}

async function readModelWeights(dir: string): Promise<{ names: string[]; tensors: tf.Tensor[] }> {
  readJsonFile(path.join(dir, 'model.json'), dir, 'a tfjs model.json');
  const handlers = tf.io.getLoadHandlers(`file://${path.join(dir, 'model.json')}`);
  if (handlers.length === 0 || !handlers[0].load)
    throw new Error(`checkpoint ${dir}: no file:// load handler (is the native engine loaded?)`);
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = await handlers[0].load();
  } catch (err) {
    throw damaged(dir, 'model.json + weights.bin', err);
  }
  if (!artifacts.weightSpecs || !artifacts.weightData)
    throw new CheckpointError(`checkpoint ${dir}: model.json lists no weights`, dir);
  let map: tf.NamedTensorMap;
  try {
    map = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
  } catch (err) {
    throw damaged(dir, 'model.json + weights.bin', err);
  }
  const names = artifacts.weightSpecs.map((s) => s.name);
  return { names, tensors: names.map((n) => map[n]) };
}

/** Loads a checkpoint's weights into `model` (same architecture) and, if given, its optimizer states. */
export async function restoreCheckpoint(
  dir: string,
  model: tf.LayersModel,
  optimizers: readonly NamedOptimizer[] = [],
): Promise<RestoreReport> {
  ensureEngine();
  const metadata = readCheckpointMetadata(dir);
  const { names, tensors } = await readModelWeights(dir);
  let weightsMatchedBy: RestoreReport['weightsMatchedBy'] = 'name';
  try {
    const modelWeights = model.weights;
    if (modelWeights.length !== tensors.length) {
      throw new CheckpointError(
        `checkpoint ${dir}: it holds ${tensors.length} weights but the model has ${modelWeights.length}; the architectures differ`,
        dir,
      );
    }
    const byName = new Map(names.map((n, i) => [n, tensors[i]]));
    const allNamed = modelWeights.every((w) => byName.has(w.originalName));
    if (!allNamed) weightsMatchedBy = 'position';
    const ordered = modelWeights.map((w, i) => {
      const t = allNamed ? (byName.get(w.originalName) as tf.Tensor) : tensors[i];
      if (!tf.util.arraysEqual(t.shape, w.shape as number[])) {
        throw new CheckpointError(
          `checkpoint ${dir}: weight ${w.originalName} has shape [${w.shape}] in the model but [${t.shape}] in the checkpoint`,
          dir,
        );
      }
      return t;
    });
    model.setWeights(ordered);
  } finally {
    tf.dispose(tensors);
  }
  const optimizerRestored: string[] = [];
  const notes: string[] = [];
  for (const { name, optimizer } of optimizers) {
    const files = optimizerFiles(dir, name);
    if (!fs.existsSync(files.json)) {
      notes.push(`group ${name}: no saved optimizer state; starting fresh`);
      continue;
    }
    const saved = readJsonFile<{ className: string; specs: tf.io.WeightsManifestEntry[] }>(
      files.json,
      dir,
      'saved optimizer state',
    );
    if (saved.className !== optimizer.getClassName()) {
      notes.push(
        `group ${name}: saved state is for ${saved.className}, the optimizer is ${optimizer.getClassName()}; starting fresh`,
      );
      continue;
    }
    const bytes = fs.readFileSync(files.bin);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    let map: tf.NamedTensorMap;
    try {
      map = tf.io.decodeWeights(buffer, saved.specs);
    } catch (err) {
      throw damaged(dir, `${path.basename(files.json)} + ${path.basename(files.bin)}`, err);
    }
    const named = saved.specs.map((s) => ({ name: s.name, tensor: map[s.name] }));
    try {
      await optimizer.setWeights(named);
      optimizerRestored.push(name);
    } finally {
      tf.dispose(named.map((n) => n.tensor));
    }
  }
  return { metadata, weightsMatchedBy, optimizerRestored, notes };
}

/** Copies a checkpoint folder atomically (file copies, no re-serialization), optionally without optimizer state. */
export async function copyCheckpoint(
  from: string,
  to: string,
  options: { withOptimizer?: boolean } = {},
): Promise<string> {
  readCheckpointMetadata(from);
  return writeDirAtomic(
    to,
    (tmp) => {
      for (const name of fs.readdirSync(from)) {
        if (!options.withOptimizer && name.startsWith('optimizer-')) continue;
        fs.copyFileSync(path.join(from, name), path.join(tmp, name));
      }
    },
    { link: true },
  );
}
