import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setDisplaySink } from '../../src/display';
import { ensureEngine } from '../../src/engine';
import { LossAccumulator } from '../../src/train/accumulator';
import { readCheckpointMetadata } from '../../src/train/checkpoint';
import { fit } from '../../src/train/fit';
import type { EpochRecord } from '../../src/train/history';
import { PLOTLY_MIME } from '../../src/viz/figure';
import { blobs, denseModel, maxAbsDiff, tempDir, weightValues } from './helpers';

ensureEngine();

test('order of events after an epoch: progress bar closed, checkpoint written, user callbacks, live chart, early stopping', async () => {
  const dir = tempDir('order');
  const events: string[] = [];
  setDisplaySink({
    publish: (bundle) =>
      void events.push(
        PLOTLY_MIME in bundle ? 'chart' : /\d+\/\d+ \[/.test(String(bundle['text/plain'])) ? 'bar' : 'other',
      ),
  });
  try {
    const model = denseModel({ prefix: 'order' });
    const result = await fit(model, blobs(32, 1), {
      epochs: 3,
      learningRate: 0,
      monitor: 'train_loss',
      earlyStopping: { patience: 1 },
      checkpoint: dir,
      callbacks: [
        {
          onTrainBegin: () => void events.push('train-begin'),
          onEpochBegin: (epoch) => void events.push(`epoch-begin ${epoch}`),
          onEpochEnd: (record) => {
            // The checkpoint of this very epoch is already on disk.
            events.push(`epoch-end ${record.epoch} checkpoint ${readCheckpointMetadata(path.join(dir, 'last')).epoch}`);
          },
          onTrainEnd: (history) => void events.push(`train-end ${history.length}`),
        },
        // A stop asked by a user callback wins over early stopping's in the same epoch (users come first).
        { onEpochEnd: (record, control) => (record.epoch === 2 ? control.stopTraining('user stop') : undefined) },
      ],
    });
    assert.equal(result.stopReason, 'user stop');
    assert.equal(result.history.length, 2);
    model.dispose();
  } finally {
    setDisplaySink(undefined);
  }
  // Collapse the throttled progress updates of an epoch into one 'bar'.
  const collapsed = events.filter((e, i) => e !== 'bar' || events[i + 1] !== 'bar');
  assert.deepEqual(collapsed, [
    'train-begin',
    'epoch-begin 1',
    'bar',
    'epoch-end 1 checkpoint 1',
    'chart',
    'epoch-begin 2',
    'bar',
    'epoch-end 2 checkpoint 2',
    'chart',
    'train-end 2',
  ]);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('user callbacks are called as methods of their own object, and only their five public hooks', async () => {
  class Counter {
    batches = 0;
    disposed = false;
    onBatchEnd(): void {
      this.batches += 1;
    }
    // Not a fit hook: fit must not call a user's dispose (or any other internal hook name).
    dispose(): void {
      this.disposed = true;
    }
  }
  const counter = new Counter();
  const model = denseModel({ prefix: 'method' });
  await fit(model, blobs(32, 2), { epochs: 2, progress: 'none', callbacks: counter });
  assert.equal(counter.batches, 4);
  assert.equal(counter.disposed, false);
  model.dispose();
});

test('early stopping with restoreBestWeights puts the best epoch weights back (and frees its copy)', async () => {
  const model = denseModel({ prefix: 'restore' });
  const perEpoch: Float32Array[][] = [];
  // minDelta 1e9: only the first epoch counts as an improvement, so patience 2 stops after epoch 3.
  const before = tf.memory().numTensors;
  const result = await fit(model, blobs(32, 3), {
    epochs: 10,
    optimizer: 'sgd',
    learningRate: 0.1,
    monitor: 'train_loss',
    earlyStopping: { patience: 2, minDelta: 1e9, restoreBestWeights: true },
    progress: 'none',
    callbacks: { onEpochEnd: () => void perEpoch.push(weightValues(model)) },
  });
  assert.equal(result.history.length, 3);
  assert.match(
    result.stopReason ?? '',
    /^early stopping: train_loss did not improve for 2 epochs \(best [\d.]+ at epoch 1\)$/,
  );
  assert.ok(maxAbsDiff(perEpoch[0], perEpoch[2]) > 1e-4, 'the weights moved after epoch 1');
  assert.equal(maxAbsDiff(weightValues(model), perEpoch[0]), 0, 'epoch 1 weights are back');
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

test('a resumed run with early stopping counts patience from the history it resumed', async () => {
  const dir = tempDir('resume-early');
  const model = denseModel({ prefix: 'resume-early' });
  await fit(model, blobs(32, 4), {
    epochs: 2,
    learningRate: 0,
    monitor: 'train_loss',
    checkpoint: dir,
    progress: 'none',
  });
  // Epoch 1 was the best (lr 0: epoch 2 is equal, no improvement); patience 2 stops after epoch 3.
  const result = await fit(model, blobs(32, 4), {
    epochs: 10,
    learningRate: 0,
    monitor: 'train_loss',
    earlyStopping: { patience: 2 },
    checkpoint: dir,
    resume: true,
    progress: 'none',
  });
  assert.equal(result.resumed?.metadata.epoch, 2);
  assert.deepEqual(
    result.history.records.map((r: EpochRecord) => r.epoch),
    [1, 2, 3],
  );
  assert.match(result.stopReason ?? '', /at epoch 1\)$/);
  model.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('LossAccumulator weights each batch mean by its size; accuracy is right/targets', () => {
  const acc = new LossAccumulator();
  assert.ok(Number.isNaN(acc.loss));
  acc.add(1, 3, 2, 3);
  acc.add(4, 1, 0, 1);
  assert.equal(acc.samples, 4);
  assert.equal(acc.loss, (1 * 3 + 4 * 1) / 4);
  assert.equal(acc.accuracy, 2 / 4);
});
