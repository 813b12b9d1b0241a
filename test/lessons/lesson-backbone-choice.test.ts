/**
 * Which backbone a lesson uses (`lessonBackbone`): ImageNet weights when they can be had (a named file, the weights
 * cache, a download), else (`ci`) the offline stand-in. The ImageNet files here are in the real format: torchvision's
 * random-init ResNet-34 and ResNet-50 `state_dict`s saved with `safetensors.torch.save_file` (the registry's keys;
 * test/models/torch_reference.py, which also saves torch's pooled features at 32x32), so the choice is followed
 * through the real loading path and checked against PyTorch's own outputs. The hub is a local server or a closed
 * port; the real download is tried only where huggingface.co answers and LESSONKIT_FULL_TESTS=1, else SKIPPED.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { OfflineError, OptionError } from '../../src/errors';
import { WEIGHTS, locateImagenetWeights, readSafetensorsFile, resnet } from '../../src/models';
import { lessonBackbone, lessonProfile, type LessonProfile } from '../../src/lessons';
import { pythonPath } from '../models/torch-reference';

const REPO = path.resolve(__dirname, '../../..');
const ci = lessonProfile('ci');
/** A stand-in small enough for a test: 4 k-means clusters of 40 CIFAR-10 images, one epoch of ResNet-34. */
const tinyCi: LessonProfile = {
  ...ci,
  pretrain: {
    ...ci.pretrain,
    cifarLesson: {
      arch: 'resnet34',
      task: 'clusters',
      clusters: 4,
      source: 'cifar10',
      range: [100, 104],
      imageSize: 32,
      epochs: 1,
      batchSize: 20,
      learningRate: 1e-3,
      augment: false,
    },
  },
};

let torchFiles: { dir: string; skip?: string } = { dir: '' };
const ENV_KEYS = [
  'LESSONKIT_CACHE',
  'LESSONKIT_WEIGHTS_BASE_URL',
  'LESSONKIT_BACKBONE',
  'LESSONKIT_OFFLINE',
  'LESSONKIT_RESNET34_WEIGHTS',
  'LESSONKIT_RESNET50_WEIGHTS',
];
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

