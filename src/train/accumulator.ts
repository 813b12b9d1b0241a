/**
 * The one running loss/accuracy accumulator, shared by `fit` (the training epoch), `measureLoss` (validation) and
 * `evaluate`: a batch adds its mean loss weighted by its size, and (classification) its correct and total predictions.
 */
export class LossAccumulator {
  private lossSum = 0;
  private correct = 0;
  private targets = 0;
  /** Samples (loss weight) added so far. */
  samples = 0;

  /** Adds one batch: its mean loss over `size` samples, and `correct` right predictions out of `targets`. */
  add(meanLoss: number, size: number, correct = 0, targets = 0): void {
    this.lossSum += meanLoss * size;
    this.samples += size;
    this.correct += correct;
    this.targets += targets;
  }

  /** Mean loss per sample so far (NaN before the first sample). */
  get loss(): number {
    return this.lossSum / this.samples;
  }

  /** Fraction of predictions that were right so far (NaN before the first target). */
  get accuracy(): number {
    return this.correct / this.targets;
  }
}
