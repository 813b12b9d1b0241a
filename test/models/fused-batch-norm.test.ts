import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../src/engine';
import { TorchBatchNorm } from '../../src/models';
import { fusedBatchNormTraining } from '../../src/models/batch-norm/fused-batch-norm';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** The generic path: tf.moments + tf.batchNorm (what TorchBatchNorm did before the fused op). */
function reference(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, beta, gamma, 1e-5);
}

test('fused training BatchNorm matches moments + batchNorm in value and in the gradients of x, gamma and beta', () => {
  ensureEngine();
  tf.tidy(() => {
    const x = tf.randomNormal([8, 5, 5, 6], 1, 2, 'float32', 3);
    const gamma = tf.randomNormal([6], 1, 0.1, 'float32', 4);
    const beta = tf.randomNormal([6], 0, 0.1, 'float32', 5);
    const weights = tf.randomNormal([8, 5, 5, 6], 0, 1, 'float32', 6);
    const fused = fusedBatchNormTraining(x, gamma, beta, 1e-5);
    assert.ok(fused, 'the native backend runs FusedBatchNormV3');
    assert.ok(maxAbsDiff(fused.y, reference(x, gamma, beta)) < 1e-5);
    const n = 8 * 5 * 5;
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    assert.ok(maxAbsDiff(fused.mean, mean) < 1e-5);
    assert.ok(maxAbsDiff(fused.variance, tf.mul(variance, n / (n - 1))) < 1e-4, 'batch variance is the unbiased one');
    tf.dispose([fused.mean, fused.variance]);
    const loss =
      (f: (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(f(xs, g, b), weights));
    const viaFused = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const r = fusedBatchNormTraining(xs, g, b, 1e-5)!;
      tf.dispose([r.mean, r.variance]);
      return r.y;
    };
    const want = tf.grads(loss(reference))([x, gamma, beta]);
    const got = tf.grads(loss(viaFused))([x, gamma, beta]);
    want.forEach((w, i) => {
      const scale = tf.max(tf.abs(w)).dataSync()[0];
      assert.ok(maxAbsDiff(w, got[i]) <= 1e-5 * Math.max(1, scale), `gradient ${i} differs`);
    });
  });
});

test('fused training BatchNorm declines what it cannot run (rank 2) so callers keep the generic path', () => {
  ensureEngine();
  tf.tidy(() => assert.equal(fusedBatchNormTraining(tf.ones([4, 3]), tf.ones([3]), tf.zeros([3]), 1e-5), undefined));
});

test('TorchBatchNorm in training mode updates moving stats like PyTorch and leaks no tensors', () => {
  ensureEngine();
  const layer = new TorchBatchNorm({ name: 'bn' });
  const x = tf.randomNormal([4, 3, 3, 2], 2, 3, 'float32', 7);
  layer.apply(x, { training: true });
  const before = tf.memory().numTensors;
  tf.dispose(tf.tidy(() => layer.apply(x, { training: true }) as tf.Tensor));
  assert.equal(tf.memory().numTensors, before);
  tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const n = 4 * 3 * 3;
    // Two updates from (0, 1) with momentum 0.1: running = 0.19 * batch (+ 0.81 for the variance's start at 1).
    const [, , movingMean, movingVar] = layer.getWeights();
    assert.ok(maxAbsDiff(movingMean, tf.mul(mean, 0.19)) < 1e-5);
    assert.ok(maxAbsDiff(movingVar, tf.add(tf.mul(tf.mul(variance, n / (n - 1)), 0.19), 0.81)) < 1e-4);
  });
  tf.dispose(x);
});
