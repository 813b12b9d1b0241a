/**
 * Checkpointing in `fit` (Keras's `ModelCheckpoint`, fastai's `SaveModelCallback`), and resuming from a checkpoint.
 *
 * - `openRunFolder` (at `onTrainBegin`): the run folder's lock, and the leftovers of killed saves removed.
 * - A resume (`FitOptions.resume`, resume.ts) restores weights, optimizer state, history and monitor before
 *   `onTrainBegin`, and training continues after the checkpoint's epoch.
 * - After every epoch: `last/`, `best/` when the fit's monitor improved, `epoch-NNN/` with `keepEveryEpoch`; best/
 *   and epoch-NNN/ are copies of this very save (the version folder it wrote), not of whatever last/ is by then.
 * - At an interrupt: `last/`, marked interrupted, with the batches done in the unfinished epoch.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '../../errors';
import { removeStaleEntries, settleRetiredVersions } from '../../io';
import { CHECKPOINT_FORMAT, copyCheckpoint, saveCheckpoint, type CheckpointMetadata } from '../checkpoint';
import type { EpochRecord } from '../history';
import { lockRunFolder, type RunFolderLock } from '../run-lock';
import { CALLBACK_ORDER, type Callback, type EpochProgress, type FitContext } from './hooks';

/** Locks `dir` for this run and removes what killed saves left; what is worth knowing goes to `notes`. */
export function openRunFolder(dir: string, notes: string[]): RunFolderLock {
  const lock = lockRunFolder(dir);
  if (lock.note) {
    notes.push(lock.note);
    console.warn(lock.note);
  }
  // Leftovers of saves that were killed (temp folders, unlinked versions), for every checkpoint name in the folder.
  const removed = removeStaleEntries(dir);
  if (removed.length > 0)
    notes.push(
      `checkpoint folder ${dir}: removed ${removed.length} leftover folder(s) of interrupted saves (${removed.slice(0, 5).join(', ')}${removed.length > 5 ? ', ...' : ''}).`,
    );
  return lock;
}

export interface CheckpointOptions {
  /** This run's folder; `checkpointDir(run)` from the io area gives the standard place. Required. */
  dir: string;
  /** Also keep one folder per epoch (`epoch-001/`, ...) besides `last/` and `best/`. Default: false. */
  keepEveryEpoch?: boolean;
  /** Save the optimizer state (Adam moments, momentum) so that a resume continues exactly. Default: true. */
  saveOptimizer?: boolean;
}

/**
 * `new ModelCheckpoint({ dir })` in `FitOptions.callbacks`, or `FitOptions.checkpoint`: `last/` after every epoch,
 * `best/` when the fit's monitor (`ctx.monitor`) improved, `epoch-NNN/` with `keepEveryEpoch`, and `last/` at an
 * interrupt. It holds the folder's lock from `onTrainBegin` to `onDispose`. `FitOptions.resume: true` resumes from
 * the `last/` of the first `ModelCheckpoint`.
 */
export class ModelCheckpoint implements Callback {
  readonly order: number = CALLBACK_ORDER.checkpoint;
  /** The folder, resolved to an absolute path. */
  readonly dir: string;
  readonly keepEveryEpoch: boolean;
  readonly saveOptimizer: boolean;
  private lock?: RunFolderLock;

  constructor(options: CheckpointOptions) {
    if (typeof options?.dir !== 'string' || options.dir === '')
      throw new OptionError(
        `ModelCheckpoint: expected options.dir to name a folder. Received: ${JSON.stringify(options?.dir)}`,
        'dir',
      );
    this.dir = path.resolve(options.dir);
    this.keepEveryEpoch = options.keepEveryEpoch ?? false;
    this.saveOptimizer = options.saveOptimizer ?? true;
  }

  onTrainBegin(ctx: FitContext): void {
    const notes: string[] = [];
    this.lock = openRunFolder(this.dir, notes);
    for (const note of notes) ctx.note(note);
  }

  async onEpochEnd({ epoch }: EpochRecord, ctx: FitContext): Promise<void> {
    const own = await this.save(ctx, this.metadata(ctx, epoch, false, 0));
    if (ctx.monitor.improved) await copyCheckpoint(own, path.join(this.dir, 'best'));
    if (this.keepEveryEpoch) await copyCheckpoint(own, path.join(this.dir, `epoch-${String(epoch).padStart(3, '0')}`));
  }

  async onInterrupt({ epoch, batches }: EpochProgress, ctx: FitContext): Promise<void> {
    await this.save(ctx, this.metadata(ctx, epoch - 1, true, batches));
  }

  /** Checkpoints replaced during the run stay for a moment for readers in flight; gone before the lock is released. */
  async onDispose(): Promise<void> {
    if (!this.lock) return;
    try {
      await settleRetiredVersions();
    } finally {
      this.lock.release();
      this.lock = undefined;
    }
  }

  /** Writes `last/`; returns the version folder written. */
  private save(ctx: FitContext, meta: CheckpointMetadata): Promise<string> {
    const optimizers = ctx.groups.map((g) => ({ name: g.name, optimizer: g.optimizer }));
    return saveCheckpoint(path.join(this.dir, 'last'), ctx.model, meta, this.saveOptimizer ? optimizers : []);
  }

  private metadata(
    ctx: FitContext,
    epoch: number,
    interrupted: boolean,
    batchesIntoNextEpoch: number,
  ): CheckpointMetadata {
    const { metric, mode, best, bestEpoch } = ctx.monitor;
    return {
      format: CHECKPOINT_FORMAT,
      epoch,
      interrupted,
      batchesIntoNextEpoch,
      history: ctx.history.map((r) => ({ ...r })),
      monitor: { metric, mode, best, bestEpoch },
      groups: ctx.groups.map((g) => ({
        name: g.name,
        baseLearningRate: g.baseLearningRate,
        learningRate: g.learningRate,
        optimizer: g.optimizer.getClassName(),
      })),
      savedAt: new Date().toISOString(),
      tfjsVersion: tf.version_core,
    };
  }
}
