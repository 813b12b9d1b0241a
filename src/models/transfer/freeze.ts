/**
 * The lesson's three transfer-learning strategies, applied by layer and stage names (never by index):
 * - 1, `'architecture-only'`: keep the network, re-initialize every weight, train everything;
 * - 2, `'reuse-lower'`: freeze the stem and the stages up to `upTo` (a stage like `'layer3'`, or a block like
 *   `'layer3.1'`), train the rest and the head;
 * - 3, `'head-only'`: freeze the whole backbone, train the head.
 *
 * Frozen BatchNorm layers follow `frozenBatchNorm` (see batch-norm.ts): `'inference'` by default. Trainable ones
 * follow `unfrozenBatchNorm`: `'train'` by default (batch statistics, as PyTorch's `train()`), or `'inference'`, the
 * Keras guide's rule for fine-tuning (moving statistics kept and used; gamma and beta still train).
 * After freezing, rebuild the optimizer's variable list from `trainableVariables(model)` (or `parameterGroups`).
 */
import type * as tf from '@tensorflow/tfjs';
import {
  setFrozenBatchNormMode,
  setUnfrozenBatchNormMode,
  type FrozenBatchNormMode,
  type UnfrozenBatchNormMode,
} from '../batch-norm/batch-norm';
import { reinitialize } from '../ops/reinitialize';
import { STAGE_ORDER, stageOf, type StageName } from './stages';
import { TrainableSummary, trainableSummary } from './trainable-summary';
import { OptionError } from '../../errors';

export type FreezeStrategy = 1 | 2 | 3;

export const STRATEGY_NAMES: Readonly<Record<FreezeStrategy, string>> = {
  1: 'architecture-only',
  2: 'reuse-lower',
  3: 'head-only',
};

export interface FreezeOptions {
  /** 1, 2 or 3 (see above). Required. */
  strategy: FreezeStrategy;
  /** Strategy 2 only: the last stage (`stem`, `layer1`..`layer4`) or block (`layer3.1`) to freeze. Required for 2. */
  upTo?: string;
  /** What frozen BatchNorm does in training calls. Default: `'inference'`. */
  frozenBatchNorm?: FrozenBatchNormMode;
  /**
   * What trainable (unfrozen) BatchNorm does in training calls: `'train'` (batch statistics, moving ones updated) or
   * `'inference'` (Keras's fine-tuning rule: the pre-trained moving statistics are used and kept; gamma and beta
   * train). Default: `'train'`.
   */
  unfrozenBatchNorm?: UnfrozenBatchNormMode;
  /** Strategy 1 only: seed of the re-initialization. Default: unseeded. */
  seed?: number;
}

const FREEZABLE: readonly StageName[] = ['stem', 'layer1', 'layer2', 'layer3', 'layer4'];

/** Position of a layer as (stage index, block index), for comparisons by name. */
function position(layerName: string): [number, number] {
  const stage = STAGE_ORDER.indexOf(stageOf(layerName));
  const block = /^layer[1-4]\.(\d+)\./.exec(layerName);
  return [stage, block ? Number(block[1]) : -1];
}

function upToPosition(upTo: string | undefined, model: tf.LayersModel): [number, number] {
  const blocks = new Set(model.layers.map((l) => /^(layer[1-4]\.\d+)\./.exec(l.name)?.[1]).filter(Boolean));
  if (upTo !== undefined && (FREEZABLE as readonly string[]).includes(upTo)) {
    return [STAGE_ORDER.indexOf(upTo as StageName), Number.POSITIVE_INFINITY];
  }
  if (upTo !== undefined && blocks.has(upTo)) return position(`${upTo}.x`);
  throw new OptionError(
    `freeze strategy 2: upTo must name a stage (${FREEZABLE.join(', ')}) or a block (e.g. layer3.1) of ${model.name}. ` +
      `Received: ${JSON.stringify(upTo)}.`,
  );
}

/** Applies a strategy in place and returns the trainable/non-trainable summary. */
export function applyFreezeStrategy(model: tf.LayersModel, options: FreezeOptions): TrainableSummary {
  const { strategy } = options;
  if (!(strategy in STRATEGY_NAMES))
    throw new OptionError(`applyFreezeStrategy: strategy must be 1, 2 or 3. Received: ${strategy}.`);
  setFrozenBatchNormMode(model, options.frozenBatchNorm ?? 'inference');
  setUnfrozenBatchNormMode(model, options.unfrozenBatchNorm ?? 'train');
  if (strategy === 1) {
    reinitialize(model, { seed: options.seed });
    for (const layer of model.layers) layer.trainable = true;
  } else if (strategy === 2) {
    const [lastStage, lastBlock] = upToPosition(options.upTo, model);
    for (const layer of model.layers) {
      const [stage, block] = position(layer.name);
      layer.trainable = !(stage < lastStage || (stage === lastStage && block <= lastBlock));
    }
  } else {
    for (const layer of model.layers) layer.trainable = stageOf(layer.name) === 'head';
  }
  return trainableSummary(model, `strategy ${strategy} (${STRATEGY_NAMES[strategy]})`);
}

/** The variables an optimizer should update: the trainable weights, in model order. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

export interface TransferGroup {
  name: 'backbone' | 'head';
  learningRate: number;
  variables: tf.Variable[];
}

export interface ParameterGroupOptions {
  /** Learning rate of the head. Required. */
  headLearningRate: number;
  /** Learning rate of the trainable backbone layers. Default: headLearningRate / 10. */
  backboneLearningRate?: number;
}

/**
 * Trainable variables split into backbone and head, each with its learning rate (groups without trainable variables
 * are left out). Training code computes the gradients once (`tf.variableGrads`) and applies each group's with its
 * own optimizer, like PyTorch's `optim.Adam([{params, lr}, ...])`.
 */
export function parameterGroups(model: tf.LayersModel, options: ParameterGroupOptions): TransferGroup[] {
  const head: tf.Variable[] = [];
  const backbone: tf.Variable[] = [];
  for (const layer of model.layers) {
    for (const w of layer.trainableWeights)
      (stageOf(layer.name) === 'head' ? head : backbone).push(w.read() as tf.Variable);
  }
  const groups: TransferGroup[] = [];
  if (backbone.length)
    groups.push({
      name: 'backbone',
      learningRate: options.backboneLearningRate ?? options.headLearningRate / 10,
      variables: backbone,
    });
  if (head.length) groups.push({ name: 'head', learningRate: options.headLearningRate, variables: head });
  return groups;
}
