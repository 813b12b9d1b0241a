/**
 * The recurrent family of the lesson: SimpleRNN, LSTM and GRU, optionally bidirectional, stacked, with dropout, for
 * three sequence tasks:
 * - `'many-to-one'`: `[n, steps, features]` → `[n, outputUnits]` (e.g. classify an MNIST image read row by row);
 * - `'many-to-many'`: `[n, steps, features]` → `[n, steps, outputUnits]` (`returnSequences` on the last layer);
 * - `'one-to-many'`: `[n, features]` → `[n, outputSteps, outputUnits]` (the vector is repeated `outputSteps` times).
 *
 * Porting note (GRU): tfjs's GRU is the "reset before" variant (Keras `reset_after=False`): the reset gate multiplies
 * h before the recurrent matmul, `n = tanh(W x + U (r * h) + b)`. PyTorch's `nn.GRU` applies it after,
 * `n = tanh(W x + b_in + r * (U h + b_hn))` (Keras `reset_after=True`, which tfjs rejects). Both are GRUs with the same
 * gates and behave alike in training, but their weights do not transfer one-to-one. Ours is the reset-before variant.
 * Porting note (dropout): like PyTorch's `dropout=` argument, dropout acts between stacked layers, not on the last.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '../../errors';
import { orthogonalInitializer, silenceOrthogonalWarnings } from './orthogonal';

export type RecurrentCell = 'simple' | 'lstm' | 'gru';
export type SequenceTask = 'many-to-one' | 'many-to-many' | 'one-to-many';

export interface RecurrentModelOptions {
  /** Cell type. Required. */
  cell: RecurrentCell;
  /** `[steps, features]` for many-to-one / many-to-many, `[features]` for one-to-many. Required. */
  inputShape: number[];
  /** Outputs per step (classes or regression targets). Required. */
  outputUnits: number;
  /** Hidden units per direction. Default: 128. */
  units?: number;
  /** Stacked recurrent layers. Default: 1. */
  layers?: number;
  /** Wrap every recurrent layer in `Bidirectional`. Default: false. */
  bidirectional?: boolean;
  /** How the two directions combine. Default: `'concat'`. */
  mergeMode?: 'concat' | 'sum' | 'mul' | 'ave';
  /** Dropout rate between stacked layers. Default: 0. */
  dropout?: number;
  /** Default: `'many-to-one'`. */
  task?: SequenceTask;
  /** Output length for one-to-many. Required for that task. */
  outputSteps?: number;
  /** Activation of the output layer. Default: `'linear'` (logits). */
  outputActivation?: 'linear' | 'softmax' | 'sigmoid';
  /** Seed for the initializers. Default: unseeded. */
  seed?: number;
}

/** The tfjs recurrent layer for a cell type. */
export function recurrentLayer(
  cell: RecurrentCell,
  args: { units: number; returnSequences: boolean; name?: string; seed?: number },
): tf.layers.Layer {
  const common: {
    units: number;
    returnSequences: boolean;
    name?: string;
    kernelInitializer?: ReturnType<typeof tf.initializers.glorotUniform>;
    recurrentInitializer?: ReturnType<typeof tf.initializers.glorotUniform>;
  } = {
    units: args.units,
    returnSequences: args.returnSequences,
    name: args.name,
  };
  if (args.seed !== undefined) common.kernelInitializer = tf.initializers.glorotUniform({ seed: args.seed });
  common.recurrentInitializer = orthogonalInitializer(args.seed === undefined ? undefined : args.seed + 1);
  if (cell === 'simple') return tf.layers.simpleRNN(common);
  if (cell === 'lstm') return tf.layers.lstm(common);
  if (cell === 'gru') return tf.layers.gru({ ...common, resetAfter: false } as Parameters<typeof tf.layers.gru>[0]);
  throw new OptionError(`recurrentLayer: cell must be 'simple', 'lstm' or 'gru'. Received: ${JSON.stringify(cell)}.`);
}

/** Builds a recurrent classifier/regressor for one of the three sequence tasks. */
export function recurrentModel(options: RecurrentModelOptions): tf.LayersModel {
  const o = {
    units: 128,
    layers: 1,
    bidirectional: false,
    mergeMode: 'concat' as const,
    dropout: 0,
    task: 'many-to-one' as SequenceTask,
    outputActivation: 'linear' as const,
    ...options,
  };
  const bad = (why: string, option?: string): never => {
    throw new OptionError(`recurrentModel: ${why}. Received: ${JSON.stringify(options)}.`, option);
  };
  for (const name of ['units', 'outputUnits'] as const) {
    const v = o[name];
    if (!Number.isInteger(v) || v < 1)
      bad(`options.${name} must be a positive integer, found ${JSON.stringify(v)}`, name);
  }
  if (!['simple', 'lstm', 'gru'].includes(o.cell)) bad(`cell must be 'simple', 'lstm' or 'gru'`);
  if (!['many-to-one', 'many-to-many', 'one-to-many'].includes(o.task))
    bad(`task must be 'many-to-one', 'many-to-many' or 'one-to-many'`);
  const wantRank = o.task === 'one-to-many' ? 1 : 2;
  if (!Array.isArray(o.inputShape) || o.inputShape.length !== wantRank)
    bad(`inputShape must have ${wantRank} entries for ${o.task}`);
  if (!Number.isInteger(o.layers) || o.layers < 1) bad('layers must be a positive integer');
  if (!(o.dropout >= 0 && o.dropout < 1)) bad('dropout must be in [0, 1)');
  if (o.task === 'one-to-many' && !(Number.isInteger(o.outputSteps) && (o.outputSteps as number) > 0))
    bad('one-to-many needs outputSteps > 0');

  const input = tf.input({ shape: o.inputShape, name: 'input' });
  let x: tf.SymbolicTensor = input;
  if (o.task === 'one-to-many')
    x = tf.layers.repeatVector({ n: o.outputSteps as number, name: 'repeat' }).apply(x) as tf.SymbolicTensor;
  for (let i = 0; i < o.layers; i++) {
    const last = i === o.layers - 1;
    const seed = o.seed === undefined ? undefined : o.seed + 10 * i;
    const returnSequences = !last || o.task !== 'many-to-one';
    const layer = o.bidirectional
      ? silenceOrthogonalWarnings(
          tf.layers.bidirectional({
            layer: recurrentLayer(o.cell, { units: o.units, returnSequences, seed }) as never,
            mergeMode: o.mergeMode,
            name: `rnn.${i}`,
          }),
        )
      : recurrentLayer(o.cell, { units: o.units, returnSequences, seed, name: `rnn.${i}` });
    x = layer.apply(x) as tf.SymbolicTensor;
    if (!last && o.dropout > 0)
      x = tf.layers.dropout({ rate: o.dropout, name: `dropout.${i}` }).apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers
    .dense({ units: o.outputUnits, activation: o.outputActivation, name: 'fc' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: `${o.bidirectional ? 'bi' : ''}${o.cell}-${o.task}` });
}
