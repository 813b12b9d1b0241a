/**
 * The one table that maps PyTorch `state_dict` entries onto our layers' weights, with the layout change each needs.
 * A layer named `layer1.0.conv1` owns the keys `layer1.0.conv1.<suffix>`; the suffix picks the tfjs weight.
 *
 * | tfjs layer       | torch suffix     | tfjs weight      | layout change                               |
 * | ---------------- | ---------------- | ---------------- | ------------------------------------------- |
 * | Conv2D           | `weight`         | `kernel`         | OIHW → HWIO (transpose [2, 3, 1, 0])        |
 * | Conv2D           | `bias`           | `bias`           | none                                        |
 * | Dense            | `weight`         | `kernel`         | [out, in] → [in, out] (transpose [1, 0])    |
 * | Dense            | `bias`           | `bias`           | none                                        |
 * | TorchBatchNorm   | `weight`         | `gamma`          | none                                        |
 * | TorchBatchNorm   | `bias`           | `beta`           | none                                        |
 * | TorchBatchNorm   | `running_mean`   | `moving_mean`    | none                                        |
 * | TorchBatchNorm   | `running_var`    | `moving_variance`| none                                        |
 *
 * `num_batches_tracked` (an int64 step counter) has no counterpart and is ignored.
 * Layer names keep torchvision's dots (tfjs accepts them), so no name mapping is needed.
 */
import type * as tf from '@tensorflow/tfjs';

export interface TorchParamRule {
  /** The part of the torch key after the layer name. */
  torchSuffix: string;
  /** The tfjs weight name (after the layer name and '/'). */
  tfjsWeight: string;
  /** Permutation applied to the torch tensor, or null for none. */
  transpose: number[] | null;
}

export const TORCH_PARAM_RULES: Readonly<Record<string, readonly TorchParamRule[]>> = {
  Conv2D: [
    { torchSuffix: 'weight', tfjsWeight: 'kernel', transpose: [2, 3, 1, 0] },
    { torchSuffix: 'bias', tfjsWeight: 'bias', transpose: null },
  ],
  Dense: [
    { torchSuffix: 'weight', tfjsWeight: 'kernel', transpose: [1, 0] },
    { torchSuffix: 'bias', tfjsWeight: 'bias', transpose: null },
  ],
  TorchBatchNorm: [
    { torchSuffix: 'weight', tfjsWeight: 'gamma', transpose: null },
    { torchSuffix: 'bias', tfjsWeight: 'beta', transpose: null },
    { torchSuffix: 'running_mean', tfjsWeight: 'moving_mean', transpose: null },
    { torchSuffix: 'running_var', tfjsWeight: 'moving_variance', transpose: null },
  ],
};

/** Torch key suffixes that carry no weight for us. */
export const IGNORED_TORCH_SUFFIXES: readonly string[] = ['num_batches_tracked'];

export interface TorchKeyTarget {
  torchKey: string;
  layer: tf.layers.Layer;
  variable: tf.LayerVariable;
  rule: TorchParamRule;
}

/** The shape a torch tensor has before the rule's transpose, given our weight's shape. */
export function torchShapeOf(tfjsShape: readonly number[], rule: TorchParamRule): number[] {
  if (!rule.transpose) return [...tfjsShape];
  const out = new Array<number>(tfjsShape.length);
  rule.transpose.forEach((src, dst) => (out[src] = tfjsShape[dst]));
  return out;
}

/** Every torch key the model expects, mapped to the weight it fills. Layers of other classes must have no weights. */
export function torchKeyTable(model: tf.LayersModel): Map<string, TorchKeyTarget> {
  const table = new Map<string, TorchKeyTarget>();
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const className = layer.getClassName();
    const rules = TORCH_PARAM_RULES[className];
    if (!rules) {
      throw new Error(
        `torchKeyTable: layer "${layer.name}" is a ${className}, which has no rule in TORCH_PARAM_RULES.`,
      );
    }
    for (const rule of rules) {
      const variable = layer.weights.find((w) => w.originalName.endsWith(`/${rule.tfjsWeight}`));
      if (!variable) continue; // e.g. a conv without bias
      table.set(`${layer.name}.${rule.torchSuffix}`, {
        torchKey: `${layer.name}.${rule.torchSuffix}`,
        layer,
        variable,
        rule,
      });
    }
  }
  return table;
}
