import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  TorchBatchNorm,
  applyFreezeStrategy,
  parameterGroups,
  recalibrateBatchNorm,
  replaceHead,
  resnet18,
  trainableSummary,
  trainableVariables,
  type FrozenBatchNormMode,
} from '../../src/models';

const INPUT: [number, number, number] = [32, 32, 3];

async function cifarModel(frozenBatchNorm: FrozenBatchNormMode = 'inference'): Promise<tf.LayersModel> {
  return replaceHead(await resnet18({ seed: 1, inputShape: INPUT, frozenBatchNorm }), { classes: 10 }, { seed: 2 });
}

/** Runs `steps` SGD steps the way the training code does: model.apply(training) inside minimize(varList). */
function trainSteps(model: tf.LayersModel, steps: number): void {
  const opt = tf.train.sgd(0.1);
  const vars = trainableVariables(model);
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      const x = tf.randomNormal([4, ...INPUT], 0, 1, 'float32', 10 + i);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 10);
      opt.minimize(
        () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        false,
        vars,
      );
    });
  }
  opt.dispose();
}

const snapshot = (model: tf.LayersModel, layer: string) =>
  model
    .getLayer(layer)
    .getWeights()
    .map((w) => Float32Array.from(w.dataSync()));
const same = (a: Float32Array[], b: Float32Array[]) => a.every((w, i) => w.every((v, j) => v === b[i][j]));

test('replaceHead: Linear(512, 10) as fc; LogSoftmax as fc.1; an MLP as fc.0..fc.3', async () => {
  const base = await resnet18({ seed: 1, inputShape: INPUT });
  const linear = replaceHead(base, { classes: 10 });
  assert.deepEqual(linear.outputs[0].shape, [null, 10]);
  assert.deepEqual(linear.getLayer('fc').getWeights()[0].shape, [512, 10]);
  const nll = replaceHead(base, { classes: 10, logSoftmax: true });
  assert.deepEqual(
    nll.layers.slice(-2).map((l) => l.name),
    ['fc.0', 'fc.1'],
  );
  const p = tf.tidy(
    () => tf.sum(tf.exp(nll.predict(tf.randomNormal([2, ...INPUT])) as tf.Tensor), 1).arraySync() as number[],
  );
  p.forEach((s) => assert.ok(Math.abs(s - 1) < 1e-5, 'exp(log-softmax) sums to 1'));
  const mlp = replaceHead(linear, { kind: 'mlp', classes: 10, hidden: [128], dropout: 0.3 });
  assert.deepEqual(
    mlp.layers.slice(-4).map((l) => l.name),
    ['fc.0', 'fc.1', 'fc.2', 'fc.3'],
  );
  assert.deepEqual(
    mlp.getLayer('fc.0').getWeights()[0].shape,
    [512, 128],
    'the new head reads the pooled features, not the old fc',
  );
  assert.throws(() => replaceHead(base, { classes: 0 }), /invalid head spec: classes must be a positive integer/);
  assert.throws(
    () => replaceHead(base, { kind: 'mlp', classes: 3, hidden: [] }),
    /invalid head spec: hidden must be a non-empty list/,
  );
  assert.throws(
    () => replaceHead(base, { kind: 'conv', classes: 3 } as never),
    /invalid head spec: kind must be 'linear' or 'mlp'/,
  );
  base.dispose();
});

test('strategy 3 freezes the backbone: only fc trains; summary counts trainable and frozen parameters', async () => {
  const model = await cifarModel();
  const summary = applyFreezeStrategy(model, { strategy: 3 });
  assert.equal(summary.trainable, 512 * 10 + 10);
  assert.equal(
    summary.trainable + summary.nonTrainable,
    trainableSummary(model).trainable + trainableSummary(model).nonTrainable,
  );
  assert.match(summary.toMimeBundle()['text/plain'], /strategy 3 \(head-only\)[\s\S]*head\s+5,130\s+0/);
  assert.equal(trainableVariables(model).length, 2);
  model.dispose();
});

