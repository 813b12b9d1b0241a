import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadImageFolder, loadImageFolderWithInfo } from '../../src/data';
import { ensureEngine } from '../../src/engine';
import { DataFormatError } from '../../src/errors';
import { tempDir } from './helpers';

interface NodeEncoders {
  encodePng(image: tf.Tensor3D): Promise<Uint8Array>;
  encodeJpeg(image: tf.Tensor3D, format?: '' | 'grayscale' | 'rgb', quality?: number): Promise<Uint8Array>;
}

function encoders(): NodeEncoders {
  return (require(ensureEngine().packageName) as { node: NodeEncoders }).node;
}

/** A deterministic h x w x c image whose pixels depend on `seed`. */
function pattern(seed: number, h: number, w: number, c: number): Uint8Array {
  return Uint8Array.from({ length: h * w * c }, (_, i) => (seed * 37 + i * 11) % 256);
}

async function writePng(file: string, pixels: Uint8Array, h: number, w: number, c: number): Promise<void> {
  const t = tf.tensor3d(Int32Array.from(pixels), [h, w, c], 'int32');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, await encoders().encodePng(t));
  t.dispose();
}

/** cats: 3 PNGs, dogs: 2 PNGs (8x8 RGB), plus a text file that is ignored (not an image extension). */
async function makeFolder(): Promise<string> {
  const root = tempDir('imgfolder');
  for (let i = 0; i < 3; i++) await writePng(path.join(root, 'cat', `${i}.png`), pattern(i, 8, 8, 3), 8, 8, 3);
  for (let i = 0; i < 2; i++) await writePng(path.join(root, 'dog', `${i}.png`), pattern(10 + i, 8, 8, 3), 8, 8, 3);
  fs.writeFileSync(path.join(root, 'dog', 'notes.txt'), 'not an image, and not named like one');
  return root;
}

function withCache<T>(fn: (cacheDir: string) => Promise<T>): Promise<T> {
  const cacheDir = tempDir('decoded');
  return fn(cacheDir).finally(() => fs.rmSync(cacheDir, { recursive: true, force: true }));
}

test('image folder: classes in sorted folder order, PNG pixels decoded exactly, files kept', async () => {
  const root = await makeFolder();
  await withCache(async (cacheDir) => {
    const ds = await loadImageFolder(root, { cacheDir });
    assert.deepEqual(ds.classes, ['cat', 'dog']);
    assert.equal(ds.length, 5);
    assert.deepEqual(ds.imageShape, [8, 8, 3]);
    assert.deepEqual(Array.from(ds.labels()), [0, 0, 0, 1, 1]);
    assert.deepEqual(ds.image(4), pattern(11, 8, 8, 3));
    assert.equal(ds.file(4), path.join(root, 'dog', '1.png'));
  });
  fs.rmSync(root, { recursive: true, force: true });
});

test('decoded cache: second load comes from the cache with identical pixels; a change in the folder invalidates it', async () => {
  const root = await makeFolder();
  await withCache(async (cacheDir) => {
    const first = await loadImageFolderWithInfo(root, { cacheDir });
    assert.equal(first.info.fromCache, false);
    const entries = fs.readdirSync(cacheDir);
    assert.equal(entries.length, 1, 'one cache entry, no temp folders left');
    assert.deepEqual(fs.readdirSync(path.join(cacheDir, entries[0])).sort(), ['manifest.json', 'pixels.u8']);
    const second = await loadImageFolderWithInfo(root, { cacheDir });
    assert.equal(second.info.fromCache, true);
    assert.deepEqual(second.dataset.store.pixels, first.dataset.store.pixels);
    assert.deepEqual(second.dataset.labels(), first.dataset.labels());
    assert.equal(second.dataset.file(0), first.dataset.file(0));

    // A new file: the fingerprint changes, the folder is decoded again and the entry replaced.
    await writePng(path.join(root, 'dog', '2.png'), pattern(12, 8, 8, 3), 8, 8, 3);
    const third = await loadImageFolderWithInfo(root, { cacheDir });
    assert.equal(third.info.fromCache, false);
    assert.equal(third.dataset.length, 6);
    assert.equal((await loadImageFolderWithInfo(root, { cacheDir })).info.fromCache, true);

    // Same name and size, new content and modification time: decoded again, new pixels seen.
    await writePng(path.join(root, 'cat', '0.png'), pattern(99, 8, 8, 3), 8, 8, 3);
    fs.utimesSync(path.join(root, 'cat', '0.png'), new Date(), new Date(Date.now() + 5000));
    const fourth = await loadImageFolderWithInfo(root, { cacheDir });
    assert.equal(fourth.info.fromCache, false);
    assert.deepEqual(fourth.dataset.image(0), pattern(99, 8, 8, 3));
    assert.equal(fs.readdirSync(cacheDir).length, 1);
  });
  fs.rmSync(root, { recursive: true, force: true });
});

