/** The live learning curve of `fit`: one notebook output, redrawn from the history after every epoch. */
import { LiveLearningCurve } from '../../viz';
import type { EpochRecord } from '../history';
import { CALLBACK_ORDER, type Callback, type FitContext } from './hooks';

export class LiveChart implements Callback {
  readonly order: number = CALLBACK_ORDER.liveChart;
  private readonly chart = new LiveLearningCurve();

  onEpochEnd(_record: EpochRecord, ctx: FitContext): void {
    this.chart.update(ctx.history);
  }
}
