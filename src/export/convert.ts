/**
 * Rebuilds a model from standard tfjs layers only, so that plain `@tensorflow/tfjs` (no lessonkit classes, no native
 * ops) can load it. The new model is built functionally from the original's graph, node by node from the outputs:
 * - a `TorchBatchNorm` (or tfjs `BatchNormalization` on the last axis) whose input is a linear `Conv2D` or `Dense`
 *   output read by nothing else is folded into that layer, which gets a bias:
 *       W' = W * s,  b' = (b - mean) * s + beta,  s = gamma / sqrt(var + eps)   (per output channel);
 *   any other `TorchBatchNorm` becomes a standard `BatchNormalization` in inference mode (same statistics);
 * - `LogSoftmax` at a model output becomes a softmax `Activation`: the exported model gives probabilities;
 * - `FusedLSTM` / `FusedGRU` / `FusedSimpleRNN` become `tf.layers.lstm` / `gru` / `simpleRNN` with sigmoid gates
 *   and the weights moved into tfjs's layout (see recurrent-weights.ts);
 * - every other layer whose class plain tfjs knows is rebuilt from its config with the same weights; a nested model
 *   is inlined;
 * - anything else throws `UnconvertibleLayerError`, naming the layer and its class.
 */
import * as tf from '@tensorflow/tfjs';
import { FusedGRU, FusedLSTM, FusedSimpleRNN, TorchBatchNorm } from '../models';
import { LessonkitError } from '../errors';
import { gruWeightsFromFused, lstmWeightsFromFused } from './recurrent-weights';

/** A layer `exportForBrowser` cannot express with standard tfjs layers. */
export class UnconvertibleLayerError extends LessonkitError {
  constructor(
    message: string,
    readonly layerName: string,
    readonly className: string,
  ) {
    super(message);
  }
}

/** Layer classes that plain `@tensorflow/tfjs` 4.x registers for `tf.loadLayersModel` (tfjs-layers' own). */
export const STANDARD_LAYER_CLASSES: ReadonlySet<string> = new Set([
  'Activation',
  'Add',
  'AlphaDropout',
  'Average',
  'AveragePooling1D',
  'AveragePooling2D',
  'AveragePooling3D',
  'BatchNormalization',
  'Bidirectional',
  'Concatenate',
  'Conv1D',
  'Conv2D',
  'Conv2DTranspose',
  'Conv3D',
  'ConvLSTM2D',
  'Cropping2D',
  'Dense',
  'DepthwiseConv2D',
  'Dot',
  'Dropout',
  'ELU',
  'Embedding',
  'Flatten',
  'GRU',
  'GaussianDropout',
  'GaussianNoise',
  'GlobalAveragePooling1D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling1D',
  'GlobalMaxPooling2D',
  'InputLayer',
  'LSTM',
  'LayerNormalization',
  'LeakyReLU',
  'Masking',
  'MaxPooling1D',
  'MaxPooling2D',
  'MaxPooling3D',
  'Maximum',
  'Minimum',
  'Multiply',
  'PReLU',
  'Permute',
  'ReLU',
  'RepeatVector',
  'Reshape',
  'SeparableConv2D',
  'SimpleRNN',
  'Softmax',
  'SpatialDropout1D',
  'Subtract',
  'ThresholdedReLU',
  'TimeDistributed',
  'UpSampling2D',
  'ZeroPadding2D',
]);

export interface ConvertedModel {
  /** The standard-layers model (shares no variables with the original). */
  model: tf.LayersModel;
  /** BatchNorm layers folded into the preceding Conv2D / Dense. */
  layersFolded: number;
  /** What changed on the way (BatchNorm kept as a layer, LogSoftmax turned into softmax, recurrent layers moved). */
  notes: string[];
  /** Whether a LogSoftmax output was turned into a softmax output. */
  logSoftmaxToSoftmax: boolean;
}

type Sym = tf.SymbolicTensor;

/** tfjs-layers' `Node` (not exported): one application of a layer. */
interface GraphNode {
  outboundLayer: tf.layers.Layer;
  inputTensors: Sym[];
  outputTensors: Sym[];
}