before(() => {
  const python = pythonPath();
  if (!fs.existsSync(python)) {
    torchFiles = { dir: '', skip: `no Python at ${python} (create .venv with torch, torchvision, safetensors)` };
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-choice-torch-'));
  const r = spawnSync(
    python,
    [path.join(REPO, 'test/models/torch_reference.py'), dir, 'resnet34,resnet50', '32', '2'],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) {
    const why = `${r.stderr ?? ''}${r.error?.message ?? ''}`.trim().split('\n').slice(-2).join(' | ');
    if (/No module named/.test(why)) torchFiles = { dir, skip: `PyTorch side unavailable: ${why}` };
    else throw new Error(`torch_reference.py failed: ${why}`);
  } else torchFiles = { dir };
});

after(() => {
  if (torchFiles.dir) fs.rmSync(torchFiles.dir, { recursive: true, force: true });
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

/** A fresh cache and a clean environment; the hub is a closed port unless a test says otherwise. */
function freshCache(): { cache: string; weights: string } {
  for (const k of ENV_KEYS) delete process.env[k];
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-choice-cache-'));
  process.env.LESSONKIT_CACHE = cache;
  process.env.LESSONKIT_WEIGHTS_BASE_URL = 'http://127.0.0.1:9'; // discard port: connection refused at once
  const weights = path.join(cache, 'weights');
  fs.mkdirSync(weights, { recursive: true });
  return { cache, weights };
}

/** Max relative difference between our pooled features at 32x32 and torch's, for the file `arch` was saved from. */
async function featureGapToTorch(arch: 'resnet34' | 'resnet50', file: string): Promise<number> {
  const io = readSafetensorsFile(path.join(torchFiles.dir, `${arch}-io.safetensors`));
  const shapeOf = (k: string) => io.entries.get(k)!.shape;
  const model = await resnet(arch, { includeTop: false, weights: file, inputShape: [32, 32, 3] });
  try {
    return tf.tidy(() => {
      const x = tf.tensor4d(io.readFloat32('input32'), shapeOf('input32') as [number, number, number, number]);
      const want = tf.tensor(io.readFloat32('features32'), shapeOf('features32'));
      const got = model.predict(x) as tf.Tensor;
      return tf.max(tf.abs(tf.sub(got, want))).dataSync()[0] / tf.max(tf.abs(want)).dataSync()[0];
    });
  } finally {
    model.dispose();
  }
}

function standInFiles(weightsDir: string): string[] {
  return fs.readdirSync(weightsDir).filter((f) => f.startsWith('offline-'));
}

test('ImageNet weights in the cache are chosen, load through the real path, and are reported in one sentence', async (t) => {
  if (torchFiles.skip) return t.skip(`SKIPPED: ${torchFiles.skip}`);
  const { cache, weights } = freshCache();
  try {
    for (const arch of ['resnet34', 'resnet50'] as const)
      fs.copyFileSync(
        path.join(torchFiles.dir, `${arch}.safetensors`),
        path.join(weights, WEIGHTS[arch === 'resnet34' ? 'resnet34.tv_in1k' : 'resnet50.tv2_in1k'].fileName),
      );
    const cifar = await lessonBackbone('cifar-lesson', ci);
    assert.equal(cifar.kind, 'imagenet');
    assert.equal(cifar.origin, 'weights cache');
    assert.equal(cifar.arch, 'resnet34');
    assert.equal(cifar.weights, path.join(weights, 'resnet34.tv_in1k.safetensors'));
    assert.equal(cifar.imageSize, ci.imagenetImageSize.cifarLesson);
    assert.deepEqual(cifar.mean, [...WEIGHTS['resnet34.tv_in1k'].preprocessing.mean]);
    assert.equal(String(cifar), cifar.line);
    assert.match(
      cifar.line,
      /^Backbone: ImageNet weights resnet34\.tv_in1k \(torchvision's ResNet34_Weights\.IMAGENET1K_V1: .*\), from the weights cache; inputs (\d+)x\1, normalised with ImageNet's/,
    );
    assert.equal(cifar.line.split(/[.;] [A-Z]/).length, 1, 'one sentence');
    // The file the choice names is torchvision's state_dict: loaded, it gives PyTorch's own features.
    assert.ok((await featureGapToTorch('resnet34', cifar.weights)) < 1e-4);
    // The lesson's transform brings a 32x32 photo to the chosen size, normalised with ImageNet's statistics.
    const photo = tf.fill([1, 32, 32, 3], 255) as tf.Tensor4D;
    const cifarIn = cifar.transform.apply(photo);
    assert.deepEqual(cifarIn.shape, [1, cifar.imageSize, cifar.imageSize, 3]);
    assert.ok(Math.abs(cifarIn.max().dataSync()[0] - (1 - 0.406) / 0.225) < 1e-4);

    const mnist = await lessonBackbone('mnist-lesson', ci);
    assert.equal(mnist.kind, 'imagenet');
    assert.equal(mnist.arch, 'resnet50');
    assert.match(String(mnist), /ImageNet weights resnet50\.tv2_in1k .*IMAGENET1K_V2/);
    assert.ok((await featureGapToTorch('resnet50', mnist.weights)) < 1e-4);
    const digit = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
    assert.deepEqual(mnist.transform.apply(digit).shape, [
      2,
      ci.imagenetImageSize.mnistLesson,
      ci.imagenetImageSize.mnistLesson,
      3,
    ]);
    tf.dispose([photo, cifarIn, digit]);
    assert.deepEqual(standInFiles(weights), [], 'no stand-in was trained');
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test('a file the learner names wins, by option or environment; a named file that is missing is an error', async (t) => {
  if (torchFiles.skip) return t.skip(`SKIPPED: ${torchFiles.skip}`);
  const { cache } = freshCache();
  try {
    const mine = path.join(cache, 'my-resnet34.safetensors');
    fs.copyFileSync(path.join(torchFiles.dir, 'resnet34.safetensors'), mine);
    const byOption = await lessonBackbone('cifar-lesson', ci, { imagenetFile: mine });
    assert.equal(byOption.kind, 'imagenet');
    assert.equal(byOption.origin, 'local file');
    assert.equal(byOption.weights, mine);
    assert.ok(byOption.line.includes(`from the local file ${mine}`));
    process.env.LESSONKIT_RESNET34_WEIGHTS = mine;
    assert.equal((await lessonBackbone('cifar-lesson', ci)).origin, 'local file');
    process.env.LESSONKIT_RESNET34_WEIGHTS = path.join(cache, 'missing.safetensors');
    await assert.rejects(lessonBackbone('cifar-lesson', ci), OptionError);
    // A named file of the wrong architecture does not load: an error, not a silent fallback.
    process.env.LESSONKIT_RESNET34_WEIGHTS = path.join(torchFiles.dir, 'resnet50.safetensors');
    await assert.rejects(lessonBackbone('cifar-lesson', ci), /missing keys|unexpected keys|shape/);
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

/** Test 3's cache, with its stand-in, kept for test 4 so that the stand-in is trained once. */
let standInCache = '';

test('offline (the hub refuses at once, or never answers) the ci lesson takes the stand-in quickly and says why', async () => {
  const { cache, weights } = freshCache();
  standInCache = cache;
  try {
    // Connection refused: the answer is immediate.
    let t0 = Date.now();
    const refused = await locateImagenetWeights('resnet34');
    assert.equal(refused.found, false);
    assert.ok(Date.now() - t0 < 3000, `refused in ${Date.now() - t0} ms`);
    // A hub that accepts the connection and never answers: the short timeout decides.
    const silent = http.createServer(() => undefined);
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    try {
      process.env.LESSONKIT_WEIGHTS_BASE_URL = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      t0 = Date.now();
      const timedOut = await locateImagenetWeights('resnet34', { hubTimeoutMs: 300 });
      assert.equal(timedOut.found, false);
      assert.match(timedOut.tried.join('; '), /no answer within 300 ms/);
      assert.ok(Date.now() - t0 < 3000, `gave up in ${Date.now() - t0} ms`);
      t0 = Date.now();
      const b = await lessonBackbone('cifar-lesson', tinyCi, { hubTimeoutMs: 300 });
      assert.equal(b.kind, 'stand-in');
      assert.equal(b.origin, 'trained now');
      assert.deepEqual(b.whyNotImagenet, ['none in the weights cache', 'the hub could not be reached']);
      assert.match(
        String(b),
        /^Backbone: the offline stand-in \(no ImageNet weights: none in the weights cache, the hub could not be reached\): resnet34 pre-trained on telling apart 4 k-means clusters/,
      );
      assert.equal(b.weights, b.pretrained!.file);
      assert.equal(b.imageSize, 32);
      assert.deepEqual(b.mean, [0.5, 0.5, 0.5]);
      assert.deepEqual(standInFiles(weights).length, 2, 'the stand-in and its recipe are cached');
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((done) => silent.close(() => done()));
    }
    // The next run reuses the stand-in; LESSONKIT_OFFLINE=1 skips the download attempt.
    process.env.LESSONKIT_OFFLINE = '1';
    const again = await lessonBackbone('cifar-lesson', tinyCi);
    assert.equal(again.origin, 'reused from the weights cache');
    assert.deepEqual(again.whyNotImagenet, ['none in the weights cache', 'downloading turned off']);
    // LESSONKIT_BACKBONE=stand-in asks for it outright.
    process.env.LESSONKIT_BACKBONE = 'stand-in';
    assert.match(
      String(await lessonBackbone('cifar-lesson', tinyCi)),
      /^Backbone: the offline stand-in \(the stand-in was asked for\)/,
    );
    process.env.LESSONKIT_BACKBONE = 'nonsense';
    await assert.rejects(lessonBackbone('cifar-lesson', tinyCi), OptionError);
  } catch (err) {
    fs.rmSync(cache, { recursive: true, force: true });
    throw err;
  }
});

test('a damaged file in the cache does not stop a ci lesson: it falls back and says so', async () => {
  const { cache, weights } = freshCache();
  // Test 3's stand-in, so that it is reused rather than trained again.
  if (standInCache) fs.cpSync(path.join(standInCache, 'weights'), weights, { recursive: true });
  fs.rmSync(standInCache, { recursive: true, force: true });
  try {
    fs.writeFileSync(path.join(weights, 'resnet34.tv_in1k.safetensors'), Buffer.from('not a safetensors file'));
    const b = await lessonBackbone('cifar-lesson', tinyCi);
    assert.equal(b.kind, 'stand-in');
    assert.deepEqual(b.whyNotImagenet, ['the cached file did not load']);
    assert.match(b.tried.join('; '), /did not load/);
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test('the full profile requires ImageNet weights: offline, it stops and says how to supply them', async () => {
  const { cache, weights } = freshCache();
  try {
    await assert.rejects(lessonBackbone('cifar-lesson', lessonProfile('full')), (err: Error) => {
      assert.ok(err instanceof OfflineError);
      assert.match(
        err.message,
        /uses ImageNet weights \(resnet34\.tv_in1k\).*place it at resnet34\.tv_in1k\.safetensors/s,
      );
      return true;
    });
    assert.deepEqual(standInFiles(weights), [], 'nothing was pre-trained');
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test('downloaded through a hub (a local one here), ImageNet weights are verified, cached and chosen', async (t) => {
  if (torchFiles.skip) return t.skip(`SKIPPED: ${torchFiles.skip}`);
  const { cache, weights } = freshCache();
  const body = fs.readFileSync(path.join(torchFiles.dir, 'resnet34.safetensors'));
  const hash = crypto.createHash('sha256').update(body).digest('hex');
  const requests: string[] = [];
  const hub = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.url === '/timm/resnet34.tv_in1k/resolve/main/model.safetensors')
      res
        .writeHead(302, { 'x-linked-etag': `"${hash}"`, 'x-linked-size': String(body.length), location: '/cdn/r34' })
        .end();
    else if (req.url === '/cdn/r34') res.writeHead(200, { 'content-length': body.length }).end(body);
    else res.writeHead(404).end();
  });
  await new Promise<void>((done) => hub.listen(0, '127.0.0.1', done));
  try {
    process.env.LESSONKIT_WEIGHTS_BASE_URL = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
    const b = await lessonBackbone('cifar-lesson', ci);
    assert.equal(b.kind, 'imagenet');
    assert.equal(b.origin, 'downloaded');
    assert.equal(b.weights, path.join(weights, 'resnet34.tv_in1k.safetensors'));
    assert.ok(b.line.includes('from a download (now in the weights cache)'));
    assert.deepEqual(requests.slice(0, 2), [
      'HEAD /timm/resnet34.tv_in1k/resolve/main/model.safetensors',
      'GET /timm/resnet34.tv_in1k/resolve/main/model.safetensors',
    ]);
    assert.ok((await featureGapToTorch('resnet34', b.weights)) < 1e-4);
    // Next time it comes from the cache, without asking the hub.
    const before = requests.length;
    assert.equal((await lessonBackbone('cifar-lesson', ci)).origin, 'weights cache');
    assert.equal(requests.length, before);
  } finally {
    await new Promise<void>((done) => hub.close(() => done()));
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test('the real download from huggingface.co (online machines with LESSONKIT_FULL_TESTS=1 only)', async (t) => {
  const url = WEIGHTS['resnet34.tv_in1k'].url;
  const reachable = await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(5000) }).then(
    () => true,
    () => false,
  );
  if (!reachable) return t.skip(`SKIPPED: ${new URL(url).host} cannot be reached from here (offline)`);
  if (process.env.LESSONKIT_FULL_TESTS !== '1')
    return t.skip('SKIPPED: the real download (87 MB) runs only with LESSONKIT_FULL_TESTS=1');
  const { cache } = freshCache();
  delete process.env.LESSONKIT_WEIGHTS_BASE_URL;
  try {
    const b = await lessonBackbone('cifar-lesson', ci, { hubTimeoutMs: 30_000 });
    assert.equal(b.kind, 'imagenet');
    assert.equal(b.origin, 'downloaded');
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});
