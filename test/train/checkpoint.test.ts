import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../src/engine';
import { clearInterrupt, InterruptedError, interruptRequested, requestInterrupt } from '../../src/runtime';
import { loadCheckpointModel, readCheckpointMetadata, restoreCheckpoint } from '../../src/train/checkpoint';
import { fit, FitInterruptedError } from '../../src/train/fit';
import { blobs, denseModel, maxAbsDiff, tempDir, weightValues } from './helpers';

ensureEngine();

const predict = (model: tf.LayersModel, x: tf.Tensor) =>
  tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync().slice());

test('checkpoints: last/ and best/ hold model.json, weights.bin, optimizer state and metadata; they round-trip', async () => {
  const dir = tempDir('ckpt');
  const model = denseModel({ prefix: 'rt' });
  await fit(model, blobs(64, 1), { epochs: 2, validation: blobs(32, 2), checkpoint: dir, progress: 'none' });
  for (const name of [
    'model.json',
    'weights.bin',
    'metadata.json',
    'optimizer-default.json',
    'optimizer-default.bin',
  ]) {
    assert.ok(fs.existsSync(path.join(dir, 'last', name)), `last/${name}`);
  }
  assert.ok(fs.existsSync(path.join(dir, 'best', 'model.json')));
  assert.deepEqual(
    fs
      .readdirSync(dir)
      .filter((n) => !n.startsWith('.'))
      .sort(),
    ['best', 'last'],
  );
  // last/ and best/ are links to one complete version each; no temp folder, no lock after the run.
  const hidden = fs
    .readdirSync(dir)
    .filter((n) => n.startsWith('.'))
    .sort();
  assert.deepEqual(
    hidden.map((n) => n.replace(/-\d+-[0-9a-f]+$/, '')),
    ['.best.v', '.last.v'],
    `hidden entries ${hidden}`,
  );
  assert.equal(fs.readlinkSync(path.join(dir, 'last')), hidden[1]);
  const meta = readCheckpointMetadata(path.join(dir, 'last'));
  assert.equal(meta.epoch, 2);
  assert.equal(meta.history.length, 2);
  assert.equal(meta.interrupted, false);

  const x = tf.randomNormal([5, 4], 0, 1, 'float32', 7);
  const loaded = await loadCheckpointModel(path.join(dir, 'last'));
  assert.deepEqual(Array.from(predict(loaded, x)), Array.from(predict(model, x)));
  const fresh = denseModel({ prefix: 'rt', seed: 99 });
  const report = await restoreCheckpoint(path.join(dir, 'last'), fresh);
  assert.equal(report.weightsMatchedBy, 'name');
  assert.deepEqual(Array.from(predict(fresh, x)), Array.from(predict(model, x)));
  const renamed = denseModel({ prefix: 'other', seed: 99 });
  assert.equal((await restoreCheckpoint(path.join(dir, 'last'), renamed)).weightsMatchedBy, 'position');
  assert.deepEqual(Array.from(predict(renamed, x)), Array.from(predict(model, x)));
  tf.dispose([x]);
  [model, loaded, fresh, renamed].forEach((m) => m.dispose());
});

test('best/ is the epoch with the lowest val_loss in the history (monitor val_loss)', async () => {
  const dir = tempDir('best');
  const model = denseModel({ prefix: 'best' });
  // A large learning rate makes val_loss bounce, so the best epoch is not simply the last one.
  const { history, monitor } = await fit(model, blobs(64, 3), {
    epochs: 6,
    validation: blobs(32, 4),
    optimizer: 'sgd',
    learningRate: 1.5,
    monitor: 'val_loss',
    checkpoint: { dir, keepEveryEpoch: true },
    progress: 'none',
  });
  const losses = history.metric('val_loss') as number[];
  const bestEpoch = losses.indexOf(Math.min(...losses)) + 1;
  const bestMeta = readCheckpointMetadata(path.join(dir, 'best'));
  assert.equal(bestMeta.epoch, bestEpoch, `val_loss per epoch ${losses}`);
  assert.equal(monitor.bestEpoch, bestEpoch);
  assert.equal(monitor.best, Math.min(...losses));
  // best/ holds that epoch's weights: identical to the kept per-epoch folder.
  const w = (d: string) => fs.readFileSync(path.join(dir, d, 'weights.bin'));
  assert.deepEqual(w('best'), w(`epoch-${String(bestEpoch).padStart(3, '0')}`));
  model.dispose();
});

