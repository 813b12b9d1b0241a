/**
 * Resuming `fit` from a checkpoint (`FitOptions.resume`): weights, optimizer state, history and monitor come back,
 * and training continues after the checkpoint's epoch. Part of the run's set-up, before `onTrainBegin`, so every
 * callback starts from the resumed state (`ctx.startEpoch`, `ctx.history`, `ctx.monitor`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OptionError } from '../errors';
import { restoreCheckpoint } from './checkpoint';
import type { FitRun } from './fit-run';
import { History } from './history';

/**
 * Restores `run` from the resume folder of its options: a folder the caller named (it must exist), or `last/` of the
 * run's first checkpoint folder (a fresh start when it does not exist yet).
 */
export async function resumeRun(run: FitRun): Promise<void> {
  const resume = run.options.resume;
  if (!resume) return;
  const from = resume.from ?? (run.checkpointDirs[0] && path.join(run.checkpointDirs[0], 'last'));
  if (from === undefined)
    throw new OptionError(
      'fit: options.resume is true but no checkpoint folder is given to resume from (options.checkpoint, or a ModelCheckpoint in options.callbacks)',
      'resume',
    );
  if (resume.from !== undefined && !fs.existsSync(from))
    throw new OptionError(`fit: options.resume names ${from}, which does not exist`, 'resume');
  if (!fs.existsSync(from)) return;
  run.resumed = await restoreCheckpoint(from, run.model, run.optimizers());
  const meta = run.resumed.metadata;
  run.history = new History(meta.history);
  if (meta.monitor.metric === run.best.state.metric) run.best.state = { ...meta.monitor };
  else run.best.replay(run.history.records);
  run.startEpoch = meta.epoch;
  run.epoch = meta.epoch;
}
