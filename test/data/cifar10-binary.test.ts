import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  CIFAR10_CLASSES,
  CIFAR10_TEST_FILES,
  CIFAR10_TRAIN_FILES,
  loadCifar10,
  readCifar10Binary,
} from '../../src/data';
import { cifarPixel, cifarRecords, serveFiles, tempDir } from './helpers';

/** A fixture in the official layout: cifar-10-batches-bin/data_batch_1..5.bin (3 records each) + test_batch.bin (2). */
function writeFixture(root: string): string {
  const dir = path.join(root, 'cifar-10-batches-bin');
  fs.mkdirSync(dir, { recursive: true });
  CIFAR10_TRAIN_FILES.forEach((f, b) => fs.writeFileSync(path.join(dir, f), cifarRecords([b, (b + 1) % 10, 9])));
  fs.writeFileSync(path.join(dir, CIFAR10_TEST_FILES[0]), cifarRecords([3, 8]));
  return dir;
}

test('CIFAR-10 binary records: label byte, then R, G, B planes become channels-last 32x32x3', () => {
  const root = tempDir('cifar-bin');
  const dir = writeFixture(root);
  const ds = readCifar10Binary([path.join(dir, 'test_batch.bin')]);
  assert.equal(ds.length, 2);
  assert.deepEqual(ds.imageShape, [32, 32, 3]);
  assert.deepEqual(Array.from(ds.labels()), [3, 8]);
  assert.deepEqual(ds.classes, CIFAR10_CLASSES);
  for (const i of [0, 1]) {
    const img = ds.image(i);
    for (const [y, x] of [
      [0, 0],
      [0, 31],
      [5, 7],
      [31, 31],
    ]) {
      for (let c = 0; c < 3; c++)
        assert.equal(img[(y * 32 + x) * 3 + c], cifarPixel(i, y, x, c), `image ${i} (${y},${x},${c})`);
    }
  }
  fs.rmSync(root, { recursive: true, force: true });
});

test('loadCifar10 reads the five training batches in order and the test batch', async () => {
  const root = tempDir('cifar-load');
  const dir = writeFixture(root);
  const { train, test: testSet } = await loadCifar10({ dir });
  assert.equal(train.length, 15);
  assert.equal(testSet.length, 2);
  assert.deepEqual(Array.from(train.labels().subarray(0, 6)), [0, 1, 9, 1, 2, 9]);
  fs.rmSync(root, { recursive: true, force: true });
});

test('truncated CIFAR-10 file: error names the file and the byte count', () => {
  const root = tempDir('cifar-trunc');
  const file = path.join(root, 'data_batch_1.bin');
  fs.writeFileSync(file, cifarRecords([1, 2]).subarray(0, 3073 + 100));
  assert.throws(
    () => readCifar10Binary([file]),
    /data_batch_1\.bin: expected a whole number of 3073-byte records, found 3173 bytes \(1 records and 100 extra bytes/,
  );
  fs.rmSync(root, { recursive: true, force: true });
});

test('missing CIFAR-10 files without download: error lists what was expected', async () => {
  await assert.rejects(
    loadCifar10({ dir: '/nonexistent/cifar' }),
    /expected data_batch_1\.bin.* in \/nonexistent\/cifar, found no such folder/,
  );
});

test('loadCifar10({ download }) fetches an archive, checks its hash, extracts it atomically into the cache', async () => {
  const root = tempDir('cifar-dl');
  const cache = tempDir('cifar-dl-cache');
  const previous = process.env.LESSONKIT_CACHE;
  process.env.LESSONKIT_CACHE = cache;
  writeFixture(root);
  const tgz = path.join(root, 'fixture.tar.gz');
  const tar = spawnSync('tar', ['-czf', tgz, '-C', root, 'cifar-10-batches-bin']);
  assert.equal(tar.status, 0);
  const body = fs.readFileSync(tgz);
  const server = await serveFiles({ '/cifar-10-binary.tar.gz': body });
  const spec = {
    url: `${server.url}/cifar-10-binary.tar.gz`,
    sha256: crypto.createHash('sha256').update(body).digest('hex'),
    size: body.length,
    folder: 'cifar-10-batches-bin',
  };
  try {
    await assert.rejects(
      loadCifar10({ download: true, archive: { ...spec, sha256: '0'.repeat(64) } }),
      /failed verification: .*sha256 mismatch/,
    );
    const { train, test: testSet } = await loadCifar10({ download: true, archive: spec });
    assert.equal(train.length, 15);
    assert.equal(testSet.length, 2);
    const datasets = path.join(cache, 'datasets', 'cifar10');
    assert.deepEqual(fs.readdirSync(datasets).sort(), ['cifar-10-binary.tar.gz', 'extracted'], 'no temp files left');
    await loadCifar10({ download: true, archive: spec });
    assert.equal(server.requests.length, 2, 'the second load uses the extracted copy');
  } finally {
    await server.close();
    if (previous === undefined) delete process.env.LESSONKIT_CACHE;
    else process.env.LESSONKIT_CACHE = previous;
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(cache, { recursive: true, force: true });
  }
});
