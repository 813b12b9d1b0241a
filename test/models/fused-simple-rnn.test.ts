import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../src/engine';
import { B, F, maxAbsDiff, T, U } from './fused-layer-checks';
import { FusedSimpleRNN } from '../../src/models';
import { sequenceSimpleRnn } from '../../src/models/recurrent/fused-simple-rnn';

function referenceRnn(x: tf.Tensor3D, w: tf.Tensor2D, u: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor3D {
  let h: tf.Tensor2D = tf.zeros([B, U]);
  const hs: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const xt = tf.reshape(tf.slice(x, [0, t, 0], [-1, 1, -1]), [B, F]);
    h = tf.tanh(tf.add(tf.add(tf.matMul(xt, w), tf.matMul(h, u)), b)) as tf.Tensor2D;
    hs.push(h);
  }
  return tf.stack(hs, 1) as tf.Tensor3D;
}

test('sequenceSimpleRnn matches the tanh RNN equations in value and in the gradients of x, W, U and b', () => {
  ensureEngine();
  tf.tidy(() => {
    const inputs = [
      tf.randomNormal([B, T, F], 0, 1, 'float32', 1),
      tf.randomNormal([F, U], 0, 0.5, 'float32', 2),
      tf.randomNormal([U, U], 0, 0.5, 'float32', 3),
      tf.randomNormal([U], 0, 0.5, 'float32', 4),
    ];
    const weights = tf.randomNormal([B, T, U], 0, 1, 'float32', 5);
    const call =
      (f: typeof sequenceSimpleRnn) =>
      (...v: tf.Tensor[]) =>
        f(v[0] as tf.Tensor3D, v[1] as tf.Tensor2D, v[2] as tf.Tensor2D, v[3] as tf.Tensor1D);
    assert.ok(maxAbsDiff(call(sequenceSimpleRnn)(...inputs), call(referenceRnn)(...inputs)) < 1e-5);
    const got = tf.grads((...v: tf.Tensor[]) => tf.sum(tf.mul(call(sequenceSimpleRnn)(...v), weights)))(inputs);
    const want = tf.grads((...v: tf.Tensor[]) => tf.sum(tf.mul(call(referenceRnn)(...v), weights)))(inputs);
    want.forEach((g, i) => assert.ok(maxAbsDiff(g, got[i]) < 1e-5, `gradient ${i} differs`));
  });
});

test('FusedSimpleRNN: [n, units] by default, a training step leaks no tensors', () => {
  ensureEngine();
  const layer = new FusedSimpleRNN({ units: U, seed: 3 });
  const x = tf.randomNormal([B, T, F], 0, 1, 'float32', 6);
  tf.dispose(layer.apply(x) as tf.Tensor); // builds the weights
  const optimizer = tf.train.sgd(0.1);
  const step = () => optimizer.minimize(() => tf.mean(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar, false);
  step();
  const count = tf.memory().numTensors;
  step();
  assert.equal(tf.memory().numTensors, count);
  tf.tidy(() => assert.deepEqual((layer.apply(x) as tf.Tensor).shape, [B, U]));
  tf.dispose(x);
});