interface BnParams {
  gamma?: tf.Tensor;
  beta?: tf.Tensor;
  mean: tf.Tensor;
  variance: tf.Tensor;
  epsilon: number;
}

function className(layer: tf.layers.Layer): string {
  return layer.getClassName();
}

function nodeOf(t: Sym): GraphNode {
  const layer = t.sourceLayer as tf.layers.Layer;
  return (layer as unknown as { inboundNodes: GraphNode[] }).inboundNodes[t.nodeIndex];
}

/** The BatchNorm parameters of a TorchBatchNorm or a last-axis tfjs BatchNormalization; undefined otherwise. */
function batchNormParams(layer: tf.layers.Layer): BnParams | undefined {
  if (layer instanceof TorchBatchNorm) {
    const [gamma, beta, mean, variance] = layer.getWeights();
    return { gamma, beta, mean, variance, epsilon: layer.epsilon };
  }
  if (className(layer) === 'BatchNormalization') {
    const c = layer.getConfig() as { axis: number; center: boolean; scale: boolean; epsilon: number };
    const rank = (layer.input as Sym).shape.length;
    if (c.axis !== -1 && c.axis !== rank - 1) return undefined;
    const w = layer.getWeights();
    let i = 0;
    const gamma = c.scale ? w[i++] : undefined;
    const beta = c.center ? w[i++] : undefined;
    return { gamma, beta, mean: w[i], variance: w[i + 1], epsilon: c.epsilon };
  }
  return undefined;
}

/** A fresh layer of the same class and config (plus `changes`), for a class plain tfjs registers. */
function cloneStandard(layer: tf.layers.Layer, changes: Record<string, unknown> = {}): tf.layers.Layer {
  const cls = className(layer);
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[cls];
  if (!STANDARD_LAYER_CLASSES.has(cls) || !entry) {
    throw new UnconvertibleLayerError(
      `exportForBrowser: layer "${layer.name}" (class ${cls}) has no standard tfjs equivalent, so plain ` +
        `@tensorflow/tfjs in a browser could not load it. Convertible: the standard tfjs layers, TorchBatchNorm, ` +
        `LogSoftmax (at an output), FusedLSTM, FusedGRU, FusedSimpleRNN.`,
      layer.name,
      cls,
    );
  }
  const config = { ...(layer.getConfig() as Record<string, unknown>), ...changes };
  delete config.batchInputShape;
  delete config.inputShape;
  const [ctor, fromConfig] = entry;
  return fromConfig(ctor, config as tf.serialization.ConfigDict) as unknown as tf.layers.Layer;
}

/** Checks a nested wrapper (Bidirectional, TimeDistributed) wraps only standard classes. */
function checkWrapped(layer: tf.layers.Layer): void {
  const inner = (layer as unknown as { layer?: tf.layers.Layer }).layer;
  if (inner instanceof tf.layers.Layer && !STANDARD_LAYER_CLASSES.has(className(inner))) {
    throw new UnconvertibleLayerError(
      `exportForBrowser: layer "${layer.name}" (class ${className(layer)}) wraps "${inner.name}" (class ` +
        `${className(inner)}), which has no standard tfjs equivalent inside a wrapper.`,
      inner.name,
      className(inner),
    );
  }
}

class GraphConverter {
  layersFolded = 0;
  logSoftmaxToSoftmax = false;
  readonly notes = new Set<string>();