test('resume: 2 epochs + resume to 4 gives the same weights as 4 epochs straight (Adam state restored)', async () => {
  const straight = denseModel({ prefix: 'res', seed: 5 });
  await fit(straight, blobs(64, 5), { epochs: 4, progress: 'none' });
  const dir = tempDir('resume');
  const first = denseModel({ prefix: 'res', seed: 5 });
  await fit(first, blobs(64, 5), { epochs: 2, checkpoint: dir, progress: 'none' });
  const second = denseModel({ prefix: 'res', seed: 77 });
  const result = await fit(second, blobs(64, 5), { epochs: 4, checkpoint: dir, resume: true, progress: 'none' });
  assert.deepEqual(result.resumed?.optimizerRestored, ['default']);
  assert.deepEqual(
    result.history.records.map((r) => r.epoch),
    [1, 2, 3, 4],
  );
  const diff = maxAbsDiff(weightValues(second), weightValues(straight));
  assert.ok(diff < 1e-5, `max |difference| ${diff}`);
  // Without the optimizer state, Adam restarts its moments and the weights differ measurably.
  const noOpt = tempDir('resume-noopt');
  const third = denseModel({ prefix: 'res', seed: 5 });
  await fit(third, blobs(64, 5), { epochs: 2, checkpoint: { dir: noOpt, saveOptimizer: false }, progress: 'none' });
  const fourth = denseModel({ prefix: 'res', seed: 77 });
  await fit(fourth, blobs(64, 5), { epochs: 4, checkpoint: noOpt, resume: true, progress: 'none' });
  assert.ok(maxAbsDiff(weightValues(fourth), weightValues(straight)) > 1e-4);
  [straight, first, second, third, fourth].forEach((m) => m.dispose());
});

test('interrupt at a batch boundary: stops, leaves a checkpoint and the history, throws InterruptedError, and resumes', async () => {
  const dir = tempDir('interrupt');
  const model = denseModel({ prefix: 'intr' });
  const before = tf.memory().numTensors;
  let batchesSeen = 0;
  const err = await fit(model, blobs(64, 6), {
    epochs: 3,
    checkpoint: dir,
    progress: 'none',
    callbacks: {
      onBatchEnd: (logs) => {
        batchesSeen += 1;
        if (logs.epoch === 2 && logs.batch === 2) requestInterrupt();
      },
    },
  }).then(
    () => assert.fail('fit should have been interrupted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof FitInterruptedError && err instanceof InterruptedError);
  assert.equal(err.name, 'KeyboardInterrupt');
  assert.equal(batchesSeen, 4 + 3, 'stopped right after the batch that asked');
  assert.equal(interruptRequested(), false, 'the request is consumed');
  assert.equal(err.result.history.length, 1);
  assert.equal(err.interruptedEpoch, 2);
  assert.equal(err.batchesDone, 3);
  const meta = readCheckpointMetadata(path.join(dir, 'last'));
  assert.deepEqual([meta.epoch, meta.interrupted, meta.batchesIntoNextEpoch], [1, true, 3]);
  assert.equal(tf.memory().numTensors, before, 'no tensors left after an interrupt');
  // The checkpoint is usable: it loads, and fit resumes from it (epoch 2 restarts).
  const loaded = await loadCheckpointModel(path.join(dir, 'last'));
  loaded.dispose();
  const resumed = await fit(model, blobs(64, 6), { epochs: 3, checkpoint: dir, resume: true, progress: 'none' });
  assert.deepEqual(
    resumed.history.records.map((r) => r.epoch),
    [1, 2, 3],
  );
  model.dispose();
  clearInterrupt();
});
