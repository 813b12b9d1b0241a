/** The progress bar of `fit` (fastai's `ProgressCallback`): one bar per epoch, running loss/accuracy, final numbers. */
import type { EpochRecord } from '../history';
import { ProgressBar, type ProgressMode } from '../progress';
import type { BatchLogs, Callback } from './hooks';

export class ProgressCallback implements Callback {
  private bar?: ProgressBar;

  /** `batchesPerEpoch`: the bar's total; when unknown, the first epoch's count is used from the second epoch on. */
  constructor(
    private readonly mode: Exclude<ProgressMode, 'off'>,
    private readonly epochs: number,
    private batchesPerEpoch: number | undefined,
  ) {}

  onEpochBegin(epoch: number): void {
    this.bar = new ProgressBar(this.batchesPerEpoch, {
      description: `epoch ${epoch}/${this.epochs}`,
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

  afterBatches(_epoch: number, batches: number): void {
    this.batchesPerEpoch ??= batches;
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
    this.close();
  }

  /** Ends the bar where it is (training stops). */
  close(): void {
    this.bar?.close();
  }
}
