/** The live learning curve of `fit`: one notebook output, redrawn from the history after every epoch. */
import { LiveLearningCurve } from '../../viz';
import type { FitRun } from '../fit-run';
import type { Callback } from './hooks';

export class LiveChartCallback implements Callback {
  private readonly chart = new LiveLearningCurve();

  constructor(private readonly run: FitRun) {}

  onEpochEnd(): void {
    this.chart.update(this.run.history);
  }
}
