import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../src/engine';
import { assertTrainsWithoutLeak, B, F, maxAbsDiff, T, U } from './fused-layer-checks';
import { FusedGRU } from '../../src/models';
import { blockGru } from '../../src/models/recurrent/fused-gru';

/** The reset-before GRU equations step by step in tfjs ops. */
function referenceGru(
  x: tf.Tensor3D,
  wRu: tf.Tensor2D,
  wC: tf.Tensor2D,
  bRu: tf.Tensor1D,
  bC: tf.Tensor1D,
): tf.Tensor3D {
  let h: tf.Tensor2D = tf.zeros([B, U]);
  const hs: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const xt = tf.reshape(tf.slice(x, [0, t, 0], [-1, 1, -1]), [B, F]);
    const [r, u] = tf.split(tf.sigmoid(tf.add(tf.matMul(tf.concat([xt, h], 1), wRu), bRu)), 2, 1);
    const c = tf.tanh(tf.add(tf.matMul(tf.concat([xt, tf.mul(r, h)], 1), wC), bC));
    h = tf.add(tf.mul(u, h), tf.mul(tf.sub(1, u), c));
    hs.push(h);
  }
  return tf.stack(hs, 1) as tf.Tensor3D;
}

test('blockGru (native GRUBlockCell + GRUBlockCellGrad) matches the GRU equations in value and all five gradients', () => {
  ensureEngine();
  tf.tidy(() => {
    const inputs = [
      tf.randomNormal([B, T, F], 0, 1, 'float32', 1),
      tf.randomNormal([F + U, 2 * U], 0, 0.5, 'float32', 2),
      tf.randomNormal([F + U, U], 0, 0.5, 'float32', 3),
      tf.randomNormal([2 * U], 0, 0.5, 'float32', 4),
      tf.randomNormal([U], 0, 0.5, 'float32', 5),
    ];
    const weights = tf.randomNormal([B, T, U], 0, 1, 'float32', 6);
    const call =
      (f: typeof blockGru) =>
      (...v: tf.Tensor[]) =>
        f(v[0] as tf.Tensor3D, v[1] as tf.Tensor2D, v[2] as tf.Tensor2D, v[3] as tf.Tensor1D, v[4] as tf.Tensor1D);
    assert.ok(maxAbsDiff(call(blockGru)(...inputs), call(referenceGru)(...inputs)) < 1e-5);
    const got = tf.grads((...v: tf.Tensor[]) => tf.sum(tf.mul(call(blockGru)(...v), weights)))(inputs);
    const want = tf.grads((...v: tf.Tensor[]) => tf.sum(tf.mul(call(referenceGru)(...v), weights)))(inputs);
    want.forEach((g, i) => assert.ok(maxAbsDiff(g, got[i]) < 1e-5, `gradient ${i} differs`));
  });
});

test('FusedGRU trains (weights change) without leaking tensors, and returns [n, units] or [n, steps, units]', () => {
  ensureEngine();
  assertTrainsWithoutLeak(new FusedGRU({ units: U, seed: 2 }));
  const x = tf.randomNormal([B, T, F], 0, 1, 'float32', 6);
  const seq = new FusedGRU({ units: U, returnSequences: true });
  tf.tidy(() => assert.deepEqual((seq.apply(x) as tf.Tensor).shape, [B, T, U]));
  x.dispose();
});