test('strategy 2 up to layer3: stem..layer3 frozen, layer4 and head train; by block name too', async () => {
  const model = await cifarModel();
  applyFreezeStrategy(model, { strategy: 2, upTo: 'layer3' });
  for (const name of ['conv1', 'bn1', 'layer1.0.conv1', 'layer3.1.bn2', 'layer3.0.downsample.0'])
    assert.equal(model.getLayer(name).trainable, false, name);
  for (const name of ['layer4.0.conv1', 'layer4.1.bn2', 'fc']) assert.equal(model.getLayer(name).trainable, true, name);
  applyFreezeStrategy(model, { strategy: 2, upTo: 'layer2.0' });
  assert.equal(model.getLayer('layer2.0.conv2').trainable, false);
  assert.equal(model.getLayer('layer2.1.conv1').trainable, true);
  const groups = parameterGroups(model, { headLearningRate: 1e-3, backboneLearningRate: 1e-4 });
  assert.deepEqual(
    groups.map((g) => [g.name, g.learningRate]),
    [
      ['backbone', 1e-4],
      ['head', 1e-3],
    ],
  );
  assert.equal(groups[0].variables.length + groups[1].variables.length, trainableVariables(model).length);
  assert.throws(
    () => applyFreezeStrategy(model, { strategy: 2, upTo: 'layer9' }),
    /upTo must name a stage \(stem, layer1, layer2, layer3, layer4\) or a block/,
  );
  model.dispose();
});

test('strategy 1 re-initializes every weight and trains everything', async () => {
  const model = await cifarModel();
  const before = snapshot(model, 'layer2.0.conv1');
  const summary = applyFreezeStrategy(model, { strategy: 1, seed: 9 });
  assert.equal(summary.nonTrainable, trainableSummary(model).nonTrainable); // only BN moving stats
  assert.ok(!same(before, snapshot(model, 'layer2.0.conv1')), 'weights were re-drawn');
  assert.ok(model.layers.every((l) => l.trainable));
  model.dispose();
});

test('frozen BatchNorm (inference mode): moving mean/variance and frozen weights unchanged after training steps', async () => {
  const model = await cifarModel('inference');
  applyFreezeStrategy(model, { strategy: 3 });
  const [bn, conv, fc] = [snapshot(model, 'layer1.0.bn1'), snapshot(model, 'layer1.0.conv1'), snapshot(model, 'fc')];
  const tensors = tf.memory().numTensors;
  trainSteps(model, 2);
  assert.equal(tf.memory().numTensors, tensors, 'no tensors leak per step');
  assert.ok(same(bn, snapshot(model, 'layer1.0.bn1')), 'gamma, beta, moving mean and variance unchanged');
  assert.ok(same(conv, snapshot(model, 'layer1.0.conv1')));
  assert.ok(!same(fc, snapshot(model, 'fc')), 'the head trained');
  model.dispose();
});

test("frozen BatchNorm in 'pytorch-train' mode keeps updating its moving statistics (gamma/beta still frozen)", async () => {
  const model = await cifarModel('pytorch-train');
  applyFreezeStrategy(model, { strategy: 3, frozenBatchNorm: 'pytorch-train' });
  const bn = snapshot(model, 'layer1.0.bn1');
  trainSteps(model, 2);
  const after = snapshot(model, 'layer1.0.bn1');
  assert.ok(same(bn.slice(0, 2), after.slice(0, 2)), 'gamma and beta unchanged');
  assert.ok(!same(bn.slice(2), after.slice(2)), 'moving mean and variance changed');
  model.dispose();
});

