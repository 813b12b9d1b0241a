import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  centerCrop,
  compose,
  grayscaleTo3,
  IMAGENET_MEAN,
  IMAGENET_STD,
  normalize,
  randomCrop,
  randomHorizontalFlip,
  resize,
  scaleTo01,
} from '../../src/data';
import { ensureEngine } from '../../src/engine';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `element ${i}: ${a[i]} vs ${b[i]}`);
};

test('grayscale -> 3 channels, resize to 224, scale to [0,1]: shapes and values (the MNIST lesson pipeline)', () => {
  ensureEngine();
  const before = tf.memory().numTensors;
  const x = tf.tensor4d(
    Float32Array.from({ length: 2 * 28 * 28 }, (_, i) => (i % 2 === 0 ? 255 : 0)),
    [2, 28, 28, 1],
  );
  const pipeline = compose(grayscaleTo3(), resize(224), scaleTo01());
  const y = tf.tidy(() => pipeline.apply(x));
  assert.deepEqual(y.shape, [2, 224, 224, 3]);
  const [min, max] = tf.tidy(() => [y.min().dataSync()[0], y.max().dataSync()[0]]);
  assert.ok(min >= 0 && max <= 1 && max > 0.9, `range [${min}, ${max}]`);
  const v = y.dataSync();
  assert.equal(v[0], v[1]);
  assert.equal(v[1], v[2]);
  assert.match(pipeline.name, /grayscaleTo3, resize\(224x224\), scaleTo01/);
  tf.dispose([x, y]);
  assert.equal(tf.memory().numTensors, before);
});

test('bilinear resize uses half-pixel centres (PIL/torchvision): 2x2 -> 4x4 gives the known values', () => {
  ensureEngine();
  const x = tf.tensor4d([0, 100, 200, 300], [1, 2, 2, 1]);
  const y = resize([4, 4]).apply(x);
  // Rows/columns sample at source positions -0.25, 0.25, 0.75, 1.25 (clamped): weights 0, .25, .75, 1.
  close(y.dataSync().subarray(0, 4), [0, 25, 75, 100]);
  close(y.dataSync().subarray(12, 16), [200, 225, 275, 300]);
  tf.dispose([x, y]);
});

test('RGB -> grayscale uses the PIL luma weights and replicates to 3 channels', () => {
  ensureEngine();
  const x = tf.tensor4d([100, 50, 200], [1, 1, 1, 3]);
  const y = grayscaleTo3().apply(x);
  const luma = 0.299 * 100 + 0.587 * 50 + 0.114 * 200;
  close(y.dataSync(), [luma, luma, luma], 1e-3);
  tf.dispose([x, y]);
});

test('normalize with (0.5,0.5,0.5) maps [0,1] to [-1,1]; ImageNet constants per channel', () => {
  ensureEngine();
  const x = tf.tensor4d([0, 0.5, 1, 1, 1, 1], [1, 1, 2, 3]);
  const half = normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]).apply(x);
  close(half.dataSync(), [-1, 0, 1, 1, 1, 1]);
  const imagenet = normalize(IMAGENET_MEAN, IMAGENET_STD).apply(x);
  close(
    imagenet.dataSync().subarray(3),
    [0, 1, 2].map((c) => (1 - IMAGENET_MEAN[c]) / IMAGENET_STD[c]),
  );
  assert.deepEqual(IMAGENET_MEAN, [0.485, 0.456, 0.406]);
  assert.deepEqual(IMAGENET_STD, [0.229, 0.224, 0.225]);
  assert.throws(() => normalize([0.5], [0.5]).apply(x), /normalize: expected 1 channels, found 3/);
  tf.dispose([x, half, imagenet]);
});

test('random horizontal flip: each sample is either itself or its mirror, both happen, and the seed repeats the draws', () => {
  ensureEngine();
  const n = 32;
  const x = tf.tensor4d(
    Float32Array.from({ length: n * 2 * 3 }, (_, i) => i),
    [n, 2, 3, 1],
  );
  const run = (seed: number) => {
    const y = randomHorizontalFlip({ seed }).apply(x);
    const out = y.arraySync() as number[][][][];
    y.dispose();
    return out;
  };
  const orig = x.arraySync() as number[][][][];
  const a = run(7);
  let flipped = 0;
  a.forEach((img, i) => {
    const mirror = orig[i].map((row) => row.slice().reverse());
    const isSame = JSON.stringify(img) === JSON.stringify(orig[i]);
    const isMirror = JSON.stringify(img) === JSON.stringify(mirror);
    assert.ok(isSame || isMirror, `sample ${i} is neither itself nor its mirror`);
    if (isMirror) flipped++;
  });
  assert.ok(flipped > 4 && flipped < n - 4, `${flipped} of ${n} flipped`);
  assert.deepEqual(run(7), a);
  assert.notDeepEqual(run(8), a);
  x.dispose();
});

test('random crop with padding 4: every output is an exact 32x32 window of the zero-padded input', () => {
  ensureEngine();
  const n = 8;
  const x = tf.tensor4d(
    Float32Array.from({ length: n * 32 * 32 * 3 }, (_, i) => 1 + (i % 251)),
    [n, 32, 32, 3],
  );
  const y = randomCrop(32, { padding: 4, seed: 3 }).apply(x);
  assert.deepEqual(y.shape, [n, 32, 32, 3]);
  const padded = tf.pad(x, [
    [0, 0],
    [4, 4],
    [4, 4],
    [0, 0],
  ]);
  const out = y.arraySync() as number[][][][];
  const pad = padded.arraySync() as number[][][][];
  const offsets = new Set<string>();
  out.forEach((img, i) => {
    let found: string | undefined;
    for (let top = 0; top <= 8 && !found; top++) {
      for (let left = 0; left <= 8 && !found; left++) {
        const ok = img.every((row, r) =>
          row.every((px, c) => px.every((v, ch) => Math.abs(v - pad[i][top + r][left + c][ch]) < 1e-3)),
        );
        if (ok) found = `${top},${left}`;
      }
    }
    assert.ok(found, `sample ${i} is not a window of the padded image`);
    offsets.add(found!);
  });
  assert.ok(offsets.size > 1, 'offsets vary between samples');
  tf.dispose([x, y, padded]);
});

test('centerCrop takes the central window, like torchvision CenterCrop', () => {
  const x = tf.tensor4d(
    Array.from({ length: 5 * 5 }, (_, i) => i),
    [1, 5, 5, 1],
  );
  const c = centerCrop(3).apply(x);
  assert.deepEqual(c.shape, [1, 3, 3, 1]);
  assert.deepEqual(Array.from(c.dataSync()), [6, 7, 8, 11, 12, 13, 16, 17, 18]);
  const r = centerCrop([2, 4]).apply(x); // offsets round(1.5) = 2 and round(0.5) = 0 (Python rounds halves to even)
  assert.deepEqual(r.shape, [1, 2, 4, 1]);
  assert.deepEqual(Array.from(r.dataSync()), [10, 11, 12, 13, 15, 16, 17, 18]);
  assert.throws(() => centerCrop(6).apply(x), /larger than the image/);
  assert.throws(() => centerCrop(0), RangeError);
  tf.dispose([x, c, r]);
});
