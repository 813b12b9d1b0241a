/**
 * The learning-rate schedule of `fit` (Keras's `LearningRateScheduler`): at the start of every epoch, each parameter
 * group's optimizer gets its scheduled rate (the group's base rate when there is no schedule, which also undoes a
 * rate restored from a checkpoint).
 */
import { setLearningRate } from '../optimizer';
import { scheduledLearningRate, type LearningRateSchedule } from '../schedule';
import type { Group } from '../train-step';
import type { Callback } from './hooks';

export class LearningRateScheduleCallback implements Callback {
  constructor(
    private readonly groups: readonly Group[],
    private readonly schedule: LearningRateSchedule | undefined,
    private readonly epochs: number,
  ) {}

  /** `epoch` is 1-based; schedules take the 0-based one. */
  onEpochBegin(epoch: number): void {
    for (const g of this.groups)
      setLearningRate(g.optimizer, scheduledLearningRate(this.schedule, epoch - 1, g.baseLearningRate, this.epochs));
  }
}
