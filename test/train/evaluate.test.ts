import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../src/engine';
import { ConfusionMatrix } from '../../src/train/confusion';
import { evaluate } from '../../src/train/evaluate';
import { computeLoss } from '../../src/train/losses';
import { ArraySource } from './helpers';

ensureEngine();

test('confusion matrix arithmetic on a hand-made case', () => {
  // actual:    0 0 0 1 1 2 2 2 2 ; predicted: 0 1 0 1 1 2 0 2 1
  const cm = ConfusionMatrix.fromLabels([0, 0, 0, 1, 1, 2, 2, 2, 2], [0, 1, 0, 1, 1, 2, 0, 2, 1], 3, [
    'cat',
    'dog',
    'bird',
  ]);
  assert.deepEqual(cm.counts, [
    [2, 1, 0],
    [0, 2, 0],
    [1, 1, 2],
  ]);
  assert.equal(cm.total, 9);
  assert.equal(cm.correct, 6);
  assert.equal(cm.accuracy, 6 / 9);
  assert.deepEqual(cm.support(), [3, 2, 4]);
  assert.deepEqual(cm.perClassAccuracy(), [2 / 3, 1, 0.5]);
  const df = cm.perClassFrame();
  assert.deepEqual(df.getColumn('name').toArray(), ['cat', 'dog', 'bird']);
  assert.deepEqual(df.getColumn('correct').toArray(), [2, 2, 2]);
  assert.match(cm.toMimeBundle()['text/plain'], /9 samples, accuracy 66\.67%/);
  assert.throws(() => cm.add([3], [0]), /label pair 0 is \(actual 3, predicted 0\)/);
  assert.ok(Number.isNaN(new ConfusionMatrix(2).perClassAccuracy()[0]), 'no samples -> NaN, not 0');
});

test('evaluate: a model with known weights gives the expected predictions, confusion matrix and misclassified rows', async () => {
  // One-hot inputs through a fixed linear map: input class 0 -> predicted 0, 1 -> 2 (wrong), 2 -> 2.
  const input = tf.input({ shape: [3] });
  const dense = tf.layers.dense({ units: 3, useBias: false, name: 'fixed' });
  const model = tf.model({ inputs: input, outputs: dense.apply(input) as tf.SymbolicTensor });
  dense.setWeights([
    tf.tensor2d([
      [2, 0, 0],
      [0, 0, 3],
      [0, 0, 1],
    ]),
  ]);
  const features = new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0]);
  const labels = new Int32Array([0, 1, 2, 0, 1]);
  const before = tf.memory().numTensors;
  const result = await evaluate(model, new ArraySource(features, labels, 3, 2), {
    classNames: ['a', 'b', 'c<script>'],
    keepMisclassified: 1,
  });
  assert.deepEqual(result.confusion.counts, [
    [2, 0, 0],
    [0, 0, 2],
    [0, 0, 1],
  ]);
  assert.equal(result.accuracy, 3 / 5);
  assert.deepEqual(result.perClass.getColumn('accuracy').toArray(), [1, 0, 1]);
  const wrong = result.misclassified.toRecords();
  assert.deepEqual(
    wrong.map((r) => [r.index, r.predicted, r.actual, r.predicted_name, r.actual_name]),
    [
      [1, 2, 1, 'c<script>', 'b'],
      [4, 2, 1, 'c<script>', 'b'],
    ],
  );
  const confidence = Math.exp(3) / (Math.exp(3) + 2);
  assert.ok(Math.abs((wrong[0].confidence as number) - confidence) < 1e-6);
  assert.deepEqual(result.misclassifiedImages?.shape, [1, 3]);
  assert.deepEqual(Array.from(result.misclassifiedImages!.dataSync()), [0, 1, 0]);
  // Loss: mean cross-entropy over the five samples, computed independently.
  const expected = tf.tidy(
    () =>
      computeLoss(
        'cross-entropy',
        model.predict(tf.tensor2d(features, [5, 3])) as tf.Tensor,
        tf.tensor1d(labels, 'int32'),
      ).dataSync()[0],
  );
  assert.ok(Math.abs(result.loss - expected) < 1e-6);
  assert.doesNotMatch(result.toMimeBundle()['text/html'] as string, /c<script>/);
  result.dispose();
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

test('losses: nll on log-softmax equals cross-entropy on logits; sequence outputs are flattened', () => {
  tf.tidy(() => {
    const logits = tf.tensor3d([
      [
        [1, 2, 0.5],
        [0, 0, 3],
      ],
      [
        [2, 2, 2],
        [-1, 4, 0],
      ],
    ]);
    const y = tf.tensor2d(
      [
        [1, 2],
        [0, 1],
      ],
      [2, 2],
      'int32',
    );
    const ce = computeLoss('cross-entropy', logits, y).dataSync()[0];
    const nll = computeLoss('nll', tf.logSoftmax(logits), y).dataSync()[0];
    assert.ok(Math.abs(ce - nll) < 1e-6);
    const manual = [
      [1, 2, 0.5, 1],
      [0, 0, 3, 2],
      [2, 2, 2, 0],
      [-1, 4, 0, 1],
    ].map(([a, b, c, k]) => {
      const z = [a, b, c];
      return Math.log(z.reduce((s, v) => s + Math.exp(v), 0)) - z[k];
    });
    assert.ok(Math.abs(ce - manual.reduce((s, v) => s + v, 0) / 4) < 1e-6);
    assert.throws(
      () => computeLoss('cross-entropy', logits, tf.tensor1d([1, 2], 'int32')),
      /target shape \[2\] does not match output shape \[2,2,3\]/,
    );
  });
});
