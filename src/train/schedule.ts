/**
 * Learning-rate schedules, stepped once per epoch (as PyTorch's `StepLR` and `CosineAnnealingLR` are in the lesson's
 * style of loop). A schedule maps the 0-based epoch and the base learning rate to the rate for that epoch.
 */
import { OptionError } from '../errors';

/** PyTorch's StepLR: multiply by `gamma` every `stepSize` epochs. */
export interface StepSchedule {
  kind: 'step';
  /** Epochs between decays. Required. */
  stepSize: number;
  /** Factor per decay. Default: 0.1. */
  gamma?: number;
}

/** PyTorch's CosineAnnealingLR: from the base rate down to `minLearningRate` over `periodEpochs`. */
export interface CosineSchedule {
  kind: 'cosine';
  /** Length of the half cosine in epochs. Default: the number of epochs of the fit. */
  periodEpochs?: number;
  /** Rate at the end of the period. Default: 0. */
  minLearningRate?: number;
}

export type LearningRateSchedule =
  StepSchedule | CosineSchedule | ((epoch: number, baseLearningRate: number) => number);

/** The learning rate for a 0-based `epoch`. `totalEpochs` is the fit's epoch count (for cosine's default period). */
export function scheduledLearningRate(
  schedule: LearningRateSchedule | undefined,
  epoch: number,
  baseLearningRate: number,
  totalEpochs: number,
): number {
  if (schedule === undefined) return baseLearningRate;
  if (typeof schedule === 'function') {
    const lr = schedule(epoch, baseLearningRate);
    if (!Number.isFinite(lr) || lr < 0)
      throw new Error(`learning-rate schedule: returned ${lr} for epoch ${epoch}; expected a finite rate >= 0`);
    return lr;
  }
  switch (schedule.kind) {
    case 'step': {
      if (!(schedule.stepSize >= 1))
        throw new OptionError(`step schedule: expected stepSize >= 1. Received: ${schedule.stepSize}`);
      return baseLearningRate * (schedule.gamma ?? 0.1) ** Math.floor(epoch / schedule.stepSize);
    }
    case 'cosine': {
      const period = schedule.periodEpochs ?? totalEpochs;
      if (!(period >= 1)) throw new OptionError(`cosine schedule: expected periodEpochs >= 1. Received: ${period}`);
      const min = schedule.minLearningRate ?? 0;
      const t = Math.min(epoch, period) / period;
      return min + ((baseLearningRate - min) * (1 + Math.cos(Math.PI * t))) / 2;
    }
    default:
      throw new OptionError(
        `learning-rate schedule: expected kind 'step' or 'cosine'. Received: ${JSON.stringify((schedule as { kind?: unknown }).kind)}`,
      );
  }
}
