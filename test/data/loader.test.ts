import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  compose,
  DataLoader,
  grayscaleTo3,
  loadMnist,
  normalize,
  randomHorizontalFlip,
  resize,
  scaleTo01,
} from '../../src/data';
import type { Batch } from '../../src/data';
import { ensureEngine } from '../../src/engine';

async function epochIndices(loader: DataLoader): Promise<number[][]> {
  const out: number[][] = [];
  for await (const b of loader) out.push(Array.from(b.indices));
  return out;
}

test('batch counts: keep or drop the last partial batch', async () => {
  const { test: testSet } = await loadMnist();
  const ds = testSet.take(300);
  const keep = await epochIndices(new DataLoader(ds, { batchSize: 128 }));
  assert.deepEqual(
    keep.map((b) => b.length),
    [128, 128, 44],
  );
  assert.deepEqual(
    keep.flat(),
    Array.from({ length: 300 }, (_, i) => i),
    'without shuffle: dataset order',
  );
  const drop = await epochIndices(new DataLoader(ds, { batchSize: 128, dropLast: true }));
  assert.deepEqual(
    drop.map((b) => b.length),
    [128, 128],
  );
  assert.equal(new DataLoader(ds, { batchSize: 128, dropLast: true }).length, 2);
});

test('seeded shuffle: each epoch is a permutation, epochs differ, and the same seed repeats the same epochs', async () => {
  const { test: testSet } = await loadMnist();
  const ds = testSet.take(200);
  const loader = new DataLoader(ds, { batchSize: 64, shuffle: true, seed: 5 });
  const e1 = (await epochIndices(loader)).flat();
  const e2 = (await epochIndices(loader)).flat();
  assert.deepEqual(
    [...e1].sort((a, b) => a - b),
    Array.from({ length: 200 }, (_, i) => i),
  );
  assert.notDeepEqual(e1, e2);
  const again = new DataLoader(ds, { batchSize: 64, shuffle: true, seed: 5 });
  assert.deepEqual((await epochIndices(again)).flat(), e1);
  assert.deepEqual((await epochIndices(again)).flat(), e2);
});

test('a batch holds the images and labels at its indices', async () => {
  ensureEngine();
  const { test: testSet } = await loadMnist();
  const loader = new DataLoader(testSet.take(100), { batchSize: 10, shuffle: true, seed: 1 });
  for await (const { x, y, indices } of loader) {
    assert.deepEqual(x.shape, [10, 28, 28, 1]);
    assert.equal(y.dtype, 'int32');
    assert.deepEqual(
      Array.from(y.dataSync()),
      Array.from(indices, (i) => testSet.label(i)),
    );
    assert.deepEqual(Array.from(x.dataSync().subarray(0, 784)), Array.from(testSet.image(indices[0])));
    break;
  }
});

test('tensor count stays flat over an epoch and across epochs, with a 224x224 transform and prefetch', async () => {
  ensureEngine();
  const { train } = await loadMnist();
  const loader = new DataLoader(train.take(640), {
    batchSize: 64,
    shuffle: true,
    transform: compose(
      grayscaleTo3(),
      resize(224),
      scaleTo01(),
      normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]),
      randomHorizontalFlip({ seed: 1 }),
    ),
  });
  const before = tf.memory().numTensors;
  const during: number[] = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    let batches = 0;
    for await (const batch of loader) {
      assert.deepEqual(batch.x.shape, [64, 224, 224, 3]);
      // A consumer step that awaits, giving the prefetch its chance to run.
      const mean = tf.mean(batch.x);
      await mean.data();
      mean.dispose();
      during.push(tf.memory().numTensors);
      batches++;
    }
    assert.equal(batches, 10);
    assert.equal(tf.memory().numTensors, before, `after epoch ${epoch + 1}`);
  }
  assert.ok(Math.max(...during) - before <= 4, `at most two batches (current + prefetched) alive: ${during.join(',')}`);
  assert.equal(new Set(during.slice(1, -1)).size, 1, `flat during the epoch: ${during.join(',')}`);
});

test('leaving the loop early disposes the current and the prefetched batch', async () => {
  ensureEngine();
  const { test: testSet } = await loadMnist();
  const before = tf.memory().numTensors;
  const loader = new DataLoader(testSet.take(100), { batchSize: 10 });
  let kept: Batch | undefined;
  for await (const batch of loader) {
    kept = batch;
    await new Promise((r) => setImmediate(r));
    break;
  }
  assert.equal(tf.memory().numTensors, before);
  assert.ok(kept!.x.isDisposed, 'batch tensors belong to the loader');
});

test('a failing batch build surfaces as an error from the loop, without leaks', async () => {
  ensureEngine();
  const before = tf.memory().numTensors;
  const failing = {
    length: 30,
    gather(indices: Int32Array) {
      if (indices[0] >= 20) throw new Error('disk gone');
      return { x: tf.zeros([indices.length, 2]), y: tf.zeros([indices.length]) };
    },
  };
  await assert.rejects(async () => {
    for await (const batch of new DataLoader(failing, { batchSize: 10 })) {
      const total = tf.sum(batch.x);
      await total.data();
      total.dispose();
    }
  }, /disk gone/);
  await new Promise((r) => setImmediate(r));
  assert.equal(tf.memory().numTensors, before);
});
