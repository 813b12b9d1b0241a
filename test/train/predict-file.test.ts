import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { compose, scaleTo01 } from '../../src/data';
import { ensureEngine } from '../../src/engine';
import { predictImageFile } from '../../src/train';
import { encodePng } from '../../src/viz';

test('predictImageFile decodes a PNG like the training data and ranks the classes', async () => {
  ensureEngine();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-predict-'));
  // A 28x28 gray image whose left half is white: a "model" that reads mean brightness of each half decides.
  const file = path.join(dir, 'half.png');
  const img = tf.tidy(() => tf.concat([tf.fill([28, 14, 1], 255, 'int32'), tf.zeros([28, 14, 1], 'int32')], 1));
  fs.writeFileSync(file, await encodePng(img as tf.Tensor3D));
  img.dispose();
  const input = tf.input({ shape: [28, 28, 1] });
  const pooled = tf.layers
    .averagePooling2d({ poolSize: [28, 14], strides: [28, 14] })
    .apply(input) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(pooled) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: 2, useBias: false, kernelInitializer: 'identity' })
    .apply(flat) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: logits });
  const before = tf.memory().numTensors;
  const result = await predictImageFile(model, file, {
    classNames: ['left', 'right'],
    channels: 1,
    size: [28, 28],
    transform: compose(scaleTo01()),
  });
  assert.equal(result.top[0].name, 'left');
  assert.ok(
    Math.abs(result.top[0].probability - 1 / (1 + Math.exp(-1))) < 1e-5,
    `softmax of logits [1, 0]: ${result.top[0].probability}`,
  );
  const bundle = result.toMimeBundle();
  assert.match(bundle['text/plain'], /left: 73\.1%/);
  assert.match(String(bundle['text/html']), /data:image\/png;base64/);
  const inverted = await predictImageFile(model, file, {
    classNames: ['left', 'right'],
    channels: 1,
    size: [28, 28],
    transform: compose(scaleTo01()),
    invert: true,
  });
  assert.equal(inverted.top[0].name, 'right');
  assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
  await assert.rejects(
    predictImageFile(model, path.join(dir, 'missing.png'), { classNames: ['a', 'b'], channels: 1, size: [28, 28] }),
    /missing\.png does not exist/,
  );
  fs.writeFileSync(path.join(dir, 'notes.png'), 'not an image');
  await assert.rejects(
    predictImageFile(model, path.join(dir, 'notes.png'), { classNames: ['a', 'b'], channels: 1, size: [28, 28] }),
    /notes\.png: expected an image/,
  );
  model.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});
