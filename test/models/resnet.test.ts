import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  DEFAULT_WEIGHTS,
  RESNET_SPECS,
  WEIGHTS,
  encodeSafetensors,
  exportStateDict,
  featureChannels,
  loadStateDict,
  parseSafetensors,
  resnet,
  resnet18,
  resnet34,
  torchKeyTable,
  type ResNetArch,
} from '../../src/models';
import { TORCH_PARAM_RULES, torchShapeOf } from '../../src/models/weights/torch-keys';
import { WeightsIntegrityError } from '../../src/errors';

const trainableCount = (m: tf.LayersModel) =>
  m.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b as number), 1), 0);

for (const arch of Object.keys(RESNET_SPECS) as ResNetArch[]) {
  test(`${arch}: shapes for includeTop / pooling, and the parameter count of the registry`, async () => {
    const C = featureChannels(RESNET_SPECS[arch]);
    const top = await resnet(arch, { seed: 1 });
    assert.deepEqual(top.outputs[0].shape, [null, 1000]);
    assert.equal(trainableCount(top), WEIGHTS[DEFAULT_WEIGHTS[arch]].params, 'equals torchvision num_params');
    top.dispose();
    const avg = await resnet(arch, { includeTop: false, pooling: 'avg' });
    assert.deepEqual(avg.outputs[0].shape, [null, C]);
    avg.dispose();
    const max = await resnet(arch, { includeTop: false, pooling: 'max', inputShape: [64, 64, 3] });
    assert.deepEqual(max.outputs[0].shape, [null, C]);
    max.dispose();
    const map = await resnet(arch, { includeTop: false, pooling: null, inputShape: [224, 224, 3] });
    assert.deepEqual(map.outputs[0].shape, [null, 7, 7, C]);
    map.dispose();
  });
}

test('resnet18 without top, avg pooling, 32x32 input -> [2, 512]', async () => {
  const m = await resnet18({ includeTop: false });
  const y = m.predict(tf.zeros([2, 32, 32, 3])) as tf.Tensor;
  assert.deepEqual(y.shape, [2, 512]);
  tf.dispose(y);
  m.dispose();
});

test('layer names are torchvision weight keys (bottleneck V1.5: stride 2 on conv2)', async () => {
  const m = await resnet('resnet50', { inputShape: [64, 64, 3] });
  const keys = [...torchKeyTable(m).keys()];
  for (const k of [
    'conv1.weight',
    'bn1.running_var',
    'layer1.0.downsample.0.weight',
    'layer2.0.conv2.weight',
    'layer4.2.bn3.bias',
    'fc.weight',
    'fc.bias',
  ]) {
    assert.ok(keys.includes(k), k);
  }
  assert.deepEqual((m.getLayer('layer2.0.conv2').getConfig() as { strides: number[] }).strides, [2, 2]);
  assert.deepEqual((m.getLayer('layer2.0.conv1').getConfig() as { strides: number[] }).strides, [1, 1]);
  assert.equal(m.getLayer('layer2.0.conv2.pad').outputShape.toString(), [null, 18, 18, 128].toString());
  m.dispose();
});

test('the key table: conv OIHW<->HWIO, linear [out,in]<->[in,out], BN four tensors in order', () => {
  const conv = TORCH_PARAM_RULES.Conv2D[0];
  assert.deepEqual(torchShapeOf([3, 3, 16, 32], conv), [32, 16, 3, 3]);
  assert.deepEqual(torchShapeOf([512, 10], TORCH_PARAM_RULES.Dense[0]), [10, 512]);
  assert.deepEqual(
    TORCH_PARAM_RULES.TorchBatchNorm.map((r) => `${r.torchSuffix}->${r.tfjsWeight}`),
    ['weight->gamma', 'bias->beta', 'running_mean->moving_mean', 'running_var->moving_variance'],
  );
});

test('export -> safetensors -> load round-trips a model exactly', async () => {
  const a = await resnet18({ seed: 1, inputShape: [32, 32, 3] });
  const b = await resnet18({ seed: 2, inputShape: [32, 32, 3] });
  const file = parseSafetensors(encodeSafetensors(exportStateDict(a)), 'exported');
  const report = loadStateDict(b, file);
  assert.equal(report.loaded.length, torchKeyTable(b).size);
  const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 3);
  const [ya, yb] = [a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor];
  assert.equal(tf.max(tf.abs(tf.sub(ya, yb))).dataSync()[0], 0);
  tf.dispose([x, ya, yb]);
  a.dispose();
  b.dispose();
});

test('loading errors: shape mismatch names the layer and both shapes; missing and unexpected keys are listed', async () => {
  const m = await resnet18({ inputShape: [32, 32, 3] });
  const dict = exportStateDict(m);
  dict['layer1.0.conv1.weight'] = { shape: [64, 64, 1, 9], data: dict['layer1.0.conv1.weight'].data };
  delete dict['fc.bias'];
  dict['head.extra.weight'] = { shape: [1], data: Float32Array.from([0]) };
  const file = parseSafetensors(encodeSafetensors(dict), 'broken.safetensors');
  assert.throws(
    () => loadStateDict(m, file),
    (err: Error) => {
      assert.match(err.message, /Loading broken\.safetensors into resnet18 failed/);
      assert.match(
        err.message,
        /layer "layer1\.0\.conv1" weight kernel: checkpoint layer1\.0\.conv1\.weight has shape \[64,64,1,9\], the model needs \[64,64,3,3\]/,
      );
      assert.match(err.message, /missing keys \(1\): fc\.bias/);
      assert.match(err.message, /unexpected keys \(1\): head\.extra\.weight/);
      return true;
    },
  );
  m.dispose();
});

