import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CIFAR10_CLASSES } from '../../src/data/cifar10-binary';
import { findCifar10JpegArchive } from '../../src/data/cifar10-jpeg';
import { CIFAR10_SAMPLE, cifar10SamplePath, classSlice, loadLessonCifar10 } from '../../src/data/cifar10-source';

function classCounts(labels: Int32Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

test('the shipped sample is in the repository, at most 5 MB, with the recorded size', () => {
  const file = cifar10SamplePath();
  assert.ok(fs.existsSync(file), `expected ${file}`);
  const size = fs.statSync(file).size;
  assert.equal(size, CIFAR10_SAMPLE.size);
  assert.ok(size <= 5 * 1024 * 1024);
});

test('the shipped sample gives the first images of each class, and says so', async () => {
  const t = Date.now();
  const c = await loadLessonCifar10({ sources: ['shipped-sample'], trainPerClass: 100, testPerClass: 50 });
  console.log(`# shipped sample loaded in ${Date.now() - t} ms: ${c.description}`);
  assert.equal(c.source, 'shipped-sample');
  assert.deepEqual([c.train.length, c.test.length], [1000, 500]);
  assert.deepEqual(classCounts(c.train.labels()), new Array(10).fill(100));
  assert.deepEqual(classCounts(c.test.labels()), new Array(10).fill(50));
  assert.deepEqual(c.train.classes, CIFAR10_CLASSES);
  assert.deepEqual(c.train.imageShape, [32, 32, 3]);
  assert.match(
    c.description,
    /shipped in the repository .* the first 100 training and the first 50 test images of each class/,
  );
  // The first image of each class is 0000.jpg, the 100th is 0099.jpg.
  assert.match(c.train.file(0) ?? '', /airplane[/\\]0000\.jpg$/);
  assert.match(c.train.file(99) ?? '', /airplane[/\\]0099\.jpg$/);
  assert.match(c.train.file(100) ?? '', /automobile[/\\]0000\.jpg$/);
});

test('a request larger than the sample is refused by name when no other source has it', async () => {
  await assert.rejects(
    loadLessonCifar10({ sources: ['shipped-sample'], trainPerClass: 2000 }),
    /no CIFAR-10 source has the first 2000 training and all 1000 test images of each class\. the sample shipped .* holds the first 1000 training and 100 test images/,
  );
  await assert.rejects(
    loadLessonCifar10({ trainPerClass: 0 }),
    /trainPerClass must be an integer from 1 to 5000; found 0/,
  );
});

test('without an offline copy and with downloads off, the sample is used and the others are named as not used', async () => {
  const saved = process.env.LESSONKIT_DATA_DIR;
  process.env.LESSONKIT_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-nodata-'));
  try {
    const c = await loadLessonCifar10({ trainPerClass: 10, testPerClass: 10, download: false });
    assert.equal(c.source, 'shipped-sample');
    assert.match(
      c.details,
      /Not used: the full offline JPEG copy: LESSONKIT_DATA_DIR=.* holds no cifar10-jpeg\.tar\.gz/,
    );
    assert.match(c.passedOver[0], /^the full offline JPEG copy: LESSONKIT_DATA_DIR=/);
    // The notebook prints one sentence: the source and the images, none of the reasons.
    assert.equal(
      c.description,
      'CIFAR-10 from the sample shipped in the repository (data/cifar10-sample.tar.gz): the first 10 training and ' +
        'the first 10 test images of each class, 100 training and 100 test images.',
    );
    assert.ok(!c.description.includes('Not used') && !c.description.includes('{'));
  } finally {
    if (saved === undefined) delete process.env.LESSONKIT_DATA_DIR;
    else process.env.LESSONKIT_DATA_DIR = saved;
  }
});

test('classSlice takes positions [start, end) of every class', async () => {
  const c = await loadLessonCifar10({ sources: ['shipped-sample'], trainPerClass: 300, testPerClass: 1 });
  const pool = classSlice(c.train, 100, 300);
  assert.equal(pool.length, 2000);
  assert.deepEqual(classCounts(pool.labels()), new Array(10).fill(200));
  assert.match(pool.file(0) ?? '', /airplane[/\\]0100\.jpg$/);
  assert.throws(() => classSlice(c.train, 5, 5), /expected integers 0 <= start < end, found start=5, end=5/);
});

test('the full offline copy and the shipped sample give byte-identical images for the ci subsets', async (t) => {
  if (!findCifar10JpegArchive()) {
    t.skip('SKIPPED: LESSONKIT_DATA_DIR has no cifar10-jpeg.tar.gz (the full offline copy) to compare with');
    return;
  }
  const full = await loadLessonCifar10({ sources: ['offline-jpeg'], trainPerClass: 100, testPerClass: 50 });
  const sample = await loadLessonCifar10({ sources: ['shipped-sample'], trainPerClass: 100, testPerClass: 50 });
  assert.equal(full.source, 'offline-jpeg');
  for (const [a, b] of [
    [full.train, sample.train],
    [full.test, sample.test],
  ]) {
    assert.equal(a.length, b.length);
    assert.deepEqual(a.labels(), b.labels());
    for (let i = 0; i < a.length; i++) {
      assert.equal(path.basename(a.file(i) ?? ''), path.basename(b.file(i) ?? ''));
      assert.ok(Buffer.from(a.image(i)).equals(Buffer.from(b.image(i))), `image ${i} differs`);
    }
  }
});
