import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../src/engine';
import { recurrentModel } from '../../src/models';
import { orthogonalInitializer } from '../../src/models/recurrent/orthogonal';

test('recurrent models build without the orthogonal initializer warning, and the kernel is orthogonal', () => {
  ensureEngine();
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
  try {
    for (const bidirectional of [false, true]) {
      const model = recurrentModel({
        cell: 'lstm',
        bidirectional,
        inputShape: [5, 3],
        outputUnits: 2,
        units: 64,
        seed: 1,
      });
      tf.tidy(() => model.predict(tf.zeros([1, 5, 3])));
      model.dispose();
    }
    const q = orthogonalInitializer(3).apply([64, 64]);
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.matMul(q, q, true, false), tf.eye(64)))).dataSync()[0]);
    q.dispose();
    assert.ok(err < 1e-4, `Q^T Q = I within 1e-4 (max error ${err})`);
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(warnings, []);
});