test('a 1000-class checkpoint loads into a model without top when fc.* is skipped', async () => {
  const full = await resnet18({ seed: 4, inputShape: [32, 32, 3] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-notop-'));
  const file = path.join(dir, 'r18.safetensors');
  fs.writeFileSync(file, encodeSafetensors(exportStateDict(full)));
  const noTop = await resnet18({ includeTop: false, weights: file, inputShape: [32, 32, 3] });
  assert.deepEqual(noTop.outputs[0].shape, [null, 512]);
  full.dispose();
  noTop.dispose();
  fs.rmSync(dir, { recursive: true });
});

test('bad options fail loudly: unknown architecture, 10 classes with the ImageNet top, small input, missing file', async () => {
  await assert.rejects(
    resnet('resnet101'),
    /Unknown architecture "resnet101": expected one of resnet18, resnet34, resnet50/,
  );
  await assert.rejects(
    resnet34({ weights: 'imagenet', classes: 10 }),
    /classes 10 conflicts with includeTop: true and weights: 'imagenet'.*replaceHead/,
  );
  await assert.rejects(resnet18({ inputShape: [16, 16, 3] }), /input sides must be integers >= 32/);
  await assert.rejects(
    resnet18({ weights: '/nonexistent/w.safetensors' }),
    /weights file \/nonexistent\/w\.safetensors does not exist/,
  );
});

test("weights: 'imagenet' offline / unverifiable: the error says how to supply the file", async () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-weights-'));
  const saved = process.env.LESSONKIT_CACHE;
  process.env.LESSONKIT_CACHE = cache;
  try {
    // Offline (the hub is unreachable, so not even its published hash can be read): nothing is downloaded, and the
    // message names the URL, the local-path option and the cache path to place the file at.
    await assert.rejects(resnet34({ weights: 'imagenet' }), (err: Error) => {
      assert.match(err.message, /offline|Could not reach/);
      assert.match(err.message, /weights: '\/path\/to\/model\.safetensors'/);
      assert.ok(err.message.includes(WEIGHTS['resnet34.tv_in1k'].url));
      assert.ok(err.message.includes(path.join(cache, 'weights', 'resnet34.tv_in1k.safetensors')));
      return true;
    });
    // A known hash: a wrong file in the cache is rejected by its sha256 (nothing is downloaded).
    fs.mkdirSync(path.join(cache, 'weights'), { recursive: true });
    fs.writeFileSync(path.join(cache, 'weights', 'resnet18.tv_in1k.safetensors'), 'not the weights');
    await assert.rejects(resnet18({ weights: 'imagenet' }), /sha256 mismatch: expected 694f673d/);
  } finally {
    if (saved === undefined) delete process.env.LESSONKIT_CACHE;
    else process.env.LESSONKIT_CACHE = saved;
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test('loadStateDict is all-or-nothing: a file whose fc.bias (loaded last) is I32 leaves every weight unchanged', async () => {
  const source = await resnet18({ seed: 1, inputShape: [32, 32, 3] });
  const target = await resnet18({ seed: 2, inputShape: [32, 32, 3] });
  const bytes = encodeSafetensors(exportStateDict(source));
  // Rewrite fc.bias's dtype from F32 to I32 in the header (same length, same byte count per value).
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = Buffer.from(bytes.subarray(8, 8 + headerLength)).toString('utf8');
  const patched = header.replace(/("fc\.bias":\{"dtype":)"F32"/, '$1"I32"');
  assert.notEqual(patched, header, 'the header names fc.bias with dtype F32');
  const damaged = Uint8Array.from(bytes);
  damaged.set(Buffer.from(patched, 'utf8'), 8);
  const file = parseSafetensors(damaged, 'int-bias.safetensors');
  const keys = [...torchKeyTable(target).keys()];
  assert.equal(keys[keys.length - 1], 'fc.bias', 'fc.bias is the last tensor written');
  const before = target.getWeights().map((w) => w.dataSync().slice());
  let error: unknown;
  try {
    loadStateDict(target, file);
  } catch (err) {
    error = err;
  }
  const after = target.getWeights().map((w) => w.dataSync());
  after.forEach((w, i) => assert.deepEqual(w, before[i], `weight ${target.weights[i].originalName} unchanged`));
  assert.ok(error instanceof WeightsIntegrityError, String(error));
  assert.match(error.message, /Loading int-bias\.safetensors into resnet18 failed \(the model was left unchanged\)/);
  assert.match(
    error.message,
    /dtypes that do not load as float32 \(1\): fc\.bias is I32 \(expected one of F32, F16, BF16\)/,
  );
  source.dispose();
  target.dispose();
});
