import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CIFAR10_CLASSES, findCifar10JpegArchive, loadCifar10Jpeg } from '../../src/data';
import { tempDir } from './helpers';

const archive = findCifar10JpegArchive();
const full = process.env.LESSONKIT_FULL_TESTS === '1';
const why = `SKIPPED: no cifar10-jpeg.tar.gz in LESSON_DATA_DIR (${process.env.LESSON_DATA_DIR ?? 'unset'}); set LESSON_DATA_DIR=../shared/datasets`;

/** Runs `fn` with LESSONKIT_CACHE pointing at a fresh temp folder. */
async function withTempCache(fn: () => Promise<void>): Promise<void> {
  const cache = tempDir('cifar-jpeg-cache');
  const previous = process.env.LESSONKIT_CACHE;
  process.env.LESSONKIT_CACHE = cache;
  try {
    await fn();
  } finally {
    if (previous === undefined) delete process.env.LESSONKIT_CACHE;
    else process.env.LESSONKIT_CACHE = previous;
    fs.rmSync(cache, { recursive: true, force: true });
  }
}

test('CIFAR-10 JPEGs (subset of 50 per class): extracted once, official class order, 32x32x3, cached on reload', async (t) => {
  if (!archive) return t.skip(why);
  await withTempCache(async () => {
    const first = await loadCifar10Jpeg({ limitPerClass: 50 });
    assert.equal(first.train.length, 500);
    assert.equal(first.test.length, 500);
    assert.deepEqual(first.train.classes, CIFAR10_CLASSES);
    assert.deepEqual(first.train.imageShape, [32, 32, 3]);
    assert.equal(first.info.train.fromCache, false);
    assert.match(first.train.file(0)!, /train[\\/]airplane[\\/]0000\.jpg$/);
    const counts = new Array(10).fill(0);
    for (const l of first.test.labels()) counts[l]++;
    assert.deepEqual(counts, new Array(10).fill(50));
    const second = await loadCifar10Jpeg({ limitPerClass: 50 });
    assert.equal(second.info.train.fromCache, true);
    assert.equal(second.info.test.fromCache, true);
    assert.deepEqual(second.train.image(123), first.train.image(123));
    const cache = process.env.LESSONKIT_CACHE!;
    assert.deepEqual(fs.readdirSync(path.join(cache, 'datasets')), ['cifar10-jpeg'], 'no temp folders left');
  });
});

test('CIFAR-10 JPEGs, all 60,000 (LESSONKIT_FULL_TESTS=1): first load and cached load timed', async (t) => {
  if (!archive) return t.skip(why);
  if (!full) return t.skip('SKIPPED: full-size load; set LESSONKIT_FULL_TESTS=1');
  await withTempCache(async () => {
    let start = performance.now();
    const first = await loadCifar10Jpeg();
    const firstMs = performance.now() - start;
    start = performance.now();
    const second = await loadCifar10Jpeg();
    const cachedMs = performance.now() - start;
    console.log(`# CIFAR-10 JPEG: first load ${firstMs.toFixed(0)} ms, cached load ${cachedMs.toFixed(0)} ms`);
    assert.equal(first.train.length, 50000);
    assert.equal(first.test.length, 10000);
    assert.equal(second.info.train.fromCache, true);
    const counts = new Array(10).fill(0);
    for (const l of second.train.labels()) counts[l]++;
    assert.deepEqual(counts, new Array(10).fill(5000));
  });
});