test("fine-tuning with unfrozenBatchNorm 'inference' (Keras's rule): unfrozen BN keeps its moving statistics, gamma/beta still train", async () => {
  const model = await cifarModel();
  applyFreezeStrategy(model, { strategy: 2, upTo: 'layer3', unfrozenBatchNorm: 'inference' });
  const bn = model.getLayer('layer4.1.bn2') as TorchBatchNorm;
  assert.equal(bn.trainable, true, 'layer4 is unfrozen');
  assert.equal(bn.unfrozenMode, 'inference');
  assert.equal(bn.usesBatchStatistics(true), false, 'a training call normalizes with the moving statistics');
  // The gradients of one training-mode loss reach gamma and beta of the unfrozen BatchNorm.
  const x = tf.randomNormal([4, ...INPUT], 0, 1, 'float32', 3);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 10);
  const { grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
    trainableVariables(model),
  );
  const [gammaGrad, betaGrad] = bn.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name]);
  assert.ok(gammaGrad && betaGrad, 'gamma and beta are trainable variables');
  assert.ok(
    tf.abs(gammaGrad).sum().dataSync()[0] > 0 && tf.abs(betaGrad).sum().dataSync()[0] > 0,
    'non-zero gradients',
  );
  tf.dispose([...Object.values(grads), x, y]);
  // Training steps: moving mean and variance exactly unchanged; gamma and beta moved.
  const before = snapshot(model, 'layer4.1.bn2');
  trainSteps(model, 2);
  const after = snapshot(model, 'layer4.1.bn2');
  assert.ok(!same(before.slice(0, 2), after.slice(0, 2)), 'gamma and beta trained');
  assert.ok(same(before.slice(2), after.slice(2)), 'moving mean and variance unchanged');
  // The same steps with the default ('train') move the statistics: the option is what keeps them.
  applyFreezeStrategy(model, { strategy: 2, upTo: 'layer3' });
  assert.equal(bn.unfrozenMode, 'train');
  trainSteps(model, 1);
  assert.ok(!same(after.slice(2), snapshot(model, 'layer4.1.bn2').slice(2)), "'train' updates the moving statistics");
  model.dispose();
});

test('recalibrateBatchNorm still recomputes the statistics of a layer fine-tuned in inference mode, and restores the mode', async () => {
  const model = await cifarModel();
  applyFreezeStrategy(model, { strategy: 2, upTo: 'layer3', unfrozenBatchNorm: 'inference' });
  const before = snapshot(model, 'layer4.0.bn1');
  const x = tf.randomNormal([8, ...INPUT], 0, 1, 'float32', 5);
  await recalibrateBatchNorm(model, [{ x, y: tf.zeros([8], 'int32') }] as never);
  assert.ok(!same(before.slice(2), snapshot(model, 'layer4.0.bn1').slice(2)), 'statistics recomputed');
  assert.equal((model.getLayer('layer4.0.bn1') as TorchBatchNorm).unfrozenMode, 'inference', 'mode restored');
  x.dispose();
  model.dispose();
});

test('model.fit on a frozen backbone leaves inference-mode BN statistics unchanged', async () => {
  const model = await cifarModel();
  applyFreezeStrategy(model, { strategy: 3 });
  const bn = snapshot(model, 'layer3.1.bn2');
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  const x = tf.randomNormal([4, ...INPUT]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 10);
  await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
  assert.ok(same(bn, snapshot(model, 'layer3.1.bn2')));
  assert.ok(model.getLayer('layer3.1.bn2') instanceof TorchBatchNorm);
  tf.dispose([x, y]);
  model.dispose();
});

test('a trainable TorchBatchNorm matches PyTorch train-mode update (momentum 0.1, unbiased variance)', () => {
  const bn = new TorchBatchNorm({ name: 'bn_check' });
  const x = tf.tensor4d([1, 2, 3, 6], [4, 1, 1, 1]);
  bn.apply(x, { training: true });
  const [, , mean, variance] = bn.getWeights().map((w) => w.dataSync()[0]);
  // batch mean 3, unbiased variance ((4 + 1 + 0 + 9) / 3) = 14/3
  assert.ok(Math.abs(mean - 0.3) < 1e-6);
  assert.ok(Math.abs(variance - (0.9 + 0.1 * (14 / 3))) < 1e-6);
  x.dispose();
  bn.dispose();
});
