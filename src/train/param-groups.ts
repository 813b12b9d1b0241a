/**
 * Parameter groups: different learning rates for different parts of a model (PyTorch's optimizer param groups),
 * e.g. a backbone fine-tuned at a tenth of the head's rate.
 *
 * `fit` gives each group its own optimizer of the same kind. A trainable variable belongs to the first group that
 * lists it; trainable variables no group lists form a group named `default` at the base learning rate. Frozen
 * (non-trainable) variables in a group are ignored.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '../errors';

/** A tf.Variable, or a tfjs-layers `LayerVariable` (an entry of `model.trainableWeights`). */
export type VariableLike = tf.Variable | { read(): tf.Tensor; readonly originalName?: string };

export interface ParameterGroup {
  /** Name shown in logs and used for the optimizer-state file of a checkpoint. Required, unique. */
  name: string;
  /** The group's variables. */
  variables: readonly VariableLike[];
  /** This group's base learning rate. Default: the fit's learning rate times `learningRateScale`. */
  learningRate?: number;
  /** Factor on the fit's learning rate, when `learningRate` is not given. Default: 1. */
  learningRateScale?: number;
}

/** A group resolved against the model: its trainable variables in the model's order, and its base rate. */
export interface ResolvedGroup {
  name: string;
  variables: tf.Variable[];
  baseLearningRate: number;
}

export function toVariable(v: VariableLike): tf.Variable {
  if (v instanceof tf.Variable) return v;
  const t = (v as { read(): tf.Tensor }).read();
  if (!(t instanceof tf.Variable)) throw new Error('parameter group: a layer variable did not read as a tf.Variable');
  return t;
}

/**
 * Splits the model's trainable variables (in `trainable` order) into groups. The order inside each group follows the
 * model, so optimizer state (kept by position) is stable across runs.
 */
export function resolveGroups(
  trainable: readonly tf.Variable[],
  groups: readonly ParameterGroup[] | undefined,
  baseLearningRate: number,
): ResolvedGroup[] {
  if (!groups || groups.length === 0) return [{ name: 'default', variables: [...trainable], baseLearningRate }];
  const names = new Set<string>();
  const owner = new Map<tf.Variable, number>();
  groups.forEach((g, i) => {
    if (!g.name || names.has(g.name) || g.name === 'default') {
      throw new OptionError(
        `fit paramGroups[${i}]: expected a unique name other than 'default'. Received: ${JSON.stringify(g.name)}`,
      );
    }
    names.add(g.name);
    for (const v of g.variables) {
      const variable = toVariable(v);
      if (!owner.has(variable)) owner.set(variable, i);
    }
  });
  const resolved: ResolvedGroup[] = groups.map((g) => ({
    name: g.name,
    variables: [],
    baseLearningRate: g.learningRate ?? baseLearningRate * (g.learningRateScale ?? 1),
  }));
  const rest: tf.Variable[] = [];
  for (const v of trainable) {
    const i = owner.get(v);
    if (i === undefined) rest.push(v);
    else resolved[i].variables.push(v);
  }
  if (rest.length > 0) resolved.push({ name: 'default', variables: rest, baseLearningRate });
  return resolved.filter((g) => g.variables.length > 0);
}
