import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../src/data';
import { ensureEngine } from '../../src/engine';
import { recalibrateBatchNorm, TorchBatchNorm } from '../../src/models';

test('recalibrateBatchNorm sets running stats to the exact average of the batch statistics', async () => {
  ensureEngine();
  const input = tf.input({ shape: [2] });
  const bn = new TorchBatchNorm({ name: 'bn', trainable: false, frozenMode: 'inference' });
  const model = tf.model({ inputs: input, outputs: bn.apply(input) as tf.SymbolicTensor });
  const batches: Batch[] = [
    {
      x: tf.tensor2d([
        [0, 10],
        [2, 14],
      ]),
      y: tf.tensor1d([0, 0]),
      indices: Int32Array.from([0, 1]),
    },
    {
      x: tf.tensor2d([
        [4, 10],
        [8, 10],
        [6, 10],
      ]),
      y: tf.tensor1d([0, 0, 0]),
      indices: Int32Array.from([2, 3, 4]),
    },
  ];
  const gammaBefore = bn.getWeights()[0].arraySync();
  const before = tf.memory().numTensors;
  await recalibrateBatchNorm(model, batches);
  assert.deepEqual(
    bn.getWeights()[2].arraySync(),
    [0, 0],
    "a frozen layer keeps its statistics by default ('trainable')",
  );
  assert.equal(await recalibrateBatchNorm(model, batches, { layers: 'all' }), 2);
  assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
  const [gamma, , mean, variance] = bn.getWeights().map((w) => w.arraySync() as number[]);
  // batch 1: means [1, 12], unbiased vars [2, 8]; batch 2: means [6, 10], unbiased vars [4, 0].
  assert.deepEqual(
    mean.map((v) => Math.round(v * 1e5) / 1e5),
    [3.5, 11],
  );
  assert.deepEqual(
    variance.map((v) => Math.round(v * 1e5) / 1e5),
    [3, 4],
  );
  assert.deepEqual(gamma, gammaBefore, 'no trainable weight changes');
  assert.equal(bn.momentum, 0.1, 'momentum restored');
  assert.equal(bn.frozenMode, 'inference', 'frozen mode restored');
  await assert.rejects(recalibrateBatchNorm(model, []), /yielded no batches/);
  for (const b of batches) tf.dispose([b.x, b.y]);
  model.dispose();
});
