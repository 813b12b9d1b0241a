import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { applyFreezeStrategy, batchNormDrift, resnet18, snapshotBatchNorm } from '../../src/models';

test('a frozen backbone keeps its BatchNorm statistics in inference mode and drifts in pytorch-train mode', async () => {
  const x = tf.randomNormal([8, 32, 32, 3], 2, 3, 'float32', 1); // far from the initial statistics (mean 0, var 1)
  for (const mode of ['inference', 'pytorch-train'] as const) {
    const model = await resnet18({ classes: 10, seed: 1 });
    applyFreezeStrategy(model, { strategy: 3, frozenBatchNorm: mode });
    const before = snapshotBatchNorm(model);
    assert.equal(before.layers.size, 20, 'resnet18 has 20 BatchNorm layers');
    tf.tidy(() => {
      model.apply(x, { training: true });
    });
    const drift = batchNormDrift(before, snapshotBatchNorm(model));
    if (mode === 'inference') {
      assert.deepEqual([drift.changedLayers, drift.meanShift, drift.logVarianceChange], [0, 0, 0]);
    } else {
      assert.equal(drift.changedLayers, 20);
      assert.ok(drift.meanShift > 0.01 && drift.logVarianceChange > 0.01, JSON.stringify(drift));
      assert.ok(drift.worstShift >= drift.meanShift && before.layers.has(drift.worstLayer), JSON.stringify(drift));
    }
    model.dispose();
  }
  x.dispose();
});

test('batchNormDrift measures shifts in units of the old standard deviation', () => {
  const before = {
    layers: new Map([['bn', [Float32Array.from([0, 0]), Float32Array.from([4, 1])] as [Float32Array, Float32Array]]]),
  };
  const after = {
    layers: new Map([
      ['bn', [Float32Array.from([2, 0]), Float32Array.from([4, Math.E])] as [Float32Array, Float32Array]],
    ]),
  };
  const d = batchNormDrift(before, after);
  assert.ok(Math.abs(d.meanShift - (2 / 2 + 0) / 2) < 1e-5, String(d.meanShift));
  assert.ok(Math.abs(d.logVarianceChange - 0.5) < 1e-4, String(d.logVarianceChange));
  assert.throws(() => batchNormDrift(before, { layers: new Map() }), /missing/);
});
