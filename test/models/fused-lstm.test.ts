import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../src/engine';
import { assertTrainsWithoutLeak, B, F, maxAbsDiff, T, U } from './fused-layer-checks';
import { FusedLSTM } from '../../src/models';
import { blockLstm } from '../../src/models/recurrent/fused-lstm';

/** The LSTM equations step by step in tfjs ops, gates in TF's block order [i, c, f, o]. */
function referenceLstm(x: tf.Tensor3D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor3D {
  let h: tf.Tensor2D = tf.zeros([B, U]);
  let c: tf.Tensor2D = tf.zeros([B, U]);
  const hs: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const xt = tf.reshape(tf.slice(x, [0, t, 0], [-1, 1, -1]), [B, F]);
    const z = tf.add(tf.matMul(tf.concat([xt, h], 1), w), b);
    const [i, ci, f, o] = tf.split(z, 4, 1);
    c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(ci)));
    h = tf.mul(tf.sigmoid(o), tf.tanh(c));
    hs.push(h);
  }
  return tf.stack(hs, 1) as tf.Tensor3D;
}

test('blockLstm (native BlockLSTM + BlockLSTMGrad) matches the LSTM equations in value and gradients', () => {
  ensureEngine();
  tf.tidy(() => {
    const x = tf.randomNormal([B, T, F], 0, 1, 'float32', 1) as tf.Tensor3D;
    const w = tf.randomNormal([F + U, 4 * U], 0, 0.5, 'float32', 2) as tf.Tensor2D;
    const b = tf.randomNormal([4 * U], 0, 0.5, 'float32', 3) as tf.Tensor1D;
    const weights = tf.randomNormal([B, T, U], 0, 1, 'float32', 4);
    assert.ok(maxAbsDiff(blockLstm(x, w, b), referenceLstm(x, w, b)) < 1e-5);
    const loss = (f: typeof blockLstm) => (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
      tf.sum(tf.mul(f(xs as tf.Tensor3D, ws as tf.Tensor2D, bs as tf.Tensor1D), weights));
    const got = tf.grads(loss(blockLstm))([x, w, b]);
    const want = tf.grads(loss(referenceLstm))([x, w, b]);
    want.forEach((g, i) => assert.ok(maxAbsDiff(g, got[i]) < 1e-5, `gradient ${i} differs`));
  });
});

test('blockLstm rejects a kernel of the wrong shape, naming the expected one', () => {
  ensureEngine();
  tf.tidy(() => {
    assert.throws(
      () => blockLstm(tf.zeros([B, T, F]), tf.zeros([F, 4 * U]), tf.zeros([4 * U])),
      /kernel must be \[features \+ units, 4 \* units\] = \[9, 24\]/,
    );
  });
});

test('FusedLSTM: last step [n, units], all steps with returnSequences, goBackwards reads the reversed sequence', () => {
  ensureEngine();
  const x = tf.randomNormal([B, T, F], 0, 1, 'float32', 5);
  const forward = new FusedLSTM({ units: U, seed: 1, returnSequences: true });
  const backward = new FusedLSTM({ units: U, seed: 1, goBackwards: true });
  tf.tidy(() => {
    const all = forward.apply(x) as tf.Tensor;
    assert.deepEqual(all.shape, [B, T, U]);
    backward.apply(x);
    backward.setWeights(forward.getWeights());
    const last = backward.apply(x) as tf.Tensor;
    assert.deepEqual(last.shape, [B, U]);
    const viaReversed = tf.reshape(tf.slice(forward.apply(tf.reverse(x, 1)) as tf.Tensor, [0, T - 1, 0], [-1, 1, -1]), [
      B,
      U,
    ]);
    assert.ok(maxAbsDiff(last, viaReversed) < 1e-6);
  });
  tf.dispose(x);
});

test('a training step through FusedLSTM changes its weights and leaks no tensors', () => {
  ensureEngine();
  assertTrainsWithoutLeak(new FusedLSTM({ units: U, seed: 2 }));
});
