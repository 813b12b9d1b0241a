import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../src/engine';
import { OptionError } from '../../src/errors';
import { gradientFlow, linearRecurrenceGradients, recurrentModel, type RecurrentCell } from '../../src/models';

const CELLS: RecurrentCell[] = ['simple', 'lstm', 'gru'];

for (const cell of CELLS) {
  test(`${cell}: many-to-one, many-to-many, one-to-many, stacked and bidirectional shapes`, () => {
    ensureEngine();
    const x = tf.randomNormal([3, 28, 28]);
    const cases: [Parameters<typeof recurrentModel>[0], number[]][] = [
      [{ cell, inputShape: [28, 28], outputUnits: 10, units: 16 }, [3, 10]],
      [
        { cell, inputShape: [28, 28], outputUnits: 10, units: 16, layers: 2, dropout: 0.2, bidirectional: true },
        [3, 10],
      ],
      [{ cell, inputShape: [28, 28], outputUnits: 4, units: 16, task: 'many-to-many' }, [3, 28, 4]],
    ];
    for (const [options, shape] of cases) {
      const model = recurrentModel(options);
      const y = model.predict(x) as tf.Tensor;
      assert.deepEqual(y.shape, shape, JSON.stringify(options));
      y.dispose();
      model.dispose();
    }
    const oneToMany = recurrentModel({
      cell,
      inputShape: [5],
      outputUnits: 2,
      units: 8,
      task: 'one-to-many',
      outputSteps: 7,
    });
    const y = oneToMany.predict(tf.ones([3, 5])) as tf.Tensor;
    assert.deepEqual(y.shape, [3, 7, 2]);
    tf.dispose([x, y]);
    oneToMany.dispose();
  });
}

test('bidirectional stacked LSTM: the layers are named rnn.0, dropout.0, rnn.1, fc', () => {
  const m = recurrentModel({
    cell: 'lstm',
    inputShape: [28, 28],
    outputUnits: 10,
    units: 8,
    layers: 2,
    dropout: 0.5,
    bidirectional: true,
  });
  assert.deepEqual(
    m.layers.map((l) => l.name),
    ['input', 'rnn.0', 'dropout.0', 'rnn.1', 'fc'],
  );
  assert.deepEqual(m.getLayer('rnn.1').outputShape, [null, 16], 'two directions concatenated');
  m.dispose();
});

test('invalid recurrent options fail with a clear error', () => {
  assert.throws(
    () => recurrentModel({ cell: 'transformer' as never, inputShape: [2, 3], outputUnits: 1 }),
    /cell must be 'simple', 'lstm' or 'gru'/,
  );
  assert.throws(
    () => recurrentModel({ cell: 'gru', inputShape: [3], outputUnits: 1, task: 'one-to-many' }),
    /one-to-many needs outputSteps > 0/,
  );
  assert.throws(
    () => recurrentModel({ cell: 'gru', inputShape: [3], outputUnits: 1 }),
    /inputShape must have 2 entries for many-to-one/,
  );
});

test('units: 0 and outputUnits: 0 are OptionErrors naming the option (not tfjs\'s "Expected units")', () => {
  for (const [options, name] of [
    [{ cell: 'lstm', inputShape: [4, 3], outputUnits: 2, units: 0 }, 'units'],
    [{ cell: 'gru', inputShape: [4, 3], outputUnits: 0 }, 'outputUnits'],
    [{ cell: 'simple', inputShape: [4, 3], outputUnits: 2, units: 2.5 }, 'units'],
  ] as const) {
    assert.throws(
      () => recurrentModel(options as unknown as Parameters<typeof recurrentModel>[0]),
      (err: Error) =>
        err instanceof OptionError &&
        err.option === name &&
        new RegExp(`options\\.${name} must be a positive integer, found`).test(err.message),
    );
  }
});

test("the probe on a linear recurrence reproduces the lesson's arithmetic: 0.9^10 = 0.349, 1.1^10 = 2.59", () => {
  const vanish = linearRecurrenceGradients(0.9, 10);
  const explode = linearRecurrenceGradients(1.1, 10);
  assert.equal(vanish[0].toFixed(3), '0.349');
  assert.equal(explode[0].toFixed(2), '2.59');
  vanish.forEach((g, t) => assert.ok(Math.abs(g - 0.9 ** (10 - t)) < 1e-6, `d h_10 / d h_${t}`));
});

test('gradient flow over 100 steps: SimpleRNN vanishes; an LSTM with an open forget gate carries the gradient', () => {
  const before = tf.memory().numTensors;
  const flows = [
    gradientFlow({ cell: 'simple' }),
    gradientFlow({ cell: 'gru' }),
    gradientFlow({ cell: 'lstm' }),
    gradientFlow({ cell: 'lstm', forgetBias: 3 }),
  ];
  for (const f of flows) {
    console.log(
      `gradient flow ${f.cell}: |dL/dh_99| ${f.norms[99].toExponential(2)}, |dL/dh_90| ${f.norms[90].toExponential(2)}, |dL/dh_0| ${f.norms[0].toExponential(2)}`,
    );
    assert.equal(f.norms.length, 100);
  }
  const [simple, , lstm, lstmOpen] = flows;
  assert.ok(
    simple.firstToLastRatio < 1e-6,
    `SimpleRNN keeps ${simple.firstToLastRatio} of the gradient after 100 steps`,
  );
  assert.ok(
    simple.norms[50] < simple.norms[90] && simple.norms[90] < simple.norms[99],
    'it decays monotonically toward the start',
  );
  assert.ok(lstmOpen.firstToLastRatio > 1e-2, `LSTM with forget bias 3 keeps ${lstmOpen.firstToLastRatio}`);
  assert.ok(lstmOpen.firstToLastRatio > 1e6 * lstm.firstToLastRatio, 'the forget gate is what carries it');
  assert.equal(tf.memory().numTensors, before);
});

test("gradient flow: the default LSTM is tfjs's, with forget bias 0 (tfjs leaves unitForgetBias off); bias 1 keeps more", () => {
  const steps = 30;
  const byDefault = gradientFlow({ cell: 'lstm', steps, seed: 7 });
  const zero = gradientFlow({ cell: 'lstm', steps, seed: 7, forgetBias: 0 });
  const one = gradientFlow({ cell: 'lstm', steps, seed: 7, forgetBias: 1 });
  assert.deepEqual(byDefault.norms, zero.norms);
  assert.ok(
    one.firstToLastRatio > 10 * zero.firstToLastRatio,
    `forget bias 1 keeps ${one.firstToLastRatio}, bias 0 keeps ${zero.firstToLastRatio}`,
  );
});
