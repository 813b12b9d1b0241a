import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { compose, DataLoader, ImageDataset, scaleTo01 } from '../../src/data';
import { readSafetensorsFile } from '../../src/models';
import {
  describePretrained,
  patchFeatureTargets,
  pretrainBackbone,
  pretrainRecipe,
  symmetricEigen,
  targetBatches,
} from '../../src/lessons';

/** Random symmetric matrix with a spread of eigenvalues (row-major). */
function symmetric(n: number, seed: number): Float64Array {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      const v = rand() + (i === j ? i / 4 : 0);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  return a;
}

test('symmetricEigen: A v = lambda v, orthonormal vectors, eigenvalues in descending order', () => {
  for (const n of [1, 2, 7, 60]) {
    const a = symmetric(n, n);
    const { values, vectors } = symmetricEigen(a, n);
    for (let c = 0; c < n; c++) {
      if (c > 0) assert.ok(values[c] <= values[c - 1], 'descending');
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += a[i * n + k] * vectors[k * n + c];
        assert.ok(Math.abs(av - values[c] * vectors[i * n + c]) < 1e-9, `n=${n}: residual at (${i}, ${c})`);
      }
      for (let c2 = 0; c2 < n; c2++) {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += vectors[k * n + c] * vectors[k * n + c2];
        assert.ok(Math.abs(dot - (c === c2 ? 1 : 0)) < 1e-9, `n=${n}: orthonormal (${c}, ${c2})`);
      }
    }
  }
  // A known case: [[2, 1], [1, 2]] has eigenvalues 3 and 1.
  const { values } = symmetricEigen([2, 1, 1, 2], 2);
  assert.ok(Math.abs(values[0] - 3) < 1e-12 && Math.abs(values[1] - 1) < 1e-12);
  assert.throws(() => symmetricEigen([1, 2, 3], 2), /expected 2 x 2 = 4 entries; found 3/);
  assert.throws(() => symmetricEigen([1, Number.NaN, Number.NaN, 1], 2), /entry \(0, 1\) is NaN/);
});

/** Small colour images with structure (stripes at random angles and colours), so that patches are not noise. */
function stripes(n: number, size = 12): ImageDataset {
  const pixels = new Uint8Array(n * size * size * 3);
  for (let i = 0; i < n; i++) {
    const angle = (i * 0.7) % Math.PI;
    const period = 3 + (i % 4);
    const colour = [(i * 53) % 256, (i * 97) % 256, (i * 151) % 256];
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const on = Math.sin(((x * Math.cos(angle) + y * Math.sin(angle)) * 2 * Math.PI) / period) > 0;
        for (let ch = 0; ch < 3; ch++)
          pixels[((i * size + y) * size + x) * 3 + ch] = on ? colour[ch] : 255 - colour[ch];
      }
  }
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  return new ImageDataset({
    pixels,
    labels,
    height: size,
    width: size,
    channels: 3,
    classes: ['a', 'b', 'c'],
    source: 'stripes',
  });
}

const SMALL = { dictionary: 8, samplePatches: 3000, components: 6, iterations: 5, seed: 3 };

test('patchFeatureTargets: one row per image, unit RMS, fixed by its seed, and the labels never matter', () => {
  const data = stripes(40);
  const before = tf.memory().numTensors;
  const a = patchFeatureTargets(data, SMALL);
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  assert.equal(a.targets.length, 40 * 6);
  assert.equal(a.components, 6);
  assert.equal(a.featureLength, 4 * 8);
  assert.ok(a.explainedVariance > 0.3 && a.explainedVariance <= 1 + 1e-9, `explained ${a.explainedVariance}`);
  const rms = Math.sqrt(a.targets.reduce((s, v) => s + v * v, 0) / a.targets.length);
  assert.ok(Math.abs(rms - 1) < 1e-3, `rms ${rms}`);
  // Different images get different targets (the features see the stripes).
  const row = (i: number) => Array.from(a.targets.subarray(i * 6, (i + 1) * 6));
  assert.notDeepEqual(row(0), row(1));
  // Same seed, same targets; other labels, same targets.
  const relabelled = new ImageDataset(
    { ...data.store, labels: data.store.labels.map((l) => (l + 1) % 3) },
    data.storeIndices,
  );
  assert.deepEqual(Array.from(patchFeatureTargets(relabelled, SMALL).targets), Array.from(a.targets));
  assert.notDeepEqual(Array.from(patchFeatureTargets(data, { ...SMALL, seed: 4 }).targets), Array.from(a.targets));
});

