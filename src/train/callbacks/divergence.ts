/**
 * The divergence guard of `fit`: a finite loss that runs away (a learning rate too large, exploding gradients) stops
 * training with a `DivergingLossError` before the batch is applied, instead of training on towards 1e27 and then NaN.
 *
 * A batch loss diverges when it is above `maxLoss`, or when it is more than `factor` times the lowest batch loss of
 * the run so far AND above the run's first batch loss. The second condition keeps a converged run from being stopped
 * by one noisy batch: a loss below the untrained model's (the first batch) is never called diverging by the factor.
 */
import { DivergingLossError, OptionError } from '../../errors';
import { CALLBACK_ORDER, type Callback, type FitContext, type LossLogs } from './hooks';
import { learningRates } from './non-finite';

export interface DivergenceOptions {
  /** Stop when a batch loss exceeds this many times the best batch loss of the run (and the first). Default: 1000. */
  factor?: number;
  /** Stop when a batch loss exceeds this bound. Default: none. */
  maxLoss?: number;
}

/** The options with their defaults, checked: `factor` a finite number > 1, `maxLoss` a number or absent. */
export function resolveDivergence(
  options: DivergenceOptions = {},
): Required<Pick<DivergenceOptions, 'factor'>> & DivergenceOptions {
  const factor = options.factor ?? 1000;
  if (typeof factor !== 'number' || !Number.isFinite(factor) || !(factor > 1))
    throw new OptionError(
      `fit: expected options.divergence.factor to be a finite number > 1. Received: ${String(options.factor)}`,
      'divergence.factor',
    );
  const maxLoss = options.maxLoss;
  if (maxLoss !== undefined && (typeof maxLoss !== 'number' || Number.isNaN(maxLoss)))
    throw new OptionError(
      `fit: expected options.divergence.maxLoss to be a number. Received: ${String(maxLoss)}`,
      'divergence.maxLoss',
    );
  return maxLoss === undefined ? { factor } : { factor, maxLoss };
}

export class DivergenceGuard implements Callback {
  readonly order: number = CALLBACK_ORDER.divergence;
  readonly factor: number;
  readonly maxLoss: number | undefined;
  private first?: number;
  private best = Infinity;

  constructor(options: DivergenceOptions = {}) {
    const resolved = resolveDivergence(options);
    this.factor = resolved.factor;
    this.maxLoss = resolved.maxLoss;
  }

  /** A non-finite loss is the non-finite guard's (it runs first); this one judges finite losses only. */
  onLoss({ loss, epoch, batch }: LossLogs, ctx: FitContext): void {
    if (!Number.isFinite(loss)) return;
    const first = (this.first ??= loss);
    const overBound = this.maxLoss !== undefined && loss > this.maxLoss;
    const overBest = loss > this.factor * this.best && loss > first;
    if (overBound || overBest) {
      const why = overBound
        ? `above options.divergence.maxLoss (${this.maxLoss})`
        : `more than ${this.factor} times the best batch loss so far (${this.best}) and above the first batch's (${first})`;
      throw new DivergingLossError(
        `fit: the loss is diverging: ${loss} in epoch ${epoch}, batch ${batch}, at ${learningRates(ctx)}, is ${why}. ` +
          'Training stopped before applying this batch, so the weights are those from the batch before. A learning rate ' +
          'that is too large (or no gradient clipping) is the usual cause: lower learningRate or set clipNorm. ' +
          'options.divergence sets the factor and the bound; divergence: false turns the check off.',
        epoch,
        batch,
        ctx.learningRate,
        loss,
        this.best,
      );
    }
    this.best = Math.min(this.best, loss);
  }
}
