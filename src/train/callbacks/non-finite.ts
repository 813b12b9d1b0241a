/**
 * The non-finite guard of `fit` (fastai's `TerminateOnNaNCallback`, stricter): a NaN or infinite batch loss stops
 * training before that batch is applied, naming NaN inputs when the batch holds them; NaN weights stop it at the end
 * of the epoch (and before an interrupt's checkpoint), and a NaN validation loss before the epoch is recorded. So no
 * checkpoint ever holds non-finite weights.
 */
import * as tf from '@tensorflow/tfjs';
import { nonFiniteSamples } from '../../data';
import { DataFormatError, NonFiniteLossError } from '../../errors';
import {
  CALLBACK_ORDER,
  type Callback,
  type EpochProgress,
  type FitContext,
  type LossLogs,
  type ValidationLogs,
} from './hooks';

/** Names of the variables that hold NaN or infinite values (one reduction per weight, one read). */
export function nonFiniteWeights(variables: readonly tf.Variable[]): string[] {
  if (variables.length === 0) return [];
  const flags = tf.tidy(() => tf.stack(variables.map((v) => tf.all(tf.isFinite(v)))).dataSync());
  return variables.filter((_, i) => !flags[i]).map((v) => v.name);
}

/** `learning rate 0.001`, or each group's: for error messages. */
export function learningRates(ctx: FitContext): string {
  return ctx.groups.length === 1
    ? `learning rate ${ctx.groups[0].learningRate}`
    : `learning rates ${ctx.groups.map((g) => `${g.name} ${g.learningRate}`).join(', ')}`;
}

export class NonFiniteGuard implements Callback {
  readonly order: number = CALLBACK_ORDER.nonFinite;

  /** `checkpointDir`: the run's checkpoint folder, if it writes checkpoints (weights are checked before they are). */
  constructor(private readonly options: { checkpointDir?: string } = {}) {}

  onLoss({ loss, data: b, epoch, batch }: LossLogs, ctx: FitContext): void {
    if (Number.isFinite(loss)) return;
    const badInputs = nonFiniteSamples(b.x);
    if (badInputs.length > 0) {
      const ids = badInputs.slice(0, 10).map((i) => b.indices?.[i] ?? i);
      throw new DataFormatError(
        `fit: the input of batch ${batch} in epoch ${epoch} holds NaN or infinite values (sample indices ${ids.join(', ')}` +
          `${badInputs.length > 10 ? `, ... ${badInputs.length} in all` : ''}), so the loss is ${loss}; expected finite numbers. ` +
          'Check the data set and its transform (e.g. a division by a zero std).',
      );
    }
    throw new NonFiniteLossError(
      `fit: the loss is ${loss} in epoch ${epoch}, batch ${batch}, at ${learningRates(ctx)}; expected a finite number. ` +
        'Training stopped before applying this batch, so the trainable weights are those from the batch before, and no ' +
        `checkpoint was written with non-finite weights. The inputs of this batch are finite; a learning rate that is ` +
        'too large (or no gradient clipping) is the usual cause: lower learningRate or set clipNorm.',
      epoch,
      batch,
      ctx.learningRate,
      loss,
    );
  }

  onValidationBegin({ epoch, batches }: EpochProgress, ctx: FitContext): void {
    this.assertFiniteWeights(ctx, epoch, batches, 'at the end of the epoch');
  }

  onValidationEnd({ val, epoch, batches }: ValidationLogs, ctx: FitContext): void {
    if (val === null || Number.isFinite(val.loss)) return;
    throw new NonFiniteLossError(
      `fit: the validation loss is ${val.loss} after epoch ${epoch} (${learningRates(ctx)}), while the training loss and the ` +
        'weights are finite; expected a finite number. The validation data probably holds NaN or infinite values (or labels ' +
        'the training data does not have). No checkpoint was written for this epoch.',
      epoch,
      batches,
      ctx.learningRate,
      val.loss,
    );
  }

  /** Before the interrupt's checkpoint (the checkpoint callback comes next). */
  onInterrupt({ epoch, batches }: EpochProgress, ctx: FitContext): void {
    if (this.options.checkpointDir) this.assertFiniteWeights(ctx, epoch, batches, 'at the interrupt');
  }

  /** Refuses to go on to a checkpoint of non-finite weights (a finite last loss does not rule them out). */
  private assertFiniteWeights(ctx: FitContext, epoch: number, batch: number, when: string): void {
    const bad = nonFiniteWeights(ctx.model.weights.map((w) => w.read() as tf.Variable));
    if (bad.length === 0) return;
    const dir = this.options.checkpointDir;
    throw new NonFiniteLossError(
      `fit: the weights became NaN or infinite in epoch ${epoch} (after batch ${batch}, ${learningRates(ctx)}): ` +
        `${bad.slice(0, 5).join(', ')}${bad.length > 5 ? `, ... (${bad.length} in all)` : ''}. Training stopped ${when}; ` +
        `no checkpoint was written with these weights${dir ? ` (last/ and best/ in ${dir} keep the previous epoch's)` : ''}. ` +
        'Lower the learning rate or set clipNorm.',
      epoch,
      batch,
      ctx.learningRate,
      NaN,
    );
  }
}
