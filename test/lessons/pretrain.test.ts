import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { compose, grayscaleTo3, ImageDataset, loadMnist, resize, scaleTo01 } from '../../src/data';
import { setDisplaySink, type MimeBundle } from '../../src/display';
import { readSafetensorsFile, resnet18 } from '../../src/models';
import {
  clusterLabelledImages,
  describePretrained,
  fourRotations,
  kmeans,
  pretrainBackbone,
  pretrainRecipe,
  recipeKey,
  rotationBatches,
} from '../../src/lessons';

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
    assert.equal(st.metadata.recipeKey, first.key);
    assert.deepEqual(st.entries.get('fc.weight')?.shape, [10, 512]);
    // The JSON sidecar beside the weights records the recipe and what the run measured.
    assert.equal(first.sidecarFile, `${first.file}.json`);
    const sidecar = JSON.parse(fs.readFileSync(first.sidecarFile, 'utf8'));
    assert.deepEqual(sidecar.recipe, first.recipe);
    assert.equal(sidecar.key, first.key);
    assert.ok(
      sidecar.seconds > 0 && Number.isFinite(sidecar.finalLoss),
      `seconds and loss recorded: ${JSON.stringify(sidecar)}`,
    );
    assert.equal(sidecar.recipe.epochs, 1);
    assert.equal(sidecar.recipe.task, 'supervised');
    assert.ok(first.file.includes(first.key), 'the recipe hash is part of the file name');

    const again = await pretrainBackbone(options);
    assert.equal(again.fromCache, true);
    assert.equal(again.file, first.file);
    assert.equal(again.sidecar.seconds, first.sidecar.seconds, 'a reused file reports the run that made it');
    // The notebook line has the same shape either way.
    const [now, reused] = [describePretrained(first), describePretrained(again)];
    assert.match(now, /trained now in \d+ s/);
    assert.match(reused, /reused from the weights cache \(recipe [0-9a-f]{12}, trained in \d+ s/);
    assert.equal(now.split('; ').length, reused.split('; ').length);

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

test('the recipe key changes with anything that changes the weights, and only then', async () => {
  const { train } = await loadMnist();
  const base = { arch: 'resnet18' as const, data: train.take(64), dataName: 'mnist', imageSize: 32, epochs: 1 };
  const key = recipeKey(pretrainRecipe(base));
  assert.match(key, /^[0-9a-f]{12}$/);
  assert.equal(recipeKey(pretrainRecipe({ ...base })), key, 'deterministic');
  const reordered = Object.fromEntries(Object.entries(pretrainRecipe(base)).reverse());
  assert.equal(recipeKey(reordered), key, 'key order does not matter');
  for (const change of [
    { epochs: 2 },
    { seed: 1 },
    { learningRate: 3e-3 },
    { imageSize: 64 },
    { task: 'rotation' as const },
    { data: train.subset(Int32Array.from({ length: 64 }, (_, i) => i + 1)) },
    { transform: scaleTo01() },
    { augment: resize(32) },
    { cosine: true },
  ]) {
    assert.notEqual(
      recipeKey(pretrainRecipe({ ...base, ...change })),
      key,
      `changing ${Object.keys(change)[0]} changes the key`,
    );
  }
  assert.throws(() => pretrainRecipe({ ...base, dataName: 'bad name' }), /dataName/);
  assert.throws(() => pretrainRecipe({ ...base, task: 'jigsaw' as never }), /task/);
});

test('rotation batches hold every image in four rotations with targets 0..3', async () => {
  const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]); // [[1, 2], [3, 4]]
  const r = fourRotations(x);
  // counter-clockwise: 90 -> [[2, 4], [1, 3]], 180 -> [[4, 3], [2, 1]], 270 -> [[3, 1], [4, 2]]
  assert.deepEqual(Array.from(r.dataSync()), [1, 2, 3, 4, 2, 4, 1, 3, 4, 3, 2, 1, 3, 1, 4, 2]);
  const source = [
    {
      x: tf.tensor4d(
        Array.from({ length: 2 * 9 }, (_, i) => i),
        [2, 3, 3, 1],
      ),
      y: tf.tensor1d([7, 8], 'int32'),
      indices: Int32Array.from([5, 6]),
    },
  ];
  const batches = [];
  for await (const b of rotationBatches(source))
    batches.push({ shape: b.x.shape, y: Array.from(b.y.dataSync()), indices: Array.from(b.indices) });
  assert.deepEqual(batches, [{ shape: [8, 3, 3, 1], y: [0, 0, 1, 1, 2, 2, 3, 3], indices: [5, 6, 5, 6, 5, 6, 5, 6] }]);
  tf.dispose([x, r, source[0].x, source[0].y]);
});

