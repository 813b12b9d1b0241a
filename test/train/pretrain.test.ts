import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { compose, grayscaleTo3, loadMnist, resize, scaleTo01 } from '../../src/data';
import { readSafetensorsFile, resnet18 } from '../../src/models';
import { pretrainBackbone } from '../../src/train';

test('pretrainBackbone trains once, caches a safetensors state_dict, and the ResNet loads it as weights', async () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-pretrain-'));
  process.env.LESSONKIT_CACHE = cache;
  try {
    const { train } = await loadMnist();
    const data = train.take(96);
    const options = {
      arch: 'resnet18' as const,
      data,
      dataName: 'mnist',
      imageSize: 32,
      transform: compose(grayscaleTo3(), resize(32), scaleTo01()),
      epochs: 1,
      batchSize: 32,
    };
    const first = await pretrainBackbone(options);
    assert.equal(first.fromCache, false);
    assert.equal(first.history?.length, 1);
    assert.ok(first.file.startsWith(cache), `the weights go to the cache: ${first.file}`);
    const st = readSafetensorsFile(first.file);
    assert.equal(st.metadata.arch, 'resnet18');
    assert.equal(st.metadata.samples, '96');
    assert.deepEqual(st.entries.get('fc.weight')?.shape, [10, 512]);

    const again = await pretrainBackbone(options);
    assert.equal(again.fromCache, true);
    assert.equal(again.file, first.file);

    const before = tf.memory().numTensors;
    const backbone = await resnet18({ includeTop: false, weights: first.file });
    const diff = tf.tidy(() => {
      const conv1 = backbone.getLayer('conv1').getWeights()[0];
      // torch OIHW [64, 3, 7, 7] -> tfjs HWIO [7, 7, 3, 64]
      const fromFile = tf.tensor(st.readFloat32('conv1.weight'), [64, 3, 7, 7]).transpose([2, 3, 1, 0]);
      return tf.max(tf.abs(tf.sub(conv1, fromFile))).dataSync()[0];
    });
    assert.ok(diff < 1e-7, `conv1 weights come from the file (max diff ${diff})`);
    backbone.dispose();
    assert.equal(tf.memory().numTensors, before, 'building and disposing the model leaves no tensors');
  } finally {
    delete process.env.LESSONKIT_CACHE;
    fs.rmSync(cache, { recursive: true, force: true });
  }
});
