/**
 * Optimizers by name, and setting an optimizer's learning rate between epochs (for schedules).
 *
 * Porting note: tfjs optimizers keep their per-variable state (Adam's moments, SGD's momentum) by POSITION in the
 * gradient list, not by variable name. `fit` therefore always passes gradients in the model's `trainableWeights`
 * order, which is also what makes saved optimizer state restorable into a freshly built model.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '../errors';
import { leanAdam } from './adam';

export type OptimizerName = 'adam' | 'sgd';

/** An optimizer by name; options that do not apply to it are ignored. */
export interface OptimizerSpec {
  name: OptimizerName;
  /** Learning rate. Default: 1e-3 for adam, 1e-2 for sgd. */
  learningRate?: number;
  /** SGD momentum (PyTorch's `momentum`); 0 gives plain SGD. Default: 0.9. */
  momentum?: number;
  /** SGD Nesterov momentum. Default: false. */
  nesterov?: boolean;
  /** Adam beta1. Default: 0.9. */
  beta1?: number;
  /** Adam beta2. Default: 0.999. */
  beta2?: number;
  /**
   * Adam epsilon. Default: 1e-8 (PyTorch's and Keras's default; tfjs's own default is the backend epsilon, 1e-7).
   */
  epsilon?: number;
}

/** What `fit` accepts: a name, a spec, or an optimizer you built yourself. */
export type OptimizerChoice = OptimizerName | OptimizerSpec | tf.Optimizer;

export function isOptimizerInstance(choice: unknown): choice is tf.Optimizer {
  // tfjs's Optimizer[Symbol.hasInstance] throws on undefined, so check the shape first.
  return (
    typeof choice === 'object' &&
    choice !== null &&
    typeof (choice as { applyGradients?: unknown }).applyGradients === 'function'
  );
}

/** Builds an optimizer from a name or spec. `learningRate` (when given) overrides the spec's. */
export function makeOptimizer(choice: OptimizerName | OptimizerSpec, learningRate?: number): tf.Optimizer {
  const spec: OptimizerSpec = typeof choice === 'string' ? { name: choice } : choice;
  switch (spec.name) {
    case 'adam':
      // Adam whose eager step frees each variable's temporaries before the next (adam.ts); same numbers as tf.train.adam.
      return leanAdam(
        learningRate ?? spec.learningRate ?? 1e-3,
        spec.beta1 ?? 0.9,
        spec.beta2 ?? 0.999,
        spec.epsilon ?? 1e-8,
      );
    case 'sgd': {
      const lr = learningRate ?? spec.learningRate ?? 1e-2;
      const momentum = spec.momentum ?? 0.9;
      return momentum === 0 ? tf.train.sgd(lr) : tf.train.momentum(lr, momentum, spec.nesterov ?? false);
    }
    default:
      throw new OptionError(
        `makeOptimizer: expected optimizer 'adam' or 'sgd'. Received: ${JSON.stringify((spec as { name?: unknown }).name)}`,
      );
  }
}

/** The learning rate an optimizer uses now. */
export function getLearningRate(optimizer: tf.Optimizer): number {
  const lr = (optimizer as unknown as { learningRate?: unknown }).learningRate;
  if (typeof lr !== 'number')
    throw new Error(`getLearningRate: optimizer ${optimizer.getClassName()} has no numeric learningRate`);
  return lr;
}

/** Changes an optimizer's learning rate in place (SGD and momentum cache it as a tensor; Adam reads the field). */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const o = optimizer as unknown as { learningRate?: unknown; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(learningRate);
  else if (typeof o.learningRate === 'number') o.learningRate = learningRate;
  else throw new Error(`setLearningRate: optimizer ${optimizer.getClassName()} has no learning rate to set`);
}

/**
 * Frees an optimizer's tensors. Porting note: tfjs 4.22's `MomentumOptimizer.dispose()` forgets the learning-rate
 * scalar it inherits from SGD (one tensor leaked per optimizer), so it is freed here too.
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  const c = (optimizer as unknown as { c?: tf.Tensor }).c;
  if (c instanceof tf.Tensor && !c.isDisposed) c.dispose();
}