test('patchFeatureTargets rejects options that cannot work, naming them', () => {
  const data = stripes(10);
  assert.throws(
    () => patchFeatureTargets(data, { ...SMALL, patchSize: 13 }),
    /patchSize must be an integer in \[1, 12\]; found 13/,
  );
  assert.throws(
    () => patchFeatureTargets(data, { ...SMALL, components: 33 }),
    /components must be an integer in \[1, 32\]; found 33/,
  );
  assert.throws(
    () => patchFeatureTargets(data, { ...SMALL, components: 11 }),
    /components \(11\) exceeds the images \(10\)/,
  );
  assert.throws(() => patchFeatureTargets(stripes(1), SMALL), /at least 2 images; found 1/);
});

test('targetBatches gives each batch the target rows of its images', async () => {
  const data = stripes(10);
  const targets = Float32Array.from({ length: 10 * 2 }, (_, i) => i);
  const loader = new DataLoader(data, { batchSize: 4, shuffle: true, seed: 1, transform: scaleTo01() });
  let seen = 0;
  for await (const b of targetBatches(loader, targets, 2)) {
    const y = b.y.arraySync() as number[][];
    b.indices.forEach((i, r) => assert.deepEqual(y[r], [2 * i, 2 * i + 1]));
    seen += b.indices.length;
  }
  assert.equal(seen, 10);
  await assert.rejects(async () => {
    for await (const b of targetBatches(loader, targets.subarray(0, 6), 2)) void b;
  }, /dataset position \d+ has no target row \(3 rows\)/);
});

test('patch-features pre-training regresses a backbone onto the targets and records the recipe', async () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-pretrain-pf-'));
  try {
    const data = stripes(24, 32);
    const options = {
      arch: 'resnet18' as const,
      task: 'patch-features' as const,
      dictionary: 8,
      components: 6,
      data,
      dataName: 'stripes',
      imageSize: 32,
      transform: compose(scaleTo01()),
      epochs: 1,
      batchSize: 12,
      seed: 1,
      file: path.join(cache, 'pf.safetensors'),
    };
    const recipe = pretrainRecipe(options);
    assert.equal(recipe.outputs, 6);
    assert.equal(recipe.loss, 'mse');
    assert.equal(recipe.dictionary, 8);
    assert.match(String(recipe.features), /Coates-Ng 2011/);
    const result = await pretrainBackbone(options);
    assert.deepEqual(readSafetensorsFile(result.file).entries.get('fc.weight')?.shape, [6, 512]);
    assert.equal(result.sidecar.finalAccuracy, null, 'a regression has no accuracy');
    assert.ok(Number.isFinite(result.sidecar.finalLoss));
    assert.ok(result.sidecar.explainedVariance! > 0 && result.sidecar.explainedVariance! <= 1);
    assert.match(
      describePretrained(result),
      /predicting each image's unsupervised patch features \(6 principal components of a 8-centre k-means dictionary .*labels never read\).*final pre-training loss \d+\.\d{3} \(mean squared error .*the 6 components hold \d+% of the features' variance\)\.$/,
    );
    const json = JSON.parse(fs.readFileSync(result.sidecarFile, 'utf8'));
    assert.equal(json.finalAccuracy, null);
    assert.throws(() => pretrainRecipe({ ...options, components: 33 }), /components must be an integer in \[1, 24\]/);
    assert.throws(
      () => pretrainRecipe({ ...options, dictionary: 1 }),
      /dictionary must be an integer in \[2, 100000\]; found 1/,
    );
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});
