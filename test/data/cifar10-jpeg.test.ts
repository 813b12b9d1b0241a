import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { CIFAR10_CLASSES, findCifar10JpegArchive, loadCifar10Jpeg } from '../../src/data';
import { tempDir } from './helpers';

const archive = findCifar10JpegArchive();
const full = process.env.LESSONKIT_FULL_TESTS === '1';
const why = `SKIPPED: no cifar10-jpeg.tar.gz in LESSONKIT_DATA_DIR (${process.env.LESSONKIT_DATA_DIR ?? 'unset'}); set LESSONKIT_DATA_DIR=../shared/datasets`;

test('CIFAR-10 JPEGs (subset of 50 per class): extracted once, official class order, 32x32x3, cached on reload', async (t) => {
  if (!archive) return t.skip(why);
  // The extraction goes to the configured dataset cache (once per machine: 60,000 small files); the decoded cache
  // goes to a temp folder so that the first load here really decodes.
  const cacheDir = tempDir('cifar-jpeg-decoded');
  try {
    const first = await loadCifar10Jpeg({ limitPerClass: 50, cacheDir });
    assert.equal(first.train.length, 500);
    assert.equal(first.test.length, 500);
    assert.deepEqual(first.train.classes, CIFAR10_CLASSES);
    assert.deepEqual(first.train.imageShape, [32, 32, 3]);
    assert.equal(first.info.train.fromCache, false);
    assert.match(first.train.file(0)!, /train[\\/]airplane[\\/]0000\.jpg$/);
    const counts = new Array(10).fill(0);
    for (const l of first.test.labels()) counts[l]++;
    assert.deepEqual(counts, new Array(10).fill(50));
    const second = await loadCifar10Jpeg({ limitPerClass: 50, cacheDir });
    assert.equal(second.info.train.fromCache, true);
    assert.equal(second.info.test.fromCache, true);
    assert.deepEqual(second.train.image(123), first.train.image(123));
    assert.equal(fs.readdirSync(cacheDir).length, 2, 'one decoded entry per split, no temp folders left');
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('CIFAR-10 JPEGs, all 60,000 (LESSONKIT_FULL_TESTS=1): first load and cached load timed', async (t) => {
  if (!archive) return t.skip(why);
  if (!full) return t.skip('SKIPPED: full-size load; set LESSONKIT_FULL_TESTS=1');
  const cacheDir = tempDir('cifar-jpeg-decoded-full');
  try {
    let start = performance.now();
    const first = await loadCifar10Jpeg({ cacheDir });
    const firstMs = performance.now() - start;
    start = performance.now();
    const second = await loadCifar10Jpeg({ cacheDir });
    const cachedMs = performance.now() - start;
    console.log(`# CIFAR-10 JPEG (60,000): first load ${firstMs.toFixed(0)} ms, cached load ${cachedMs.toFixed(0)} ms`);
    assert.equal(first.train.length, 50000);
    assert.equal(first.test.length, 10000);
    assert.equal(first.info.train.fromCache, false);
    assert.equal(second.info.train.fromCache, true);
    const counts = new Array(10).fill(0);
    for (const l of second.train.labels()) counts[l]++;
    assert.deepEqual(counts, new Array(10).fill(5000));
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});
