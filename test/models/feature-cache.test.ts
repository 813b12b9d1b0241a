import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../src/data';
import {
  TorchBatchNorm,
  applyFreezeStrategy,
  cacheFeatures,
  compileFrozenBackbone,
  replaceHead,
  resnet,
  resnet18,
  splitBackboneHead,
  trainableVariables,
} from '../../src/models';

const INPUT: [number, number, number] = [32, 32, 3];

function makeBatches(n: number): Batch[] {
  return Array.from({ length: n }, (_, i) => ({
    x: tf.randomNormal([4, ...INPUT], 0, 1, 'float32', 100 + i),
    y: tf.tensor1d([i % 10, (i + 3) % 10, (i + 5) % 10, (i + 7) % 10], 'int32'),
    indices: Int32Array.from([4 * i, 4 * i + 1, 4 * i + 2, 4 * i + 3]),
  }));
}

/** Gives every BatchNorm non-trivial statistics, so folding and inference mode are really exercised. */
function randomizeBatchNorm(model: tf.LayersModel): void {
  let seed = 1;
  for (const layer of model.layers) {
    if (!(layer instanceof TorchBatchNorm)) continue;
    const c = layer.getWeights()[0].shape[0];
    layer.setWeights([
      tf.randomUniform([c], 0.5, 1.5, 'float32', seed++),
      tf.randomNormal([c], 0, 0.2, 'float32', seed++),
      tf.randomNormal([c], 0, 0.5, 'float32', seed++),
      tf.randomUniform([c], 0.5, 2, 'float32', seed++),
    ]);
  }
}

const loss = (logits: tf.Tensor, y: tf.Tensor) =>
  tf.losses.softmaxCrossEntropy(tf.oneHot(y as tf.Tensor1D, 10), logits) as tf.Scalar;

test('strategy 3: training the head on cached features gives the same head as re-running the frozen backbone', async () => {
  const model = replaceHead(await resnet18({ seed: 1, inputShape: INPUT }), { classes: 10 }, { seed: 2 });
  randomizeBatchNorm(model);
  applyFreezeStrategy(model, { strategy: 3 });
  const batches = makeBatches(3);
  const fc = model.getLayer('fc');
  const initial = fc.getWeights().map((w) => w.clone());
  const vars = trainableVariables(model);

  // The original loop: the frozen backbone runs in every step.
  let opt = tf.train.sgd(0.05);
  for (const b of batches)
    tf.tidy(() => void opt.minimize(() => loss(model.apply(b.x, { training: true }) as tf.Tensor, b.y), false, vars));
  const direct = fc.getWeights().map((w) => Float32Array.from(w.dataSync()));

  // Cached: features once, then the head alone on them.
  fc.setWeights(initial);
  const { backbone, head } = splitBackboneHead(model);
  const cache = await cacheFeatures(backbone, batches);
  assert.equal(cache.size, 12);
  opt = tf.train.sgd(0.05);
  for (const b of cache)
    tf.tidy(() => void opt.minimize(() => loss(head.apply(b.x, { training: true }) as tf.Tensor, b.y), false, vars));
  const cached = fc.getWeights().map((w) => Float32Array.from(w.dataSync()));

  let maxDiff = 0;
  direct.forEach((w, i) => w.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - cached[i][j])))));
  console.log(`feature cache: max |head weight difference| after one epoch = ${maxDiff.toExponential(2)}`);
  assert.ok(maxDiff < 1e-5, `head weights differ by ${maxDiff}`);
  assert.ok(
    direct[0].some((v, j) => v !== initial[0].dataSync()[j]),
    'the head did train',
  );
  cache.dispose();
  tf.dispose([...initial, ...batches.flatMap((b) => [b.x, b.y])]);
  model.dispose();
});

for (const arch of ['resnet18', 'resnet50']) {
  test(`${arch}: compileFrozenBackbone (BN folded, fused conv+bias+relu) equals the layers model in inference mode`, async () => {
    const model = await resnet(arch, { seed: 3, includeTop: false, inputShape: [64, 64, 3] });
    randomizeBatchNorm(model);
    const compiled = compileFrozenBackbone(model);
    const x = tf.randomNormal([2, 64, 64, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const want = model.predict(x) as tf.Tensor;
    const got = compiled.features(x);
    const [diff, scale] = tf.tidy(() => [
      tf.max(tf.abs(tf.sub(want, got))).dataSync()[0],
      tf.max(tf.abs(want)).dataSync()[0],
    ]);
    console.log(`folded ${arch}: max|diff| ${diff.toExponential(2)}, max|feature| ${scale.toExponential(2)}`);
    assert.ok(diff <= 1e-4 * scale, `folded features differ by ${diff} (scale ${scale})`);
    tf.dispose([want, got]);
    assert.equal(tf.memory().numTensors, before);
    compiled.dispose();
    x.dispose();
    model.dispose();
  });
}
