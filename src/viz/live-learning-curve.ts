/**
 * A learning curve that redraws in place while `fit` runs: one notebook output, replaced after every epoch through a
 * `DisplayHandle`. Outside a notebook the display bridge prints nothing for updates, so it costs nothing there.
 */
import * as crypto from 'node:crypto';
import { DisplayHandle } from '../display';
import { learningCurves, type EpochSeries } from './learning-curves';

export class LiveLearningCurve {
  private readonly handle = new DisplayHandle();
  /** One key for all renders, so the output that carries plotly.js keeps carrying it after updates. */
  private readonly documentKey = crypto.randomUUID();
  updates = 0;

  constructor(private readonly title = 'Learning curves (live)') {}

  update(history: EpochSeries): void {
    this.handle.update(learningCurves(history, { title: this.title, documentKey: this.documentKey }));
    this.updates += 1;
  }
}
