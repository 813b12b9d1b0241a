/**
 * `TensorBoard` (Keras's callback of that name): per-epoch scalars and, optionally, weight histograms in TensorBoard's
 * event files, written by TensorFlow's own summary writer (`tf.node.summaryFileWriter` of the tfjs-node package that
 * `ensureEngine()` loaded; nothing loads at import time).
 *
 * Layout (Keras's): `<logDir>/train` holds `epoch_loss`, `epoch_acc` (classification), `epoch_learning_rate` and the
 * histograms (one per weight, by its name); `<logDir>/validation` holds `epoch_loss` and `epoch_acc` when the fit
 * validates, so TensorBoard draws training and validation in one chart per metric. The step is the 1-based epoch, as
 * in the history. Open it with `tensorboard --logdir <logDir>` (the `tensorboard` Python package).
 *
 * tfjs-node keeps one writer per folder for the life of the process (a few tensors, never freed), so a second fit with
 * the same `logDir` appends to the same event files.
 */
import type * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureEngine } from '../../engine';
import { OptionError } from '../../errors';
import type { EpochRecord } from '../history';
import { CALLBACK_ORDER, type Callback, type FitContext } from './hooks';

export interface TensorBoardOptions {
  /** The run's folder (Keras's `log_dir`); `train/` and `validation/` are made inside. Required. */
  logDir: string;
  /** Write a histogram of every weight every this many epochs (and after the last); 0 writes none. Default: 0. */
  histogramFreq?: number;
}

/** The part of tfjs-node's `SummaryFileWriter` this callback uses. */
interface SummaryWriter {
  scalar(name: string, value: number, step: number): void;
  histogram(name: string, data: tf.Tensor, step: number, buckets?: number): void;
  flush(): void;
}

/** `tf.node.summaryFileWriter` of the native package that `ensureEngine()` loaded. */
function summaryFileWriter(dir: string): SummaryWriter {
  const info = ensureEngine();
  const pkg = require(require.resolve(info.packageName, { paths: [__dirname] })) as {
    node?: { summaryFileWriter?: (logdir: string) => SummaryWriter };
  };
  if (typeof pkg.node?.summaryFileWriter !== 'function')
    throw new Error(`${info.packageName} has no tf.node.summaryFileWriter; cannot write TensorBoard event files.`);
  fs.mkdirSync(dir, { recursive: true });
  return pkg.node.summaryFileWriter(dir);
}

export class TensorBoard implements Callback {
  readonly order: number = CALLBACK_ORDER.tensorBoard;
  /** The folder, resolved to an absolute path. */
  readonly logDir: string;
  readonly histogramFreq: number;
  private train?: SummaryWriter;
  private validation?: SummaryWriter;

  constructor(options: TensorBoardOptions) {
    if (typeof options?.logDir !== 'string' || options.logDir === '')
      throw new OptionError(
        `TensorBoard: expected options.logDir to name a folder. Received: ${JSON.stringify(options?.logDir)}`,
        'logDir',
      );
    this.logDir = path.resolve(options.logDir);
    this.histogramFreq = options.histogramFreq ?? 0;
    if (!Number.isInteger(this.histogramFreq) || this.histogramFreq < 0)
      throw new OptionError(
        `TensorBoard: expected options.histogramFreq to be an integer >= 0. Received: ${String(options.histogramFreq)}`,
        'histogramFreq',
      );
  }

  onTrainBegin(ctx: FitContext): void {
    this.train = summaryFileWriter(path.join(this.logDir, 'train'));
    if (ctx.hasValidation) this.validation = summaryFileWriter(path.join(this.logDir, 'validation'));
  }

  onEpochEnd(record: EpochRecord, ctx: FitContext): void {
    const step = record.epoch;
    const train = this.train!;
    train.scalar('epoch_loss', record.train_loss, step);
    if (record.train_acc !== null) train.scalar('epoch_acc', record.train_acc, step);
    train.scalar('epoch_learning_rate', record.lr, step);
    if (this.validation && record.val_loss !== null) {
      this.validation.scalar('epoch_loss', record.val_loss, step);
      if (record.val_acc !== null) this.validation.scalar('epoch_acc', record.val_acc, step);
    }
    if (this.histogramFreq > 0 && (step % this.histogramFreq === 0 || step === ctx.epochs))
      for (const w of ctx.model.weights) train.histogram(w.originalName ?? w.name, w.read(), step);
    train.flush();
    this.validation?.flush();
  }

  onDispose(): void {
    this.train?.flush();
    this.validation?.flush();
  }
}
