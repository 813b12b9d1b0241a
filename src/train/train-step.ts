/**
 * One training step, and the optimizer groups it steps. `makeTrainStep` builds the eager step: `tf.variableGrads`
 * over the model's trainable variables, optional clipping by global norm, one optimizer per parameter group. A
 * different step (a compiled graph, say) only has to be a `TrainStep`.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '../errors';
import { clipByGlobalNorm } from './clip';
import type { ResolvedOptions } from './fit-options';
import { computeLoss, countCorrect } from './losses';
import { getLearningRate, isOptimizerInstance, makeOptimizer } from './optimizer';
import { resolveGroups, toVariable, type ResolvedGroup } from './param-groups';

export interface Group extends ResolvedGroup {
  optimizer: tf.Optimizer;
}

/** The numbers of one applied step. */
export interface StepResult {
  /** The batch's mean loss (with the model's regularization losses). */
  loss: number;
  /** Right predictions in the batch (classification only). */
  correct?: number;
  /** Global gradient norm before clipping (only with `clipNorm`). */
  gradNorm?: number;
}

/**
 * Trains on one batch. `check` sees the loss before anything is applied; when it throws, the step frees its tensors
 * and rethrows, and the weights stay as they were.
 */
export type TrainStep = ((
  x: tf.Tensor,
  y: tf.Tensor,
  check: (loss: number) => void | Promise<void>,
) => Promise<StepResult>) & {
  /** Frees what the step holds beyond a batch (the graph path's compiled functions); `fit` calls it at the end. */
  dispose?: () => void;
};

export function buildGroups(model: tf.LayersModel, r: ResolvedOptions): Group[] {
  const trainable = model.trainableWeights.map(toVariable);
  if (trainable.length === 0) throw new Error('fit: the model has no trainable weights (is everything frozen?)');
  const choice = r.optimizer;
  if (isOptimizerInstance(choice)) {
    if (r.paramGroups?.length)
      throw new OptionError(
        'fit: options.paramGroups needs a named optimizer (e.g. "adam"), not an optimizer instance',
      );
    return [{ name: 'default', variables: trainable, baseLearningRate: getLearningRate(choice), optimizer: choice }];
  }
  const spec = typeof choice === 'string' ? { name: choice } : choice;
  const base = r.learningRate ?? spec.learningRate ?? (spec.name === 'sgd' ? 1e-2 : 1e-3);
  return resolveGroups(trainable, r.paramGroups, base).map((g) => ({
    ...g,
    optimizer: makeOptimizer(spec, g.baseLearningRate),
  }));
}

export interface Gradients {
  loss: tf.Scalar;
  correct?: tf.Scalar;
  norm?: tf.Scalar;
  /** The (clipped) gradients by variable name, not yet applied. */
  grads: Record<string, tf.Tensor>;
}

/** The first half of a step: loss, number correct (classification), gradient norm (clipping), gradients. */
export function computeGradients(
  model: tf.LayersModel,
  varList: tf.Variable[],
  r: ResolvedOptions,
  x: tf.Tensor,
  y: tf.Tensor,
): Gradients {
  let correct: tf.Scalar | undefined;
  const out = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const output = model.apply(x, { training: true }) as tf.Tensor;
      if (r.classification) correct = tf.keep(countCorrect(output, y));
      const batchLoss = computeLoss(r.loss, output, y);
      const regularization = model.calculateLosses();
      return (regularization.length > 0 ? tf.addN([batchLoss, ...regularization]) : batchLoss) as tf.Scalar;
    }, varList);
    const names = varList.map((v) => v.name);
    let norm: tf.Scalar | undefined;
    let gradByName: Record<string, tf.Tensor | undefined> = grads;
    if (r.clipNorm !== undefined) {
      const present = names.filter((n) => grads[n] !== undefined);
      const clipped = clipByGlobalNorm(
        present.map((n) => grads[n]),
        r.clipNorm,
      );
      norm = clipped.norm;
      gradByName = Object.fromEntries(present.map((n, i) => [n, clipped.clipped[i]]));
    }
    const kept = Object.fromEntries(
      Object.entries(gradByName).filter((e): e is [string, tf.Tensor] => e[1] !== undefined),
    );
    return norm ? { loss: value, norm, grads: kept } : { loss: value, grads: kept };
  });
  return { ...out, correct };
}

/** The second half: every group's optimizer applies its gradients. */
export function applyGradients(groups: readonly Group[], grads: Record<string, tf.Tensor>): void {
  tf.tidy(() => {
    for (const g of groups) {
      // Every variable of the group, in a fixed order, even when its gradient is missing: tfjs optimizers keep their
      // state by position, and skip a null gradient without shifting the others.
      const map: Record<string, tf.Tensor | null> = {};
      for (const v of g.variables) map[v.name] = grads[v.name] ?? null;
      g.optimizer.applyGradients(map as tf.NamedTensorMap);
    }
  });
}

/**
 * A `TrainStep` from its two halves: `compute` (loss and gradients, nothing applied), then `check(loss)`, then
 * `apply`. When `check` throws, nothing is applied and the step's tensors are freed.
 */
export function stepFromHalves(
  compute: (x: tf.Tensor, y: tf.Tensor) => Gradients,
  apply: (step: Gradients) => void,
): TrainStep {
  return async (x, y, check) => {
    const step = compute(x, y);
    const scalars = [step.loss, step.correct, step.norm].filter((t): t is tf.Scalar => t !== undefined);
    try {
      const [loss] = await step.loss.data();
      await check(loss);
      apply(step);
      const correct = step.correct ? (await step.correct.data())[0] : undefined;
      const gradNorm = step.norm ? (await step.norm.data())[0] : undefined;
      return { loss, correct, gradNorm };
    } finally {
      tf.dispose(Object.values(step.grads));
      tf.dispose(scalars);
    }
  };
}

/** The eager training step (see the module comment). */
export function makeTrainStep(model: tf.LayersModel, groups: readonly Group[], r: ResolvedOptions): TrainStep {
  const varList = groups.flatMap((g) => g.variables);
  return stepFromHalves(
    (x, y) => computeGradients(model, varList, r, x, y),
    (step) => applyGradients(groups, step.grads),
  );
}
