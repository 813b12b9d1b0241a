import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { DataLoader, TensorDataset } from '../../src/data';
import { ensureEngine } from '../../src/engine';

test('TensorDataset gathers rows in order, batches through the DataLoader, and checks its inputs', async () => {
  ensureEngine();
  const before = tf.memory().numTensors;
  const ds = new TensorDataset(tf.tidy(() => tf.range(0, 10).reshape([5, 2])), tf.tensor1d([0, 1, 2, 3, 4], 'int32'));
  const { x, y } = ds.gather(Int32Array.from([4, 0]));
  assert.deepEqual(await x.array(), [[8, 9], [0, 1]]);
  assert.deepEqual(await y.array(), [4, 0]);
  tf.dispose([x, y]);
  const seen: number[] = [];
  for await (const batch of new DataLoader(ds, { batchSize: 2, shuffle: true, seed: 3 })) seen.push(...(await batch.y.data()));
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4], 'one epoch visits every sample once');
  assert.throws(() => ds.gather(Int32Array.from([5])), /TensorDataset: index 5 .* out of range/);
  ds.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => new TensorDataset(tf.zeros([3, 2]), tf.zeros([2])), /x has 3 samples .* y has 2/);
});
