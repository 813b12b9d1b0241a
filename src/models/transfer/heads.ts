/**
 * Replacing the classifier, as the lesson does with `model.fc = ...`. The new head sits on the pooled features and is
 * named like the PyTorch module it mirrors, so its weights keep torch-compatible keys:
 * - `{ classes: 10 }` → `fc` = `nn.Linear(in, 10)`;
 * - `{ classes: 10, logSoftmax: true }` → `fc.0` Linear, `fc.1` LogSoftmax (for an NLL loss);
 * - `{ kind: 'mlp', classes: 10, hidden: [256], dropout: 0.5 }` → `fc.0` Linear, `fc.1` ReLU, `fc.2` Dropout,
 *   `fc.3` Linear (and `fc.4` LogSoftmax when asked).
 * Backbone layers are shared with the input model (same weights, same trainable flags).
 */
import * as tf from '@tensorflow/tfjs';
import { LogSoftmax } from '../ops/log-softmax';
import { reinitialize } from '../ops/reinitialize';
import { OptionError } from '../../errors';

export interface LinearHeadSpec {
  kind?: 'linear';
  /** Output classes. Required. */
  classes: number;
  /** Append LogSoftmax (for NLL loss). Default: false (logits, for a cross-entropy loss). */
  logSoftmax?: boolean;
}

export interface MlpHeadSpec {
  kind: 'mlp';
  /** Output classes. Required. */
  classes: number;
  /** Hidden layer widths (ReLU, then dropout, after each). Required, at least one. */
  hidden: number[];
  /** Dropout rate after each hidden layer. Default: 0.5. */
  dropout?: number;
  /** Append LogSoftmax. Default: false. */
  logSoftmax?: boolean;
}

export type HeadSpec = LinearHeadSpec | MlpHeadSpec;

export interface ReplaceHeadOptions {
  /** Seed for the new head's init (PyTorch's Linear default). Default: unseeded. */
  seed?: number;
}

const isHeadLayer = (name: string) => name === 'fc' || name.startsWith('fc.');

function checkSpec(spec: HeadSpec): void {
  const bad = (why: string): never => {
    throw new OptionError(`replaceHead: invalid head spec: ${why}. Received: ${JSON.stringify(spec)}.`);
  };
  if (typeof spec !== 'object' || spec === null) bad('expected an object');
  const kind = spec.kind ?? 'linear';
  if (kind !== 'linear' && kind !== 'mlp') bad(`kind must be 'linear' or 'mlp'`);
  if (!Number.isInteger(spec.classes) || spec.classes < 1) bad('classes must be a positive integer');
  if (kind === 'mlp') {
    const mlp = spec as MlpHeadSpec;
    if (
      !Array.isArray(mlp.hidden) ||
      mlp.hidden.length === 0 ||
      !mlp.hidden.every((h) => Number.isInteger(h) && h > 0)
    ) {
      bad('hidden must be a non-empty list of positive integers');
    }
    if (mlp.dropout !== undefined && !(mlp.dropout >= 0 && mlp.dropout < 1)) bad('dropout must be in [0, 1)');
  }
}

/** The pooled-features tensor a head reads: the input of the current head, else the (pooled) model output. */
export function featureTensor(model: tf.LayersModel): tf.SymbolicTensor {
  const firstHead = model.layers.find((l) => isHeadLayer(l.name));
  if (firstHead) return firstHead.input as tf.SymbolicTensor;
  const out = model.outputs[0];
  if (out.shape.length === 2) return out;
  if (out.shape.length === 4)
    return tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(out) as tf.SymbolicTensor;
  throw new Error(
    `replaceHead: model ${model.name} outputs shape [${out.shape}]; expected pooled features [n, C] or a map [n, h, w, C].`,
  );
}

/** Returns a new model: the same backbone with `spec` as its head. */
export function replaceHead(model: tf.LayersModel, spec: HeadSpec, options: ReplaceHeadOptions = {}): tf.LayersModel {
  checkSpec(spec);
  let x = featureTensor(model);
  const names: string[] = [];
  const add = (layer: tf.layers.Layer) => {
    names.push(layer.name);
    x = layer.apply(x) as tf.SymbolicTensor;
  };
  const sequential = spec.kind === 'mlp' || spec.logSoftmax === true;
  let i = 0;
  const next = () => (sequential ? `fc.${i++}` : 'fc');
  if (spec.kind === 'mlp') {
    for (const units of spec.hidden) {
      add(tf.layers.dense({ units, name: next() }));
      add(tf.layers.reLU({ name: next() }));
      add(tf.layers.dropout({ rate: spec.dropout ?? 0.5, name: next() }));
    }
  }
  add(tf.layers.dense({ units: spec.classes, name: next() }));
  if (spec.logSoftmax) add(new LogSoftmax({ name: next() }));
  const replaced = tf.model({ inputs: model.inputs, outputs: x, name: model.name });
  reinitialize(replaced, { seed: options.seed, filter: (n) => names.includes(n) });
  return replaced;
}
