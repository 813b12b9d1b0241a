/**
 * Bad input that `fit` used to accept silently: a negative (or NaN, infinite, non-number) learning rate trained
 * "upward" without a word, and a diverging run with finite losses growing to 1e27 trained on. Written against the
 * options only, so the same file ran (and failed) before the fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../src/data/batch';
import { LessonkitError, OptionError } from '../../src/errors';
import { ensureEngine } from '../../src/engine';
import { fit, type FitOptions } from '../../src/train/fit';
import { blobs, denseModel, maxAbsDiff, weightValues } from './helpers';

ensureEngine();

test('a learning rate that is not a finite number >= 0 is an OptionError naming the option and the value found', async () => {
  const model = denseModel({ prefix: 'bad_lr' });
  const before = weightValues(model);
  const cases: [FitOptions, string, string][] = [
    [{ learningRate: -0.01 }, 'options.learningRate', '-0.01'],
    [{ learningRate: Number.NaN }, 'options.learningRate', 'NaN'],
    [{ learningRate: Number.POSITIVE_INFINITY }, 'options.learningRate', 'Infinity'],
    [{ learningRate: '0.1' as never }, 'options.learningRate', '"0.1"'],
    [{ optimizer: { name: 'sgd', learningRate: -1 } }, 'options.optimizer.learningRate', '-1'],
    [{ optimizer: tf.train.sgd(-0.5) }, "options.optimizer's learning rate", '-0.5'],
    [
      { paramGroups: [{ name: 'head', variables: model.trainableWeights.slice(2), learningRate: -0.1 }] },
      'options.paramGroups[0].learningRate',
      '-0.1',
    ],
  ];
  for (const [options, option, found] of cases) {
    await assert.rejects(fit(model, blobs(16, 1), { progress: 'none', ...options }), (err: Error) => {
      assert.ok(err instanceof OptionError, `${option}: expected an OptionError, got ${err}`);
      if (option === 'options.learningRate') assert.equal(err.option, 'learningRate');
      assert.ok(err.message.includes(option), err.message);
      assert.ok(err.message.endsWith(`Received: ${found}`), err.message);
      assert.match(err.message, /expected .* to be a finite number >= 0/);
      return true;
    });
  }
  assert.equal(maxAbsDiff(weightValues(model), before), 0, 'nothing was trained');
  // 0 stays legal: it freezes (tests and frozen parameter groups use it).
  await fit(model, blobs(16, 1), { learningRate: 0, progress: 'none' });
  assert.equal(maxAbsDiff(weightValues(model), before), 0);
  model.dispose();
});

/** Linear regression on the blob features (target: their sum) with plain SGD: lr 1 is far past the stable step. */
function regression(): { model: tf.LayersModel; source: Iterable<Batch> } {
  const input = tf.input({ shape: [4] });
  const out = tf.layers
    .dense({ units: 1, name: 'div_out', kernelInitializer: tf.initializers.zeros() })
    .apply(input) as tf.SymbolicTensor;
  const source = blobs(64, 41);
  return {
    model: tf.model({ inputs: input, outputs: out }),
    source: {
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
    },
  };
}

test('a diverging run stops with a clear error (epoch, batch, learning rate) before the batch is applied; the check can be turned off', async () => {
  const sgd = { name: 'sgd' as const, momentum: 0 };
  // Turned off, 2 epochs (8 steps) stay finite while the loss grows by many orders of magnitude: the old behaviour.
  const off = regression();
  const { history } = await fit(off.model, off.source, {
    epochs: 2,
    loss: 'mse',
    optimizer: sgd,
    learningRate: 1,
    progress: 'none',
    divergence: false,
  } as FitOptions);
  assert.ok(Number.isFinite(history.records[1].train_loss));
  assert.ok(history.records[1].train_loss > 1e6 * history.records[0].train_loss, JSON.stringify(history.records));
  off.model.dispose();

  // On (the default): stopped at the first batch whose loss is over 1000x the best so far.
  const on = regression();
  const losses: number[] = [];
  let lastApplied: Float32Array[] = weightValues(on.model);
  const err = await fit(on.model, on.source, {
    epochs: 2,
    loss: 'mse',
    optimizer: sgd,
    learningRate: 1,
    progress: 'none',
    callbacks: {
      onBatchEnd: (logs) => {
        losses.push(logs.loss);
        lastApplied = weightValues(on.model);
      },
    },
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof LessonkitError, `expected a LessonkitError, got ${err}`);
  const e = err as LessonkitError & { epoch: number; batch: number; learningRate: number; loss: number };
  assert.equal(e.name, 'DivergingLossError');
  assert.equal(e.learningRate, 1);
  assert.equal(e.batch, losses.length % 4);
  assert.equal(e.epoch, Math.floor(losses.length / 4) + 1);
  assert.ok(e.loss > 1000 * Math.min(...losses) && e.loss > losses[0], `${e.loss} vs ${losses}`);
  assert.match(
    e.message,
    new RegExp(`in epoch ${e.epoch}, batch ${e.batch}, at learning rate 1, is more than 1000 times`),
  );
  assert.match(e.message, /divergence: false turns the check off/);
  assert.equal(maxAbsDiff(weightValues(on.model), lastApplied), 0, 'the diverging batch was not applied');
  on.model.dispose();

  // A bound: any batch loss above maxLoss stops the run, whatever the factor.
  const bound = regression();
  await assert.rejects(
    fit(bound.model, bound.source, {
      epochs: 2,
      loss: 'mse',
      optimizer: sgd,
      learningRate: 1,
      progress: 'none',
      divergence: { factor: 1e30, maxLoss: 1e4 },
    } as FitOptions),
    (x: Error) => x.name === 'DivergingLossError' && /above options\.divergence\.maxLoss \(10000\)/.test(x.message),
  );
  bound.model.dispose();
});

test('the divergence check leaves a healthy run alone (the numbers are those of a run without it)', async () => {
  const runs = [];
  for (const divergence of [undefined, false]) {
    const model = denseModel({ prefix: `healthy_${divergence}` });
    const { history } = await fit(model, blobs(96, 42), {
      epochs: 4,
      learningRate: 0.01,
      progress: 'none',
      ...(divergence === false ? { divergence } : {}),
    } as FitOptions);
    runs.push(history.records.map((r) => r.train_loss));
    model.dispose();
  }
  assert.deepEqual(runs[0], runs[1]);
});

test('fit options of the divergence check are checked', async () => {
  const model = denseModel({ prefix: 'div_opts' });
  await assert.rejects(
    fit(model, blobs(8, 1), { divergence: { factor: 1 } } as FitOptions),
    (err: Error) =>
      err instanceof OptionError &&
      /options\.divergence\.factor to be a finite number > 1\. Received: 1/.test(err.message),
  );
  model.dispose();
});
