import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setDisplaySink } from '../../src/display';
import { ensureEngine } from '../../src/engine';
import { fit } from '../../src/train/fit';
import { HISTORY_COLUMNS } from '../../src/train/history';
import { PLOTLY_MIME } from '../../src/viz/figure';
import { blobs, denseModel } from './helpers';

ensureEngine();

test('history has one row per epoch after a 2-epoch fit, with the documented columns', async () => {
  const model = denseModel({ prefix: 'hist' });
  const { history } = await fit(model, blobs(96, 1), { epochs: 2, validation: blobs(48, 2), progress: 'none' });
  const df = history.toDataFrame();
  assert.equal(df.height, 2);
  assert.deepEqual(df.columns, [...HISTORY_COLUMNS]);
  assert.deepEqual(df.getColumn('epoch').toArray(), [1, 2]);
  for (const r of history.records) {
    assert.ok(r.train_loss > 0 && Number.isFinite(r.train_loss));
    assert.ok(r.val_acc !== null && r.val_acc >= 0 && r.val_acc <= 1);
    assert.ok(r.seconds > 0);
  }
  model.dispose();
});

test('a dense net learns the 3-blob problem: validation accuracy > 0.9 after 8 epochs of Adam', async () => {
  const model = denseModel({ prefix: 'learn' });
  const { history } = await fit(model, blobs(300, 3), {
    epochs: 8,
    validation: blobs(150, 4),
    learningRate: 0.01,
    progress: 'none',
  });
  const last = history.records[history.length - 1];
  assert.ok(last.val_acc !== null && last.val_acc > 0.9, `val_acc ${last.val_acc}`);
  assert.ok(last.train_loss < history.records[0].train_loss);
  model.dispose();
});

test('tf.memory().numTensors is the same after every epoch and after fit (adam, sgd+momentum with clipping, groups)', async () => {
  const cases = [
    { optimizer: 'adam' as const },
    { optimizer: 'sgd' as const, clipNorm: 1 },
    { optimizer: 'adam' as const, paramGroupsFrom: true },
  ];
  for (const c of cases) {
    const model = denseModel({ prefix: `leak_${c.optimizer}_${c.clipNorm ?? 0}_${c.paramGroupsFrom ? 'g' : ''}` });
    const before = tf.memory().numTensors;
    const perEpoch: number[] = [];
    const paramGroups = c.paramGroupsFrom
      ? [{ name: 'head', variables: model.getLayer(`${model.name}_fc`).trainableWeights, learningRate: 0.01 }]
      : undefined;
    await fit(model, blobs(64, 5), {
      epochs: 4,
      validation: blobs(32, 6),
      optimizer: c.optimizer,
      clipNorm: c.clipNorm,
      paramGroups,
      progress: 'none',
      callbacks: { onEpochEnd: () => void perEpoch.push(tf.memory().numTensors) },
    });
    assert.equal(new Set(perEpoch).size, 1, `${JSON.stringify(c)}: tensors per epoch ${perEpoch}`);
    assert.equal(tf.memory().numTensors, before, `${JSON.stringify(c)}: tensors left after fit`);
    model.dispose();
  }
});

test('step schedule: lr column is 0.1, 0.1, 0.01, 0.01; cosine reaches the minimum at the last epoch', async () => {
  const model = denseModel({ prefix: 'sched' });
  const step = await fit(model, blobs(32, 7), {
    epochs: 4,
    optimizer: 'sgd',
    learningRate: 0.1,
    schedule: { kind: 'step', stepSize: 2, gamma: 0.1 },
    progress: 'none',
  });
  const lrs = step.history.metric('train_loss').map((_, i) => step.history.records[i].lr);
  lrs.forEach((lr, i) => assert.ok(Math.abs(lr - [0.1, 0.1, 0.01, 0.01][i]) < 1e-12, `epoch ${i + 1}: ${lr}`));
  const cos = await fit(model, blobs(32, 7), {
    epochs: 3,
    learningRate: 0.1,
    schedule: { kind: 'cosine', periodEpochs: 2, minLearningRate: 0.001 },
    progress: 'none',
  });
  assert.deepEqual(
    cos.history.records.map((r) => Number(r.lr.toFixed(6))),
    [0.1, 0.0505, 0.001],
  );
  model.dispose();
});

