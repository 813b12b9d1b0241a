/**
 * Checkpointing in `fit` (Keras's `ModelCheckpoint`, fastai's `SaveModelCallback`), and resuming from a checkpoint.
 *
 * - `openRunFolder`: the run folder's lock, and the leftovers of killed saves removed, before training.
 * - `beforeFit`: a resume restores weights, optimizer state, history and monitor, and training continues after the
 *   checkpoint's epoch.
 * - After every epoch: `last/`, `best/` when the fit's monitor improved, `epoch-NNN/` with `keepEveryEpoch`; best/
 *   and epoch-NNN/ are copies of this very save (the version folder it wrote), not of whatever last/ is by then.
 * - At an interrupt: `last/`, marked interrupted, with the batches done in the unfinished epoch.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '../../errors';
import { removeStaleEntries } from '../../io';
import {
  CHECKPOINT_FORMAT,
  copyCheckpoint,
  restoreCheckpoint,
  saveCheckpoint,
  type CheckpointMetadata,
} from '../checkpoint';
import { lockRunFolder, type RunFolderLock } from '../run-lock';
import type { FitRun } from '../fit-run';
import { History, type EpochRecord } from '../history';
import { getLearningRate } from '../optimizer';
import type { Callback } from './hooks';

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

export class CheckpointCallback implements Callback {
  constructor(private readonly run: FitRun) {}

  async beforeFit(): Promise<void> {
    const resume = this.run.options.resume;
    if (!resume) return;
    if (resume.mustExist && !fs.existsSync(resume.from))
      throw new OptionError(`fit: options.resume names ${resume.from}, which does not exist`, 'resume');
    if (!fs.existsSync(resume.from)) return;
    const run = this.run;
    run.resumed = await restoreCheckpoint(resume.from, run.model, run.optimizers());
    const meta = run.resumed.metadata;
    run.history = new History(meta.history);
    if (meta.monitor.metric === run.best.state.metric) run.best.state = { ...meta.monitor };
    else run.best.replay(run.history.records);
    run.startEpoch = meta.epoch;
  }

  async onEpochEnd({ epoch }: EpochRecord): Promise<void> {
    const ck = this.run.options.checkpoint;
    if (!ck) return;
    const own = await this.save(this.metadata(epoch, false, 0));
    if (this.run.best.improved) await copyCheckpoint(own, path.join(ck.dir, 'best'));
    if (ck.keepEveryEpoch) await copyCheckpoint(own, path.join(ck.dir, `epoch-${String(epoch).padStart(3, '0')}`));
  }

  async onInterrupt(epoch: number, batches: number): Promise<void> {
    if (this.run.options.checkpoint) await this.save(this.metadata(epoch - 1, true, batches));
  }

  /** Writes `last/`; returns the version folder written. */
  private save(meta: CheckpointMetadata): Promise<string> {
    const ck = this.run.options.checkpoint!;
    return saveCheckpoint(
      path.join(ck.dir, 'last'),
      this.run.model,
      meta,
      ck.saveOptimizer ? this.run.optimizers() : [],
    );
  }

  private metadata(epoch: number, interrupted: boolean, batchesIntoNextEpoch: number): CheckpointMetadata {
    return {
      format: CHECKPOINT_FORMAT,
      epoch,
      interrupted,
      batchesIntoNextEpoch,
      history: this.run.history.toJSON(),
      monitor: { ...this.run.best.state },
      groups: this.run.groups.map((g) => ({
        name: g.name,
        baseLearningRate: g.baseLearningRate,
        learningRate: getLearningRate(g.optimizer),
        optimizer: g.optimizer.getClassName(),
      })),
      savedAt: new Date().toISOString(),
      tfjsVersion: tf.version_core,
    };
  }
}