  /** Converts `model`'s graph with its inputs bound to `inputs`; returns its converted outputs. */
  convertGraph(model: tf.LayersModel, inputs: Sym[]): Sym[] {
    const memo = new Map<number, Sym>();
    model.inputs.forEach((t, i) => memo.set(t.id, inputs[i]));
    const consumers = new Map<number, number>();
    const outputIds = new Set(model.outputs.map((t) => t.id));
    // Count readers of every tensor inside this graph (a model output counts as one).
    const seen = new Set<GraphNode>();
    const stack = [...model.outputs];
    const inputIds = new Set(model.inputs.map((t) => t.id));
    while (stack.length) {
      const t = stack.pop() as Sym;
      if (inputIds.has(t.id)) continue;
      const node = nodeOf(t);
      if (seen.has(node)) continue;
      seen.add(node);
      for (const x of node.inputTensors) {
        consumers.set(x.id, (consumers.get(x.id) ?? 0) + 1);
        stack.push(x);
      }
    }
    for (const id of outputIds) consumers.set(id, (consumers.get(id) ?? 0) + 1);

    const convert = (t: Sym): Sym => {
      const done = memo.get(t.id);
      if (done) return done;
      const node = nodeOf(t);
      const layer = node.outboundLayer;
      if (className(layer) === 'InputLayer') {
        throw new UnconvertibleLayerError(
          `exportForBrowser: input "${layer.name}" is not an input of model "${model.name}".`,
          layer.name,
          'InputLayer',
        );
      }
      const outs = this.convertNode(node, convert, consumers, outputIds);
      node.outputTensors.forEach((o, i) => memo.set(o.id, outs[i]));
      return memo.get(t.id) as Sym;
    };
    return model.outputs.map(convert);
  }

  private convertNode(
    node: GraphNode,
    convert: (t: Sym) => Sym,
    consumers: Map<number, number>,
    outputIds: Set<number>,
  ): Sym[] {
    const layer = node.outboundLayer;
    const apply = (l: tf.layers.Layer, inputs: Sym[]): Sym[] => {
      const out = l.apply(inputs.length === 1 ? inputs[0] : inputs) as Sym | Sym[];
      return Array.isArray(out) ? out : [out];
    };
    // A nested model: inline its graph.
    if (layer instanceof tf.LayersModel) {
      return this.convertGraph(layer, node.inputTensors.map(convert));
    }
    // BatchNorm: fold into the conv/dense before it when that output feeds only this BatchNorm.
    const bn = batchNormParams(layer);
    if (bn) {
      const src = node.inputTensors[0];
      const prev = src.sourceLayer as tf.layers.Layer;
      const prevClass = className(prev);
      const prevConfig = prev.getConfig() as { activation?: string; dataFormat?: string; useBias?: boolean };
      const foldable =
        (prevClass === 'Conv2D' || prevClass === 'Dense') &&
        (prevConfig.activation ?? 'linear') === 'linear' &&
        (prevConfig.dataFormat ?? 'channelsLast') === 'channelsLast' &&
        consumers.get(src.id) === 1 &&
        !outputIds.has(src.id);
      if (foldable) {
        const prevNode = nodeOf(src);
        const folded = cloneStandard(prev, { useBias: true, biasInitializer: { className: 'Zeros', config: {} } });
        const out = apply(folded, prevNode.inputTensors.map(convert));
        const weights = tf.tidy(() => {
          const [kernel, bias] = prev.getWeights();
          const out = kernel.shape[kernel.shape.length - 1] as number;
          const scale = tf.div(bn.gamma ?? tf.ones([out]), tf.sqrt(tf.add(bn.variance, bn.epsilon)));
          const b0 = prevConfig.useBias && bias ? bias : tf.zeros([out]);
          return [tf.mul(kernel, scale), tf.add(tf.mul(tf.sub(b0, bn.mean), scale), bn.beta ?? tf.zeros([out]))];
        });
        folded.setWeights(weights);
        tf.dispose(weights);
        this.layersFolded++;
        return out;
      }
      if (layer instanceof TorchBatchNorm) {
        const standard = tf.layers.batchNormalization({ name: layer.name, epsilon: layer.epsilon, axis: -1 });
        const out = apply(standard, node.inputTensors.map(convert));
        standard.setWeights(layer.getWeights());
        this.notes.add(
          `TorchBatchNorm "${layer.name}" follows no foldable Conv2D/Dense; exported as a BatchNormalization layer (inference statistics).`,
        );
        return out;
      }
    }
    if (className(layer) === 'LogSoftmax') {
      if (!node.outputTensors.every((t) => outputIds.has(t.id) && consumers.get(t.id) === 1)) {
        throw new UnconvertibleLayerError(
          `exportForBrowser: layer "${layer.name}" (class LogSoftmax) feeds other layers; plain tfjs has no ` +
            `log-softmax layer, and only a LogSoftmax at a model output can be exported (as a softmax output).`,
          layer.name,
          'LogSoftmax',
        );
      }
      this.logSoftmaxToSoftmax = true;
      this.notes.add(
        `LogSoftmax output "${layer.name}" exported as a softmax: the exported model gives probabilities (exp of the original's log-probabilities).`,
      );
      return apply(tf.layers.activation({ activation: 'softmax', name: layer.name }), node.inputTensors.map(convert));
    }
    if (layer instanceof FusedLSTM || layer instanceof FusedGRU || layer instanceof FusedSimpleRNN) {
      return this.convertRecurrent(layer, node.inputTensors.map(convert));
    }
    checkWrapped(layer);
    const clone = cloneStandard(layer);
    const out = apply(clone, node.inputTensors.map(convert));
    clone.setWeights(layer.getWeights());
    return out;
  }

