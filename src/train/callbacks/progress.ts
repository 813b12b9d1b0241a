/** The progress bar of `fit` (fastai's `ProgressCallback`): one bar per epoch, running loss/accuracy, final numbers. */
import type { EpochRecord } from '../history';
import { ProgressBar, type ProgressMode } from '../progress';
import { CALLBACK_ORDER, type BatchLogs, type Callback, type FitContext } from './hooks';

export class ProgressCallback implements Callback {
  readonly order: number = CALLBACK_ORDER.progress;
  private bar?: ProgressBar;

  constructor(private readonly mode: Exclude<ProgressMode, 'off'>) {}

  /** The bar's total is `ctx.batchesPerEpoch`: when unknown, fit learns it from the first epoch. */
  onEpochBegin(epoch: number, ctx: FitContext): void {
    this.bar = new ProgressBar(ctx.batchesPerEpoch, {
      description: `epoch ${epoch}/${ctx.epochs}`,
      mode: this.mode,
      unit: 'batch',
    });
  }

  onBatchEnd(logs: BatchLogs): void {
    this.bar?.update(
      1,
      logs.runningAcc === null ? { loss: logs.runningLoss } : { loss: logs.runningLoss, acc: logs.runningAcc },
    );
  }

  /** Ends the bar with the epoch's numbers. */
  onEpochEnd(record: EpochRecord): void {
    const postfix: Record<string, number> = { loss: record.train_loss };
    if (record.train_acc !== null) postfix.acc = record.train_acc;
    if (record.val_loss !== null) postfix.val_loss = record.val_loss;
    if (record.val_acc !== null) postfix.val_acc = record.val_acc;
    this.bar?.close(postfix);
  }

  onInterrupt(): void {
    this.bar?.close();
  }

  /** Ends the bar where it is when training stops by an error (a guard's), before the error is shown. */
  onDispose(): void {
    this.bar?.close();
  }
}
