/**
 * The vanishing-gradient probe of the lesson: how strongly does the loss at the last step depend on the hidden state
 * at each earlier step? It measures ||d loss / d h_t|| for t = 0..T-1 by unrolling a real tfjs cell step by step and
 * adding a zero "probe" tensor e_t to each hidden state: d loss / d e_t = d loss / d h_t.
 *
 * The lesson's arithmetic is the linear case: with h_t = w * h_{t-1}, d h_T / d h_{T-10} = w^10, so 0.9^10 = 0.349
 * (vanishing) and 1.1^10 = 2.59 (exploding). `linearRecurrenceGradients` computes exactly that with the same
 * machinery, so the probe itself is tested against a number you can check by hand.
 *
 * What it shows at initialization (100 steps, inputs N(0, 1), Keras default init): all three cells lose the signal
 * (SimpleRNN ~1e-15, LSTM and GRU below float32 range). An LSTM is not better by magic: its cell path carries the
 * gradient only when the forget gate stays open, which training can learn; `forgetBias` shows the mechanism.
 */
import * as tf from '@tensorflow/tfjs';
import { orthogonalInitializer } from './orthogonal';
import { ensureEngine } from '../../engine';
import type { RecurrentCell } from './rnn';
import { OptionError } from '../../errors';

export interface GradientFlowOptions {
  /** Cell type. Required. */
  cell: RecurrentCell;
  /** Sequence length. Default: 100. */
  steps?: number;
  /** Hidden units. Default: 32. */
  units?: number;
  /** Input features per step. Default: 8. */
  features?: number;
  /** Sequences in the batch. Default: 4. */
  batch?: number;
  /** Seed of inputs and weights. Default: 0. */
  seed?: number;
  /** LSTM only: initial forget-gate bias. Default: tfjs's, 0 (tfjs leaves `unitForgetBias` off, so f starts at
   *  sigmoid(0) = 0.5; Keras in Python turns it on, a bias of 1, f = 0.73). A large value (e.g. 5) opens the forget
   *  gate, f = sigmoid(5) = 0.993, which is what lets an LSTM carry gradient across many steps. */
  forgetBias?: number;
}

export interface GradientFlow {
  cell: RecurrentCell;
  /** norms[t] = ||d loss / d h_t|| (Frobenius over the batch), t = 0..steps-1; loss = mean over the batch of sum(h_T). */
  norms: number[];
  /** norms[0] / norms[steps - 1]: how much of the signal reaches the first step. */
  firstToLastRatio: number;
}

function makeCell(cell: RecurrentCell, units: number, seed: number): tf.layers.RNNCell {
  const args = {
    units,
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    recurrentInitializer: orthogonalInitializer(seed + 1),
  };
  if (cell === 'simple') return tf.layers.simpleRNNCell(args);
  if (cell === 'lstm') return tf.layers.lstmCell(args);
  if (cell === 'gru') return tf.layers.gruCell({ ...args, resetAfter: false });
  throw new OptionError(`gradientFlow: cell must be 'simple', 'lstm' or 'gru'. Received: ${JSON.stringify(cell)}.`);
}

/** Measures ||d loss / d h_t|| per step for one cell type. */
export function gradientFlow(options: GradientFlowOptions): GradientFlow {
  ensureEngine();
  const { cell, steps = 100, units = 32, features = 8, batch = 4, seed = 0 } = options;
  const rnnCell = makeCell(cell, units, seed);
  rnnCell.build([batch, features]);
  if (cell === 'lstm' && options.forgetBias !== undefined) {
    // LSTM bias layout: [input, forget, cell, output] gates, `units` each.
    const bias = rnnCell.weights[2];
    const values = Float32Array.from(bias.read().dataSync());
    values.fill(options.forgetBias, units, 2 * units);
    tf.tidy(() => {
      bias.write(tf.tensor1d(values));
    });
  }
  const norms = tf.tidy(() => {
    const xs = tf.unstack(tf.randomNormal([steps, batch, features], 0, 1, 'float32', seed + 2));
    const probes = Array.from({ length: steps }, () => tf.zeros([batch, units]));
    const loss = (...e: tf.Tensor[]) => {
      let h: tf.Tensor = tf.zeros([batch, units]);
      let c: tf.Tensor = tf.zeros([batch, units]);
      for (let t = 0; t < steps; t++) {
        const out = rnnCell.call(cell === 'lstm' ? [xs[t], h, c] : [xs[t], h], {}) as tf.Tensor[];
        h = tf.add(out[0], e[t]);
        if (cell === 'lstm') c = out[2];
      }
      return tf.div(tf.sum(h), batch) as tf.Scalar;
    };
    const grads = tf.grads(loss)(probes);
    return grads.map((g) => tf.norm(g).dataSync()[0]);
  });
  for (const w of rnnCell.weights) w.dispose(); // the cell was called directly, never applied, so Layer.dispose refuses
  return { cell, norms, firstToLastRatio: norms[0] / norms[steps - 1] };
}

/** d h_T / d h_t for the scalar linear recurrence h_t = w * h_{t-1} (h_0 = 1), t = 0..steps; equals w^(steps - t). */
export function linearRecurrenceGradients(w: number, steps: number): number[] {
  ensureEngine();
  return tf.tidy(() => {
    const probes = Array.from({ length: steps + 1 }, () => tf.scalar(0));
    const loss = (...e: tf.Tensor[]) => {
      let h: tf.Tensor = tf.add(tf.scalar(1), e[0]);
      for (let t = 1; t <= steps; t++) h = tf.add(tf.mul(h, w), e[t]);
      return h as tf.Scalar;
    };
    return tf
      .grads(loss)(probes)
      .map((g) => g.dataSync()[0]);
  });
}
