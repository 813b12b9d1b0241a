/** Checks the fused recurrent layer tests share: a small shape, the max difference, and one training step. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';

/** Batch, steps, features, units of the tests' sequences. */
export const B = 4;
export const T = 5;
export const F = 3;
export const U = 6;

export const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number =>
  tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

/** Two Adam steps through `layer` + a dense head: the second one changes the first weight and leaves no tensors. */
export function assertTrainsWithoutLeak(layer: tf.layers.Layer): void {
  const input = tf.input({ shape: [T, F] });
  const out = tf.layers.dense({ units: 2 }).apply(layer.apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const x = tf.randomNormal([B, T, F], 0, 1, 'float32', 6);
  const y = tf.randomNormal([B, 2], 0, 1, 'float32', 7);
  const optimizer = tf.train.adam(1e-2);
  const step = () =>
    optimizer.minimize(
      () => tf.mean(tf.square(tf.sub(model.apply(x, { training: true }) as tf.Tensor, y))) as tf.Scalar,
      false,
    );
  step();
  const before = model.getWeights()[0].dataSync().slice();
  const count = tf.memory().numTensors;
  step();
  assert.equal(tf.memory().numTensors, count, 'a training step leaves no tensors');
  assert.ok(
    model
      .getWeights()[0]
      .dataSync()
      .some((v, i) => v !== before[i]),
    'the step changes the weights',
  );
  tf.dispose([x, y]);
  optimizer.dispose();
}
