import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { DataLoader, loadMnist, TensorDataset } from '../../src/data';
import { ensureEngine } from '../../src/engine';

test('TensorDataset gathers rows in order, batches through the DataLoader, and checks its inputs', async () => {
  ensureEngine();
  const before = tf.memory().numTensors;
  const ds = new TensorDataset(
    tf.tidy(() => tf.range(0, 10).reshape([5, 2])),
    tf.tensor1d([0, 1, 2, 3, 4], 'int32'),
  );
  const { x, y } = ds.gather(Int32Array.from([4, 0]));
  assert.deepEqual(await x.array(), [
    [8, 9],
    [0, 1],
  ]);
  assert.deepEqual(await y.array(), [4, 0]);
  tf.dispose([x, y]);
  const seen: number[] = [];
  for await (const batch of new DataLoader(ds, { batchSize: 2, shuffle: true, seed: 3 }))
    seen.push(...(await batch.y.data()));
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4], 'one epoch visits every sample once');
  assert.throws(() => ds.gather(Int32Array.from([5])), /TensorDataset: index 5 .* out of range/);
  ds.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => new TensorDataset(tf.zeros([3, 2]), tf.zeros([2])), /x has 3 samples .* y has 2/);
});

test('ImageDataset.sample keeps every class share and exactly n samples', async () => {
  const { train } = await loadMnist();
  const part = train.sample(1000, 7);
  assert.equal(part.length, 1000);
  const counts = new Array(10).fill(0);
  for (const l of part.labels()) counts[l]++;
  const full = new Array(10).fill(0);
  for (const l of train.labels()) full[l]++;
  counts.forEach((c, k) => assert.ok(Math.abs(c - (full[k] * 1000) / train.length) <= 1, `class ${k}: ${c} of 1000`));
  assert.equal(train.sample(70000), train);
  assert.throws(() => train.sample(0), /n must be a positive integer/);
});
