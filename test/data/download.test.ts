import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import { loadMnist, mnistPackageDir, MNIST_FILES } from '../../src/data';
import { downloadVerified } from '../../src/io';
import { serveFiles, tempDir } from './helpers';

const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

test('downloadVerified keeps a file whose hash matches, served by a local HTTP server', async () => {
  const body = crypto.randomBytes(5000);
  const server = await serveFiles({ '/file.bin': body });
  const dir = tempDir('dl-ok');
  try {
    const dest = path.join(dir, 'file.bin');
    await downloadVerified({ url: `${server.url}/file.bin`, dest, sha256: sha256(body), size: body.length });
    assert.deepEqual(fs.readFileSync(dest), body);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('hash mismatch after download: error names the URL, expected and found hash, and nothing is kept', async () => {
  const body = Buffer.from('this is not what the hash describes');
  const server = await serveFiles({ '/data.bin': body });
  const dir = tempDir('dl-bad');
  try {
    const dest = path.join(dir, 'data.bin');
    const wrong = 'a'.repeat(64);
    await assert.rejects(downloadVerified({ url: `${server.url}/data.bin`, dest, sha256: wrong }), (err: Error) => {
      assert.match(err.message, /Download of http:\/\/127\.0\.0\.1:\d+\/data\.bin failed verification/);
      assert.match(err.message, new RegExp(`expected ${wrong}, found ${sha256(body)}`));
      return true;
    });
    assert.deepEqual(fs.readdirSync(dir), [], 'no partial or unverified file is left behind');
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('loadMnist({ download }) checks the original gzip hashes: a re-compressed copy is refused', async () => {
  // Same IDX content, but gzipped here, so the bytes (and the sha256) differ from the original .gz downloads.
  const files: Record<string, Uint8Array> = {};
  for (const f of Object.values(MNIST_FILES)) {
    files[`/mnist/${f.name}.gz`] = zlib.gzipSync(fs.readFileSync(path.join(mnistPackageDir(), f.name)), { level: 1 });
  }
  const server = await serveFiles(files);
  const dir = tempDir('dl-mnist');
  try {
    await assert.rejects(
      loadMnist({ dir, download: true, mirror: `${server.url}/mnist/` }),
      /train-images-idx3-ubyte\.gz.*(expected 9912422 bytes|sha256 mismatch)/,
    );
    assert.deepEqual(fs.readdirSync(dir), []);
    assert.deepEqual(server.requests, ['/mnist/train-images-idx3-ubyte.gz']);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a download from an unreachable host gives the offline hint', async () => {
  const dir = tempDir('dl-offline');
  await assert.rejects(
    downloadVerified({
      url: 'http://127.0.0.1:9/x',
      dest: path.join(dir, 'x'),
      sha256: 'b'.repeat(64),
      offlineHint: 'Copy it by hand.',
    }),
    /Could not download http:\/\/127\.0\.0\.1:9\/x .*Copy it by hand\./,
  );
  fs.rmSync(dir, { recursive: true, force: true });
});