test('parameter groups: a head-only group at lr 0 leaves the head unchanged while the rest trains', async () => {
  const model = denseModel({ prefix: 'groups' });
  const head = model.getLayer('groups_fc');
  const hidden = model.getLayer('groups_hidden');
  const headBefore = head.getWeights().map((w) => w.dataSync().slice());
  const hiddenBefore = hidden.getWeights()[0].dataSync().slice();
  await fit(model, blobs(64, 8), {
    epochs: 1,
    learningRate: 0.01,
    paramGroups: [{ name: 'head', variables: head.trainableWeights, learningRate: 0 }],
    progress: 'none',
  });
  head.getWeights().forEach((w, i) => assert.deepEqual(Array.from(w.dataSync()), Array.from(headBefore[i])));
  assert.notDeepEqual(Array.from(hidden.getWeights()[0].dataSync()), Array.from(hiddenBefore));
  model.dispose();
});

test('gradient clipping: every batch reports its pre-clip norm, and clipping to a tiny norm slows learning', async () => {
  const norms: number[] = [];
  const a = denseModel({ prefix: 'clipA', seed: 3 });
  const b = denseModel({ prefix: 'clipB', seed: 3 });
  const clipped = await fit(a, blobs(96, 9), {
    epochs: 2,
    optimizer: 'sgd',
    learningRate: 0.1,
    clipNorm: 1e-3,
    progress: 'none',
    callbacks: { onBatchEnd: (l) => void norms.push(l.gradNorm ?? NaN) },
  });
  const free = await fit(b, blobs(96, 9), { epochs: 2, optimizer: 'sgd', learningRate: 0.1, progress: 'none' });
  assert.equal(norms.length, 12);
  assert.ok(
    norms.every((n) => n > 1e-3),
    `norms ${norms}`,
  );
  assert.ok(clipped.history.records[1].train_loss > free.history.records[1].train_loss);
  a.dispose();
  b.dispose();
});

test('early stopping stops after `patience` epochs without improvement', async () => {
  const model = denseModel({ prefix: 'early' });
  // lr 0 never improves train_loss after the first epoch.
  const result = await fit(model, blobs(32, 10), {
    epochs: 10,
    learningRate: 0,
    monitor: 'train_loss',
    earlyStopping: { patience: 2 },
    progress: 'none',
  });
  assert.equal(result.history.length, 3);
  assert.ok(result.stoppedEarly);
  assert.match(result.stopReason ?? '', /early stopping: train_loss/);
  model.dispose();
});

test('mse regression: accuracy columns are null and the loss goes down', async () => {
  const input = tf.input({ shape: [4] });
  const out = tf.layers
    .dense({ units: 1, name: 'reg_out', kernelInitializer: tf.initializers.zeros() })
    .apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const source = blobs(64, 11);
  const regression = {
    *[Symbol.iterator]() {
      for (const b of source) {
        const y = tf.sum(b.x, 1, true);
        try {
          yield { ...b, y };
        } finally {
          y.dispose();
        }
      }
    },
  };
  const { history } = await fit(model, regression, { epochs: 5, loss: 'mse', learningRate: 0.05, progress: 'none' });
  assert.equal(history.records[0].train_acc, null);
  assert.ok(history.records[4].train_loss < history.records[0].train_loss / 2);
  model.dispose();
});

test('bad options give errors that name the option and what was received', async () => {
  const model = denseModel({ prefix: 'bad' });
  await assert.rejects(fit(model, blobs(8, 1), { epochs: 0 }), /options\.epochs.*Received: 0/);
  await assert.rejects(
    fit(model, blobs(8, 1), { loss: 'hinge' as never }),
    /options\.loss.*'cross-entropy'.*Received: "hinge"/,
  );
  await assert.rejects(fit(model, blobs(8, 1), { monitor: 'val_acc' }), /no options\.validation/);
  await assert.rejects(fit(model, blobs(8, 1), { resume: true }), /options\.checkpoint/);
  model.dispose();
});

test('in a notebook, fit shows one progress output per epoch and one live learning curve, updated in place', async () => {
  const published: { id?: string; update: boolean; mime: string[] }[] = [];
  setDisplaySink({
    publish: (bundle, _m, transient, update) =>
      void published.push({ id: transient.display_id, update, mime: Object.keys(bundle) }),
  });
  try {
    const model = denseModel({ prefix: 'nb' });
    await fit(model, blobs(400, 12, 4), { epochs: 3, validation: blobs(40, 13) });
    model.dispose();
  } finally {
    setDisplaySink(undefined);
  }
  const ids = new Set(published.map((p) => p.id));
  assert.equal(ids.size, 3 + 1, 'three progress bars and one chart');
  const chart = published.filter((p) => p.mime.includes(PLOTLY_MIME));
  assert.equal(chart.length, 3, 'the chart is redrawn once per epoch');
  assert.deepEqual(
    chart.map((p) => p.update),
    [false, true, true],
  );
  // 100 batches per epoch, yet only a handful of progress publishes (throttled to 4/s plus the final one).
  assert.ok(published.length - chart.length < 3 * 12, `${published.length} publishes`);
});
