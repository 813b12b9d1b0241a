/**
 * The learning-rate schedule of `fit` (Keras's `LearningRateScheduler`): at the start of every epoch, each parameter
 * group's optimizer gets its scheduled rate (the group's base rate when there is no schedule, which also undoes a
 * rate restored from a checkpoint). `fit` always runs one, with `FitOptions.schedule`.
 */
import { scheduledLearningRate, type LearningRateSchedule } from '../schedule';
import { CALLBACK_ORDER, type Callback, type FitContext } from './hooks';

export class LearningRateScheduler implements Callback {
  readonly order: number = CALLBACK_ORDER.schedule;

  /** `schedule`: a step or cosine schedule, or a function of the 0-based epoch and the base rate; none: constant. */
  constructor(readonly schedule?: LearningRateSchedule) {}

  /** `epoch` is 1-based; schedules take the 0-based one. */
  onEpochBegin(epoch: number, ctx: FitContext): void {
    for (const g of ctx.groups)
      ctx.setLearningRate(scheduledLearningRate(this.schedule, epoch - 1, g.baseLearningRate, ctx.epochs), g.name);
  }
}
