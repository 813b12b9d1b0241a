/**
 * A learning curve that redraws in place while `fit` runs: one notebook output, replaced after every epoch through a
 * `DisplayHandle`. Outside a notebook the display bridge prints nothing for updates, so it costs nothing there.
 */
import { DisplayHandle } from '../display';
import { learningCurves, type EpochSeries } from './learning-curves';

export class LiveLearningCurve {
  private readonly handle = new DisplayHandle();
  updates = 0;

  constructor(private readonly title = 'Learning curves (live)') {}

  update(history: EpochSeries): void {
    this.handle.update(learningCurves(history, { title: this.title }));
    this.updates += 1;
  }
}