test('JPEG and grayscale PNG: decoded to 3 channels; size option resizes on load', async () => {
  const root = tempDir('imgfolder-mixed');
  await writePng(path.join(root, 'a', 'gray.png'), pattern(1, 16, 16, 1), 16, 16, 1);
  const rgb = tf.tensor3d(Int32Array.from(pattern(2, 12, 20, 3)), [12, 20, 3], 'int32');
  fs.mkdirSync(path.join(root, 'b'));
  fs.writeFileSync(path.join(root, 'b', 'photo.JPG'), await encoders().encodeJpeg(rgb, 'rgb', 95));
  rgb.dispose();
  await withCache(async (cacheDir) => {
    await assert.rejects(
      loadImageFolder(root, { cacheDir }),
      /photo\.JPG is 12x20, expected 16x16 like .*gray\.png\. Pass \{ size/,
    );
    const ds = await loadImageFolder(root, { cacheDir, size: [8, 8] });
    assert.deepEqual(ds.imageShape, [8, 8, 3]);
    const g = ds.image(0);
    for (let p = 0; p < 64; p++)
      assert.ok(g[3 * p] === g[3 * p + 1] && g[3 * p] === g[3 * p + 2], 'grayscale replicated');
  });
  fs.rmSync(root, { recursive: true, force: true });
});

test('missing folder, folder without classes, empty class folder: errors name the folder', async () => {
  await assert.rejects(
    loadImageFolder('/nonexistent/photos', { cache: false }),
    /Image folder \/nonexistent\/photos does not exist; expected a folder with one sub-folder per class/,
  );
  const root = tempDir('imgfolder-empty');
  await assert.rejects(loadImageFolder(root, { cache: false }), /expected one sub-folder per class, found none/);
  await writePng(path.join(root, 'full', '0.png'), pattern(0, 4, 4, 3), 4, 4, 3);
  fs.mkdirSync(path.join(root, 'empty'));
  fs.writeFileSync(path.join(root, 'empty', 'readme.txt'), 'no images here');
  await assert.rejects(
    loadImageFolder(root, { cache: false }),
    new RegExp(
      `class folder ${path.join(root, 'empty')} is empty; expected at least one \\.jpg, \\.jpeg or \\.png image`,
    ),
  );
  fs.rmSync(root, { recursive: true, force: true });
});

test('a file named like an image that is not one: error names the file; no cache entry is written', async () => {
  const root = await makeFolder();
  fs.writeFileSync(path.join(root, 'cat', 'broken.jpg'), 'this is text, not a JPEG');
  await withCache(async (cacheDir) => {
    await assert.rejects(
      loadImageFolder(root, { cacheDir }),
      new RegExp(
        `${path.join(root, 'cat', 'broken.jpg')}: expected an image \\(JPEG, PNG, BMP or GIF\\), found data that is not a known image format \\(24 bytes\\)`,
      ),
    );
    assert.deepEqual(fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir) : [], []);
  });
  assert.equal(tf.memory().numTensors, 0, 'no tensor leaks on the error path');
  fs.rmSync(root, { recursive: true, force: true });
});

test("a damaged JPEG: a DataFormatError naming the file and TensorFlow's reason, not '(Invalid TF_Status: 3)'", async () => {
  const root = await makeFolder();
  const t = tf.tensor3d(Int32Array.from(pattern(3, 16, 16, 3)), [16, 16, 3], 'int32');
  const good = Buffer.from(await encoders().encodeJpeg(t));
  t.dispose();
  const file = path.join(root, 'cat', 'damaged.jpg');
  const bad = Buffer.from(good);
  bad.fill(7, 30, 200); // header intact (starts with FF D8), tables and scan overwritten
  fs.writeFileSync(file, bad);
  await assert.rejects(loadImageFolder(root, { cache: false }), (err: Error) => {
    assert.ok(err instanceof DataFormatError, `${err.name}: ${err.message}`);
    assert.equal(err.file, file);
    assert.match(
      err.message,
      new RegExp(
        `^${file}: expected an image \\(JPEG, PNG, BMP or GIF\\), found a damaged or truncated JPEG file \\(${bad.length} bytes\\): \\S`,
      ),
    );
    assert.doesNotMatch(err.message, /TF_Status/);
    return true;
  });
  fs.rmSync(root, { recursive: true, force: true });
});
