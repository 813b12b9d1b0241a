/**
 * The graph path's training step: the same halves as `makeTrainStep` (train-step.ts), run through
 * engine/graph's `FitGraphStep`. The first step per input shape (and learning rates) runs eagerly while being
 * recorded; later ones run as ONE native call. The halves stay apart as in the eager step: the compiled function
 * computes the loss and the new values, `check(loss)` sees the loss, and only then are the new values assigned, so a
 * non-finite loss leaves the weights as they were. `null` when the graph path does not cover the model (see
 * `graphPathFor` in engine/graph/step.ts); then `fit` runs the eager step.
 */
import type * as tf from '@tensorflow/tfjs';
import { fitGraphStep } from '../engine/graph';
import type { ResolvedOptions } from './fit-options';
import {
  applyGradients,
  computeGradients,
  stepFromHalves,
  type Gradients,
  type Group,
  type TrainStep,
} from './train-step';

export function graphTrainStep(model: tf.LayersModel, groups: readonly Group[], r: ResolvedOptions): TrainStep | null {
  const graph = fitGraphStep<Gradients>(
    model,
    groups.map((g) => g.optimizer),
  );
  if (!graph) return null;
  const varList = groups.flatMap((g) => g.variables);
  const step = stepFromHalves(
    (x, y) => graph.compute(x, y, () => computeGradients(model, varList, r, x, y)),
    (computed) => graph.apply(computed, () => applyGradients(groups, computed.grads)),
  );
  return Object.assign(step, { dispose: () => graph.dispose() });
}
