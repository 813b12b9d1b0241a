/**
 * Callbacks as public objects (Keras/fastai style): `fit(model, data, { callbacks: [new EarlyStopping(...), ...] })`,
 * one event vocabulary with an explicit order, and a read-only context instead of the run's state. Imported through
 * the package's subpath, as a user does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { OptionError } from 'lessonkit/errors';
import {
  CALLBACK_ORDER,
  EarlyStopping,
  fit,
  LearningRateScheduler,
  ModelCheckpoint,
  readCheckpointMetadata,
  type Callback,
  type EpochRecord,
  type FitContext,
} from 'lessonkit/train';
import { ensureEngine } from '../../src/engine';
import { blobs, denseModel, maxAbsDiff, tempDir, weightValues } from './helpers';

ensureEngine();

/** The history without the wall-time column. */
const numbers = (records: readonly EpochRecord[]) => records.map(({ seconds: _s, ...rest }) => rest);

test('EarlyStopping and ModelCheckpoint objects give the same run as the FitOptions shortcuts (same numbers, same files)', async () => {
  const runs = [];
  for (const style of ['shortcuts', 'objects'] as const) {
    const dir = tempDir(`objects-${style}`);
    const model = denseModel({ prefix: `obj_${style}` });
    const common = { epochs: 12, validation: blobs(48, 22), optimizer: 'sgd' as const, learningRate: 0.05 };
    const result =
      style === 'shortcuts'
        ? await fit(model, blobs(96, 21), {
            ...common,
            progress: 'none',
            checkpoint: { dir, keepEveryEpoch: true },
            earlyStopping: { monitor: 'val_loss', patience: 2, minDelta: 0.02, restoreBestWeights: true },
          })
        : await fit(model, blobs(96, 21), {
            ...common,
            progress: 'none',
            callbacks: [
              // Listed in the "wrong" order on purpose: `order` decides, not the list.
              new EarlyStopping({ monitor: 'val_loss', patience: 2, minDelta: 0.02, restoreBestWeights: true }),
              new ModelCheckpoint({ dir, keepEveryEpoch: true }),
            ],
          });
    runs.push({ result, weights: weightValues(model), files: fs.readdirSync(dir).filter((n) => !n.startsWith('.')) });
    runs[runs.length - 1].files.sort();
    assert.equal(readCheckpointMetadata(path.join(dir, 'last')).epoch, result.epochsCompleted);
    assert.equal(result.lastCheckpoint, path.join(dir, 'last'));
    assert.equal(result.bestCheckpoint, path.join(dir, 'best'));
    model.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const [a, b] = runs;
  assert.ok(a.result.stoppedEarly, `the run stops early: ${JSON.stringify(numbers(a.result.history.records))}`);
  assert.deepEqual(numbers(b.result.history.records), numbers(a.result.history.records));
  assert.equal(b.result.stopReason, a.result.stopReason);
  assert.deepEqual(b.result.monitor, a.result.monitor);
  assert.deepEqual(b.files, a.files);
  assert.equal(maxAbsDiff(b.weights, a.weights), 0);
});

test("a user's callback stops training: ctx.stopTraining in onBatchEnd ends the run after that epoch", async () => {
  const model = denseModel({ prefix: 'user_stop' });
  const stopper: Callback = {
    onBatchEnd: (logs, ctx) => (logs.epoch === 2 && logs.batch === 0 ? ctx.stopTraining('enough') : undefined),
  };
  const seen: (string | undefined)[] = [];
  const result = await fit(model, blobs(64, 3), {
    epochs: 5,
    progress: 'none',
    callbacks: [stopper, { onEpochEnd: (_r, ctx) => void seen.push(ctx.stopRequested) }],
  });
  assert.equal(result.history.length, 2, 'the epoch in which the stop was asked for is completed');
  assert.equal(result.stopReason, 'enough');
  assert.ok(result.stoppedEarly);
  assert.deepEqual(seen, [undefined, 'enough']);
  model.dispose();
});

test("a user's callback changes the learning rate: per epoch (the history's lr) and per batch (lr 0 freezes the weights)", async () => {
  // Halve the rate every epoch, after the schedule (order 10) has set the base rate.
  const halving: Callback = {
    onEpochBegin: (epoch, ctx) => ctx.setLearningRate(ctx.groups[0].baseLearningRate / 2 ** (epoch - 1)),
  };
  const model = denseModel({ prefix: 'user_lr' });
  const { history } = await fit(model, blobs(64, 4), {
    epochs: 3,
    optimizer: 'sgd',
    learningRate: 0.08,
    progress: 'none',
    callbacks: halving,
  });
  assert.deepEqual(
    history.records.map((r) => r.lr),
    [0.08, 0.04, 0.02],
  );
  // From the second batch of epoch 2 on, the rate is 0: the weights stop moving (eager or graph step alike).
  const snapshots: Float32Array[][] = [];
  const freezer: Callback = {
    onBatchBegin: (info, ctx) => (info.epoch === 2 && info.batch === 1 ? ctx.setLearningRate(0) : undefined),
    onBatchEnd: (logs) => void (logs.epoch === 2 && snapshots.push(weightValues(model))),
    onEpochBegin: (epoch, ctx) => (epoch > 2 ? ctx.setLearningRate(0) : undefined),
  };
  await fit(model, blobs(64, 4), { epochs: 3, learningRate: 0.05, progress: 'none', callbacks: freezer });
  assert.equal(snapshots.length, 4);
  assert.ok(maxAbsDiff(snapshots[0], snapshots[1]) === 0, 'lr 0 from batch 1 of epoch 2: no change');
  assert.equal(maxAbsDiff(snapshots[1], snapshots[3]), 0);
  await assert.rejects(
    fit(model, blobs(16, 4), { progress: 'none', callbacks: { onEpochBegin: (_e, ctx) => ctx.setLearningRate(-1) } }),
    (err: Error) =>
      err instanceof OptionError && /setLearningRate expects a finite number >= 0\. Received: -1/.test(err.message),
  );
  model.dispose();
});

test('every event in the documented order; callbacks by `order`, ties in list order; onDispose even after an error', async () => {
  const events: string[] = [];
  const recorder = (name: string, order?: number): Callback => ({
    ...(order === undefined ? {} : { order }),
    onTrainBegin: () => void events.push(`${name}:trainBegin`),
    onEpochBegin: (epoch) => void events.push(`${name}:epochBegin ${epoch}`),
    onBatchBegin: (info) => void events.push(`${name}:batchBegin ${info.batch}`),
    onLoss: (logs) => void events.push(`${name}:loss ${logs.batch} ${Number.isFinite(logs.loss)}`),
    onBatchEnd: (logs) => void events.push(`${name}:batchEnd ${logs.batch}`),
    onValidationBegin: (info) => void events.push(`${name}:validationBegin ${info.batches}`),
    onValidationEnd: (logs) => void events.push(`${name}:validationEnd ${logs.val === null ? 'none' : 'val'}`),
    onEpochEnd: (record) => void events.push(`${name}:epochEnd ${record.epoch}`),
    onTrainEnd: (history) => void events.push(`${name}:trainEnd ${history.length}`),
    onDispose: () => void events.push(`${name}:dispose`),
  });
  const model = denseModel({ prefix: 'events' });
  await fit(model, blobs(32, 5), {
    epochs: 1,
    validation: blobs(16, 6),
    progress: 'none',
    callbacks: [recorder('late', 90), recorder('b'), recorder('early', 5), recorder('c', CALLBACK_ORDER.user)],
  });
  const byEvent = (prefix: string) => events.filter((e) => e.startsWith(prefix));
  // Order within one event: early (5), then b and c (both 50, list order), then late (90).
  assert.deepEqual(
    events.filter((e) => e.endsWith(':trainBegin')),
    ['early:trainBegin', 'b:trainBegin', 'c:trainBegin', 'late:trainBegin'],
  );
  assert.deepEqual(byEvent('b:'), [
    'b:trainBegin',
    'b:epochBegin 1',
    'b:batchBegin 0',
    'b:loss 0 true',
    'b:batchEnd 0',
    'b:batchBegin 1',
    'b:loss 1 true',
    'b:batchEnd 1',
    'b:validationBegin 2',
    'b:validationEnd val',
    'b:epochEnd 1',
    'b:trainEnd 1',
    'b:dispose',
  ]);
  // Without validation data the validation pair still comes, back to back, with val: null.
  events.length = 0;
  await fit(model, blobs(16, 5), { epochs: 1, progress: 'none', callbacks: recorder('n') });
  assert.deepEqual(byEvent('n:validation'), ['n:validationBegin 1', 'n:validationEnd none']);
  // A hook that throws ends fit with its error; every callback's onDispose still runs.
  events.length = 0;
  const failing: Callback = {
    onBatchEnd: () => {
      throw new Error('boom');
    },
  };
  await assert.rejects(
    fit(model, blobs(16, 5), { epochs: 1, progress: 'none', callbacks: [recorder('x'), failing, recorder('y', 99)] }),
    /boom/,
  );
  assert.deepEqual(byEvent('x:dispose').concat(byEvent('y:dispose')), ['x:dispose', 'y:dispose']);
  assert.ok(!events.includes('x:trainEnd 1'));
  model.dispose();
});

test('the context is small and read-only: the model, numbers and requests, not the run', async () => {
  const model = denseModel({ prefix: 'ctx' });
  let ctxSeen: FitContext | undefined;
  const checks: string[] = [];
  await fit(model, blobs(32, 7), {
    epochs: 2,
    validation: blobs(16, 8),
    learningRate: 0.01,
    progress: 'none',
    callbacks: {
      onBatchEnd: (logs, ctx) => {
        if (logs.batch === 1) checks.push(`epoch ${ctx.epoch} batch ${ctx.batch} of ${ctx.batchesPerEpoch}`);
      },
      onEpochEnd: (record, ctx) => {
        ctxSeen = ctx;
        checks.push(`history ${ctx.history.length} last ${ctx.history[ctx.history.length - 1].epoch === record.epoch}`);
        checks.push(
          `monitor ${ctx.monitor.metric} best at ${ctx.monitor.bestEpoch} improved ${typeof ctx.monitor.improved}`,
        );
        assert.throws(() => ((ctx as { epoch: number }).epoch = 9), TypeError);
        assert.throws(() => (ctx.history as EpochRecord[]).push(record), TypeError);
      },
    },
  });
  const ctx = ctxSeen!;
  assert.equal(ctx.model, model);
  assert.equal(ctx.learningRate, 0.01);
  assert.equal(ctx.groups[0].name, 'default');
  assert.ok(ctx.hasValidation && ctx.classification);
  assert.deepEqual(Object.keys(ctx).sort(), [
    'batch',
    'batchesPerEpoch',
    'classification',
    'epoch',
    'epochs',
    'groups',
    'hasValidation',
    'history',
    'learningRate',
    'model',
    'monitor',
    'note',
    'setLearningRate',
    'startEpoch',
    'stopRequested',
    'stopTraining',
  ]);
  assert.deepEqual(checks, [
    'epoch 1 batch 2 of 2',
    'history 1 last true',
    'monitor val_acc best at 1 improved boolean',
    'epoch 2 batch 2 of 2',
    'history 2 last true',
    `monitor val_acc best at ${checks[5].match(/best at (\d)/)![1]} improved boolean`,
  ]);
  model.dispose();
});

test("a user's callback can do what a built-in does: a guard that throws in onLoss leaves the weights unchanged", async () => {
  const model = denseModel({ prefix: 'user_guard' });
  await fit(model, blobs(32, 9), { epochs: 1, progress: 'none' });
  const before = weightValues(model);
  const guard: Callback = {
    order: CALLBACK_ORDER.nonFinite,
    onLoss: (logs) => {
      if (logs.epoch === 1 && logs.batch === 0) throw new Error(`refused loss ${logs.loss.toFixed(3)}`);
    },
  };
  await assert.rejects(fit(model, blobs(32, 9), { epochs: 1, progress: 'none', callbacks: guard }), /refused loss/);
  assert.equal(maxAbsDiff(weightValues(model), before), 0, 'the batch was not applied');
  model.dispose();
});

test('bad callbacks and callback options are OptionErrors naming what was received', async () => {
  const model = denseModel({ prefix: 'bad_cb' });
  await assert.rejects(
    fit(model, blobs(8, 1), { callbacks: [{ order: Number.NaN }] }),
    (err: Error) => err instanceof OptionError && /order of options\.callbacks\[0\].*Received: NaN/.test(err.message),
  );
  await assert.rejects(
    fit(model, blobs(8, 1), { callbacks: [null as never] }),
    /options\.callbacks\[0\] to be an object with hooks\. Received: null/,
  );
  assert.throws(() => new EarlyStopping({ patience: -1 }), /patience to be an integer >= 0\. Received: -1/);
  assert.throws(() => new ModelCheckpoint({ dir: '' }), /options\.dir to name a folder/);
  await assert.rejects(
    fit(model, blobs(8, 1), { progress: 'none', callbacks: new EarlyStopping({ monitor: 'val_acc' }) }),
    (err: Error) => err instanceof OptionError && /val_acc but the fit has no validation data/.test(err.message),
  );
  // A LearningRateScheduler object works like FitOptions.schedule.
  const { history } = await fit(model, blobs(16, 1), {
    epochs: 3,
    optimizer: 'sgd',
    learningRate: 0.1,
    progress: 'none',
    callbacks: new LearningRateScheduler({ kind: 'step', stepSize: 1, gamma: 0.5 }),
  });
  assert.deepEqual(
    history.records.map((r) => r.lr),
    [0.1, 0.05, 0.025],
  );
  const tensors = tf.memory().numTensors;
  await fit(model, blobs(16, 1), {
    epochs: 2,
    progress: 'none',
    callbacks: new EarlyStopping({ restoreBestWeights: true, monitor: 'train_loss' }),
  });
  assert.equal(tf.memory().numTensors, tensors, 'EarlyStopping frees its copy of the best weights');
  model.dispose();
});

test('one EarlyStopping object serves two fits alike (it starts over at onTrainBegin)', async () => {
  const stopper = new EarlyStopping({ monitor: 'train_loss', patience: 1, minDelta: 1e9 });
  const reasons: string[] = [];
  for (let i = 0; i < 2; i++) {
    const model = denseModel({ prefix: `reuse${i}` });
    const result = await fit(model, blobs(32, 10), { epochs: 5, progress: 'none', callbacks: stopper });
    reasons.push(`${result.history.length} ${result.stopReason}`);
    model.dispose();
  }
  assert.match(reasons[0], /^2 early stopping: train_loss did not improve for 1 epochs \(best [\d.]+ at epoch 1\)$/);
  assert.equal(reasons[1], reasons[0]);
});
