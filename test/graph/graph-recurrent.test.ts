/**
 * The graph path's LSTM and GRU (src/models/recurrent/graph-recurrent.ts), in one chain and split over the batch, against TensorFlow's block ops that the
 * fused layers use eagerly: same outputs and same gradients for every input, eagerly, within float32 tolerance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../src/engine';
import { blockGru } from '../../src/models/recurrent/fused-gru';
import { blockLstm } from '../../src/models/recurrent/fused-lstm';
import { chainCount, graphGru, graphLstm } from '../../src/models/recurrent/graph-recurrent';

ensureEngine();

function maxRel(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  assert.equal(x.length, y.length);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / (1e-3 + Math.abs(y[i])));
  return worst;
}

function compare(
  name: string,
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  g: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
): void {
  const dy = tf.randomNormal(f(...inputs).shape, 0, 1, 'float32', 99);
  const run = (fn: (...xs: tf.Tensor[]) => tf.Tensor) =>
    tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(fn(...xs), dy)))(inputs);
  assert.ok(maxRel(g(...inputs), f(...inputs)) < 1e-4, `${name}: outputs differ`);
  const [gf, gg] = [run(f), run(g)];
  gf.forEach((t, i) => assert.ok(maxRel(gg[i], t) < 1e-3, `${name}: gradient ${i} differs by ${maxRel(gg[i], t)}`));
}

for (const chains of [1, 2, 3]) {
  test(`graphLstm in ${chains} chain(s) equals blockLstm: outputs and the gradients of x, kernel and bias`, () => {
    // T = 7 steps: gradient chunks of 4 and 3 steps.
    const [B, T, F, U] = [5, 7, 3, 4];
    const x = tf.randomNormal([B, T, F], 0, 1, 'float32', 1) as tf.Tensor3D;
    const w = tf.randomNormal([F + U, 4 * U], 0, 0.5, 'float32', 2) as tf.Tensor2D;
    const b = tf.randomNormal([4 * U], 0, 0.5, 'float32', 3) as tf.Tensor1D;
    compare(
      'lstm',
      (a, c, d) => blockLstm(a as tf.Tensor3D, c as tf.Tensor2D, d as tf.Tensor1D),
      (a, c, d) => graphLstm(a as tf.Tensor3D, c as tf.Tensor2D, d as tf.Tensor1D, chains),
      [x, w, b],
    );
  });

  test(`graphGru in ${chains} chain(s) equals blockGru: outputs and the gradients of x, both kernels and both biases`, () => {
    const [B, T, F, U] = [5, 7, 3, 4];
    const x = tf.randomNormal([B, T, F], 0, 1, 'float32', 4) as tf.Tensor3D;
    const wRu = tf.randomNormal([F + U, 2 * U], 0, 0.5, 'float32', 5) as tf.Tensor2D;
    const wC = tf.randomNormal([F + U, U], 0, 0.5, 'float32', 6) as tf.Tensor2D;
    const bRu = tf.randomNormal([2 * U], 0, 0.5, 'float32', 7) as tf.Tensor1D;
    const bC = tf.randomNormal([U], 0, 0.5, 'float32', 8) as tf.Tensor1D;
    const as = (xs: tf.Tensor[]) => xs as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
    compare(
      'gru',
      (...xs) => blockGru(...as(xs)),
      (...xs) => graphGru(...as(xs), chains),
      [x, wRu, wC, bRu, bC],
    );
  });
}

test('chainCount: one chain per inter-op thread (shared by parallel layers), at most one per 32 samples', () => {
  const saved = process.env.TF_NUM_INTEROP_THREADS;
  try {
    process.env.TF_NUM_INTEROP_THREADS = '2';
    assert.deepEqual([chainCount(16), chainCount(63), chainCount(64), chainCount(128)], [1, 1, 2, 2]);
    // The two halves of a bidirectional layer share the threads.
    assert.deepEqual([chainCount(128, 2), chainCount(1024, 2)], [1, 1]);
    process.env.TF_NUM_INTEROP_THREADS = '8';
    assert.deepEqual([chainCount(128), chainCount(1024), chainCount(1024, 2)], [4, 8, 4]);
  } finally {
    if (saved === undefined) delete process.env.TF_NUM_INTEROP_THREADS;
    else process.env.TF_NUM_INTEROP_THREADS = saved;
  }
});