  private convertRecurrent(layer: FusedLSTM | FusedGRU | FusedSimpleRNN, inputs: Sym[]): Sym[] {
    const common = { units: layer.units, returnSequences: layer.returnSequences, name: layer.name };
    let standard: tf.layers.Layer;
    let weights: tf.Tensor[];
    if (layer instanceof FusedLSTM) {
      standard = tf.layers.lstm({
        ...common,
        goBackwards: layer.goBackwards,
        activation: 'tanh',
        recurrentActivation: 'sigmoid',
        unitForgetBias: false,
      });
      weights = lstmWeightsFromFused(layer.getWeights(), layer.units);
      this.notes.add(
        `FusedLSTM "${layer.name}" -> tf.layers.lstm (sigmoid gates; columns moved from TensorFlow's block order [i, c, f, o] to tfjs's [i, f, c, o]).`,
      );
    } else if (layer instanceof FusedGRU) {
      standard = tf.layers.gru({
        ...common,
        activation: 'tanh',
        recurrentActivation: 'sigmoid',
        resetAfter: false,
      } as Parameters<typeof tf.layers.gru>[0]);
      weights = gruWeightsFromFused(layer.getWeights(), layer.units);
      this.notes.add(
        `FusedGRU "${layer.name}" -> tf.layers.gru (reset before the recurrent matmul, reset_after=false as GRUBlockCell; sigmoid gates; [r, u] + c moved to tfjs's [z, r, h]).`,
      );
    } else {
      standard = tf.layers.simpleRNN({ ...common, activation: 'tanh' });
      weights = layer.getWeights();
      this.notes.add(`FusedSimpleRNN "${layer.name}" -> tf.layers.simpleRNN (same weights).`);
    }
    const out = standard.apply(inputs[0]) as Sym;
    standard.setWeights(weights);
    // The LSTM/GRU weights are new tensors (the SimpleRNN's are the layer's own variables: kept).
    if (!(layer instanceof FusedSimpleRNN)) tf.dispose(weights);
    return [out];
  }
}

/** The converted model: standard tfjs layers only, inference mode (see the module header). */
export function toStandardModel(model: tf.LayersModel): ConvertedModel {
  const converter = new GraphConverter();
  const inputs = model.inputs.map((t) =>
    tf.input({ batchShape: t.shape, dtype: t.dtype, name: (t.sourceLayer as tf.layers.Layer).name }),
  );
  const outputs = converter.convertGraph(model, inputs);
  const standard = tf.model({ inputs, outputs, name: model.name });
  const notes = [...converter.notes];
  if (converter.layersFolded > 0)
    notes.unshift(
      `${converter.layersFolded} BatchNorm layers folded into the Conv2D/Dense before them (given a bias).`,
    );
  return {
    model: standard,
    layersFolded: converter.layersFolded,
    notes,
    logSoftmaxToSoftmax: converter.logSoftmaxToSoftmax,
  };
}

/** Class names in a serialized topology (model.json's `modelTopology`), nested wrappers and models included. */
export function topologyClassNames(topology: unknown): string[] {
  const names: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.class_name === 'string' && o.config && typeof o.config === 'object' && 'name' in o.config) {
        names.push(o.class_name);
      }
      Object.values(o).forEach(walk);
    }
  };
  walk(topology);
  return names;
}