test('rotation pre-training trains a 4-way head on unlabelled images and records augmentation in the recipe', async () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-pretrain-rot-'));
  try {
    const { train } = await loadMnist();
    const result = await pretrainBackbone({
      arch: 'resnet18',
      task: 'rotation',
      data: train.take(32),
      dataName: 'mnist-32',
      imageSize: 32,
      transform: compose(grayscaleTo3(), resize(32), scaleTo01()),
      augment: resize(28),
      epochs: 1,
      batchSize: 16,
      file: path.join(cache, 'rot.safetensors'),
    });
    assert.equal(result.fromCache, false);
    assert.equal(result.recipe.outputs, 4);
    assert.equal(result.recipe.augmentation, 'resize(28x28)');
    assert.deepEqual(readSafetensorsFile(result.file).entries.get('fc.weight')?.shape, [4, 512]);
    assert.match(
      describePretrained(result),
      /rotation prediction \(4-way, self-supervised, no labels\) of mnist-32 \(32 images/,
    );
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test('kmeans finds well-separated groups, is fixed by its seed, and rejects a bad k', () => {
  // Three tight groups of 20 points around (0,0), (10,0) and (0,10).
  const centres = [
    [0, 0],
    [10, 0],
    [0, 10],
  ];
  const rows = Array.from({ length: 60 }, (_, i) => centres[i % 3].map((v, j) => v + 0.1 * Math.sin(7 * i + j)));
  const x = tf.tensor2d(rows);
  const a = kmeans(x, 3, { seed: 3 });
  const b = kmeans(x, 3, { seed: 3 });
  assert.deepEqual(Array.from(a.assignments), Array.from(b.assignments), 'one seed, one clustering');
  assert.deepEqual([...a.sizes].sort(), [20, 20, 20]);
  for (let i = 3; i < 60; i++) assert.equal(a.assignments[i], a.assignments[i % 3], `point ${i} joins its group`);
  assert.ok(a.inertia < 0.05, `tight groups give a small inertia: ${a.inertia}`);
  assert.throws(() => kmeans(x, 61), /k must be an integer in \[2, 60\]/);
  assert.throws(() => kmeans(x, 3, { iterations: 0 }), /iterations must be a positive integer/);
  x.dispose();
});

test('cluster pre-training learns k-means groups of unlabelled images; the labels only grade the groups', async () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-pretrain-cl-'));
  try {
    const { train } = await loadMnist();
    const data = train.take(64);
    const clustered = clusterLabelledImages(data, 5, 1);
    assert.equal(clustered.data.length, 64);
    assert.deepEqual(clustered.data.classes.length, 5);
    assert.ok(clustered.data.labels().every((l) => l >= 0 && l < 5));
    assert.deepEqual(Array.from(clustered.data.image(7)), Array.from(data.image(7)), 'same pixels, new labels');
    assert.ok(clustered.labelAgreement > 0.1 && clustered.labelAgreement <= 1, `agreement ${clustered.labelAgreement}`);
    // Shuffled labels give the same clusters: training never depends on them.
    const relabelled = new ImageDataset(
      { ...data.store, labels: data.store.labels.map((l) => (l + 3) % 10) },
      data.storeIndices,
    );
    assert.deepEqual(
      Array.from(clusterLabelledImages(relabelled, 5, 1).data.labels()),
      Array.from(clustered.data.labels()),
    );

    // In a notebook (a display sink), pre-training is never silent: a bar for the k-means step, then one bar over
    // the run with the epoch, images per second and the time left.
    const shown: { text: string; id?: string }[] = [];
    setDisplaySink({ publish: (b: MimeBundle, _m, t) => void shown.push({ text: b['text/plain'], id: t.display_id }) });
    const result = await pretrainBackbone({
      arch: 'resnet18',
      task: 'clusters',
      clusters: 5,
      data,
      dataName: 'mnist-64',
      imageSize: 32,
      transform: compose(grayscaleTo3(), resize(32), scaleTo01()),
      epochs: 1,
      batchSize: 32,
      seed: 1,
      file: path.join(cache, 'cl.safetensors'),
    }).finally(() => setDisplaySink(undefined));
    const texts = shown.map((o) => o.text);
    assert.match(texts[0], /^pre-training resnet18, step 1\/2: k-means clusters of 64 images:/);
    const last = texts[texts.length - 1];
    assert.match(
      last,
      /^pre-training resnet18, step 2\/2: 100%\|[█ ]+\| 64\/64 \[\d\d:\d\d<00:00, [\d.]+(img\/s|s\/img), epoch=1\/1, loss=/,
    );
    assert.equal(new Set(shown.map((o) => o.id)).size, 2, 'two outputs, each updated in place');
    assert.equal(result.recipe.outputs, 5);
    assert.equal(result.recipe.task, 'clusters');
    assert.deepEqual(readSafetensorsFile(result.file).entries.get('fc.weight')?.shape, [5, 512]);
    assert.equal(result.sidecar.clusterLabelAgreement, clustered.labelAgreement);
    assert.match(
      describePretrained(result),
      /telling apart 5 k-means clusters .* labels never read\) of mnist-64 .*agree with the hidden labels for \d+\.\d% of the images/,
    );
    await assert.rejects(
      pretrainBackbone({ arch: 'resnet18', task: 'clusters', clusters: 65, data, dataName: 'x', imageSize: 32 }),
      /clusters must be an integer in \[2, 64\]/,
    );
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});
