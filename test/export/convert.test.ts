/**
 * exportForBrowser's conversion in this process (tfjs-node): the standard-layers model against the original on the
 * same inputs (fused LSTM / GRU / SimpleRNN, goBackwards, a ResNet with BatchNorm folded, a LogSoftmax head), the
 * clear error for a layer it cannot convert, and the preprocessing read from the lessons' transforms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  exportForBrowser,
  exportLessonPage,
  preprocessFromTransform,
  toStandardModel,
  UnconvertibleLayerError,
} from '../../src/export';
import {
  compose,
  grayscaleTo3,
  normalize,
  randomCrop,
  resize,
  scaleTo01,
  IMAGENET_MEAN,
  IMAGENET_STD,
  centerCrop,
} from '../../src/data';
import { LogSoftmax } from '../../src/models/ops/log-softmax';
import { halfToFloat } from '../../src/models/weights/float16';
import { floatToHalf } from '../../src/export/float16';
import { CIFAR10_CLASSES } from '../../src/data';
import { classifier, fusedSequenceModel, smallResNet } from './models';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

function classesOf(model: tf.LayersModel): string[] {
  return model.layers.map((l) => l.getClassName());
}

for (const goBackwards of [false, true]) {
  test(`fused LSTM -> GRU -> SimpleRNN become tf.layers.lstm / gru / simpleRNN with the same outputs (goBackwards ${goBackwards})`, () => {
    const model = fusedSequenceModel({ goBackwards });
    const { model: standard, notes } = toStandardModel(model);
    assert.deepEqual(classesOf(standard), ['InputLayer', 'LSTM', 'GRU', 'SimpleRNN', 'Dense']);
    const x = tf.randomNormal([5, 7, 3], 0, 1, 'float32', 3);
    const diff = maxAbsDiff(model.predict(x) as tf.Tensor, standard.predict(x) as tf.Tensor);
    console.log(`# fused recurrent (goBackwards ${goBackwards}): max |original - standard| = ${diff.toExponential(2)}`);
    assert.ok(diff < 1e-5, `diff ${diff}`);
    assert.ok(notes.some((n) => /reset_after=false/.test(n)));
    tf.dispose(x);
    standard.dispose();
    model.dispose();
  });
}

test('a ResNet: every TorchBatchNorm folded into its conv (with a bias), same predictions', async () => {
  const backbone = await smallResNet();
  const model = classifier(backbone, false);
  const bnCount = model.layers.filter((l) => l.getClassName() === 'TorchBatchNorm').length;
  const { model: standard, layersFolded } = toStandardModel(model);
  assert.equal(layersFolded, bnCount);
  assert.ok(!classesOf(standard).includes('TorchBatchNorm'));
  assert.ok(!classesOf(standard).includes('BatchNormalization'));
  const conv = standard.getLayer('layer1.0.conv1');
  assert.equal((conv.getConfig() as { useBias: boolean }).useBias, true);
  const x = tf.randomNormal([3, 32, 32, 3], 0, 1, 'float32', 5);
  const [a, b] = [model.predict(x) as tf.Tensor, standard.predict(x) as tf.Tensor];
  const diff = maxAbsDiff(tf.softmax(a), tf.softmax(b));
  const logitScale = tf.max(tf.abs(a)).dataSync()[0];
  console.log(
    `# ResNet (${bnCount} BatchNorms folded): max |softmax diff| = ${diff.toExponential(2)}, max |logit| ${logitScale.toFixed(2)}`,
  );
  assert.ok(diff < 1e-5, `diff ${diff}`);
  tf.dispose([x, a, b]);
  standard.dispose();
  model.dispose();
});

test('a LogSoftmax head becomes a softmax output: exp of the original', async () => {
  const model = classifier(await smallResNet(2), true);
  const { model: standard, logSoftmaxToSoftmax, notes } = toStandardModel(model);
  assert.equal(logSoftmaxToSoftmax, true);
  assert.ok(notes.some((n) => /probabilities/.test(n)));
  assert.equal(classesOf(standard).at(-1), 'Activation');
  const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 9);
  const diff = maxAbsDiff(tf.exp(model.predict(x) as tf.Tensor), standard.predict(x) as tf.Tensor);
  assert.ok(diff < 1e-5, `diff ${diff}`);
  tf.dispose(x);
  standard.dispose();
  model.dispose();
});

class Squash extends tf.layers.Layer {
  static className = 'Squash';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tanh(x);
  }
}

test('a layer with no standard equivalent: UnconvertibleLayerError naming the layer and its class', async () => {
  const input = tf.input({ shape: [4] });
  const hidden = tf.layers.dense({ units: 3, name: 'hidden' }).apply(input) as tf.SymbolicTensor;
  const squashed = new Squash({ name: 'my-squash' }).apply(hidden) as tf.SymbolicTensor;
  const model = tf.model({
    inputs: input,
    outputs: tf.layers.dense({ units: 2 }).apply(squashed) as tf.SymbolicTensor,
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-export-'));
  await assert.rejects(exportForBrowser(model, path.join(dir, 'out')), (err: unknown) => {
    assert.ok(err instanceof UnconvertibleLayerError);
    assert.equal(err.layerName, 'my-squash');
    assert.equal(err.className, 'Squash');
    assert.match(err.message, /layer "my-squash" \(class Squash\) has no standard tfjs equivalent/);
    return true;
  });
  assert.ok(!fs.existsSync(path.join(dir, 'out')), 'nothing written');
  // A LogSoftmax that feeds other layers cannot become a softmax output.
  const inner = tf.input({ shape: [4] });
  const logp = new LogSoftmax({ name: 'inner-logsoftmax' }).apply(inner) as tf.SymbolicTensor;
  const m2 = tf.model({ inputs: inner, outputs: tf.layers.dense({ units: 2 }).apply(logp) as tf.SymbolicTensor });
  assert.throws(() => toStandardModel(m2), /layer "inner-logsoftmax" \(class LogSoftmax\) feeds other layers/);
  fs.rmSync(dir, { recursive: true, force: true });
  model.dispose();
  m2.dispose();
});

test("the page's preprocessing is read from the lessons' transforms; random augmentation is refused", () => {
  assert.deepEqual(preprocessFromTransform(compose(grayscaleTo3(), resize(32), scaleTo01())), [
    { op: 'grayscaleTo3' },
    { op: 'resize', height: 32, width: 32 },
    { op: 'scaleTo01' },
  ]);
  assert.deepEqual(
    preprocessFromTransform(
      compose(grayscaleTo3(), resize(256), centerCrop(224), scaleTo01(), normalize(IMAGENET_MEAN, IMAGENET_STD)),
    ),
    [
      { op: 'grayscaleTo3' },
      { op: 'resize', height: 256, width: 256 },
      { op: 'centerCrop', height: 224, width: 224 },
      { op: 'scaleTo01' },
      { op: 'normalize', mean: [...IMAGENET_MEAN], std: [...IMAGENET_STD] },
    ],
  );
  assert.deepEqual(preprocessFromTransform(compose(scaleTo01(), normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]))), [
    { op: 'scaleTo01' },
    { op: 'normalize', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
  ]);
  assert.throws(
    () => preprocessFromTransform(compose(randomCrop(32, { padding: 4 }), scaleTo01())),
    /cannot run on the page/,
  );
});

test("exportLessonPage('03-rnn'): the lesson's preset, a standard model.json, the report; a foreign folder is refused", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-export-'));
  const model = fusedSequenceModel({ outputs: 4 });
  const example = [[1, 2, 3]];
  const report = await exportLessonPage('03-rnn', model, {
    dir: path.join(dir, 'page'),
    classNames: ['a', 'b', 'c', 'd'],
    example,
  });
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'page', 'lessonkit-export.json'), 'utf8'));
  assert.equal(config.page, 'sequence');
  assert.deepEqual(config.input, { shape: [7, 3] });
  assert.equal(config.output, 'logits');
  assert.deepEqual(config.example, example);
  const modelJson = JSON.parse(fs.readFileSync(path.join(dir, 'page', 'model.json'), 'utf8'));
  const classes = (modelJson.modelTopology.config.layers as { class_name: string }[]).map((l) => l.class_name);
  assert.deepEqual(classes, ['InputLayer', 'LSTM', 'GRU', 'SimpleRNN', 'Dense']);
  assert.deepEqual(
    report.files.map((f) => f.name),
    ['app.js', 'group1-shard1of1.bin', 'index.html', 'lessonkit-export.json', 'model.json', 'tf.min.js'],
  );
  assert.equal(
    report.bytes,
    report.files.reduce((s, f) => s + f.bytes, 0),
  );
  assert.ok(report.parity && report.parity.maxAbsDiff < 1e-5);
  assert.match(report.toMimeBundle()['text/plain'], /Exported .* 6 files/);
  // Exporting again into the same folder replaces the earlier export; a folder with other contents is refused.
  await exportLessonPage('03-rnn', model, { dir: path.join(dir, 'page'), classNames: ['a', 'b', 'c', 'd'] });
  fs.mkdirSync(path.join(dir, 'other'));
  fs.writeFileSync(path.join(dir, 'other', 'notes.txt'), 'mine');
  await assert.rejects(exportLessonPage('03-rnn', model, { dir: path.join(dir, 'other') }), /is not an earlier export/);
  await assert.rejects(
    exportLessonPage('03-rnn', model, { dir: path.join(dir, 'x'), classNames: ['a'] }),
    /1 class names for a model with 4 outputs/,
  );
  fs.rmSync(dir, { recursive: true, force: true });
  model.dispose();
});

test("weights: 'float16' halves the shards; tfjs reads them back within the float16 tolerance", async () => {
  for (const v of [0, 1, -2.5, 0.1, 65504, 1e-6, 3.14159, -1e-8]) {
    assert.ok(Math.abs(halfToFloat(floatToHalf(v)) - v) <= Math.max(Math.abs(v) * 2 ** -11, 2 ** -24), `${v}`);
  }
  assert.equal(floatToHalf(1e6), 0x7c00);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-export-'));
  const model = classifier(await smallResNet(4), false);
  const options = { page: 'image' as const, classNames: CIFAR10_CLASSES };
  const full = await exportForBrowser(model, path.join(dir, 'f32'), options);
  const half = await exportForBrowser(model, path.join(dir, 'f16'), { ...options, weights: 'float16' });
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'f16', 'model.json'), 'utf8')).weightsManifest[0];
  assert.deepEqual(manifest.weights[0].quantization, { dtype: 'float16' });
  const ratio = half.modelBytes / full.modelBytes;
  console.log(
    `# float16: model ${(half.modelBytes / 1e6).toFixed(2)} MB vs ${(full.modelBytes / 1e6).toFixed(2)} MB; ` +
      `max |difference| ${half.parity?.maxAbsDiff.toExponential(2)} vs ${full.parity?.maxAbsDiff.toExponential(2)}`,
  );
  assert.ok(ratio > 0.49 && ratio < 0.52, `ratio ${ratio}`);
  assert.ok(half.parity!.maxAbsDiff < 2e-2 && full.parity!.maxAbsDiff < 1e-5);
  assert.ok(half.notes.some((n) => /float16/.test(n)));
  fs.rmSync(dir, { recursive: true, force: true });
  model.dispose();
});
