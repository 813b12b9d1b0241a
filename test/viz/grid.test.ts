import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../src/engine';
import { classSamplesGrid, misclassifiedGrid } from '../../src/viz/sample-grids';
import { gridLabels, predictionCaption, sampleGrid } from '../../src/viz/image-grid';
import { pngSize } from '../../src/viz/png';
import { evaluate } from '../../src/train/evaluate';

ensureEngine();

type NodeDecode = { node: { decodePng(bytes: Uint8Array, channels?: number): tf.Tensor3D } };
const decodePng = (bytes: Uint8Array) => (require('@tensorflow/tfjs-node') as NodeDecode).node.decodePng(bytes, 0);

test('grid PNG size: rows x cols cells of (side x scale + 2 x padding) pixels; captions in order', async () => {
  const images = tf.zeros([10, 28, 28, 1]);
  const captions = Array.from({ length: 10 }, (_, i) => predictionCaption(i % 3, (i + 1) % 3));
  const grid = await sampleGrid(images, { rows: 2, cols: 5, captions, scale: 3, padding: 2 });
  assert.deepEqual(pngSize(grid.png), { width: 5 * (28 * 3 + 4), height: 2 * (28 * 3 + 4) });
  assert.equal(grid.png[25], 0, 'PNG colour type 0: grayscale stays gray');
  const bundle = grid.toMimeBundle();
  assert.deepEqual(Object.keys(bundle).sort(), ['image/png', 'text/html', 'text/plain']);
  assert.equal(Buffer.from(bundle['image/png'] as string, 'base64').length, grid.png.length);
  assert.match(bundle['text/plain'], /image grid 2x5 \(440x176 px\)/);
  assert.match(bundle['text/plain'], /\[1,1\] pred: 0, actual: 1\n {2}\[1,2\] pred: 1, actual: 2/);
  assert.match(bundle['text/plain'], /\[2,5\] pred: 0, actual: 1$/);
  // Each wrong prediction has its own caption: under its image, one row of images (one PNG strip) at a time.
  const html = bundle['text/html'] as string;
  assert.equal(html.split('lessonkit-grid-image').length - 1, 2, 'two row strips');
  assert.equal(html.split('pred: ').length - 1, 10, 'each caption once');
  assert.doesNotMatch(html, /<table|row 1<\/th>/, 'no caption table after the grid');
  assert.deepEqual(
    grid.rowPngs.map((p) => pngSize(p)),
    [0, 1].map(() => ({ width: 440, height: 88 })),
  );
  images.dispose();
});

test('colour images are de-normalized with mean/std and encoded as RGB', async () => {
  const mean = [0.4914, 0.4822, 0.4465];
  const std = [0.247, 0.243, 0.261];
  const rgb = [0.9, 0.2, 0.5]; // the original pixel in [0, 1]
  const normalized = tf.tidy(() => tf.div(tf.sub(tf.tensor4d(rgb, [1, 1, 1, 3]).tile([2, 4, 4, 1]), mean), std));
  const grid = await sampleGrid(normalized, { mean, std, scale: 1, padding: 1, cols: 2 });
  assert.equal(grid.png[25], 2, 'PNG colour type 2: RGB');
  const decoded = decodePng(grid.png);
  assert.deepEqual(decoded.shape, [6, 12, 3]);
  assert.deepEqual(
    Array.from(decoded.slice([1, 1, 0], [1, 1, 3]).dataSync()),
    rgb.map((v) => Math.round(v * 255)),
  );
  assert.deepEqual(Array.from(decoded.slice([0, 0, 0], [1, 1, 3]).dataSync()), [255, 255, 255], 'white padding');
  tf.dispose([normalized, decoded]);
});

test('captions and class names are HTML-escaped in text/html and kept verbatim in text/plain', async () => {
  const images = tf.zeros([2, 8, 8, 3], 'int32');
  const grid = await sampleGrid(images, {
    captions: ['pred: <img src=x onerror=alert(1)>, actual: a&b', 'pred: "q", actual: \'s\''],
    title: '<Wrong>',
  });
  const html = grid.toMimeBundle()['text/html'] as string;
  assert.doesNotMatch(html, /<img src=x/);
  assert.match(html, /pred: &lt;img src=x onerror=alert\(1\)&gt;, actual: a&amp;b/);
  assert.match(html, /pred: &quot;q&quot;, actual: &#39;s&#39;/);
  assert.match(html, /&lt;Wrong&gt;/);
  assert.match(grid.toMimeBundle()['text/plain'], /pred: <img src=x onerror=alert\(1\)>, actual: a&b/);
  images.dispose();
});

test('wrong-predictions grid from evaluate, and a samples-per-class grid', async () => {
  const input = tf.input({ shape: [2, 2, 1] });
  const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: 2, useBias: false });
  const model = tf.model({ inputs: input, outputs: dense.apply(flat) as tf.SymbolicTensor });
  dense.setWeights([
    tf.tensor2d([
      [1, 0],
      [1, 0],
      [0, 1],
      [0, 1],
    ]),
  ]); // top half bright -> class 0
  const x = tf.tensor4d([1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0], [3, 2, 2, 1]);
  const y = tf.tensor1d([1, 0, 0], 'int32'); // the first two are wrong
  const result = await evaluate(model, [{ x, y, indices: new Int32Array([10, 11, 12]) }], {
    classNames: ['top', 'bottom'],
    keepMisclassified: 10,
  });
  const grid = await misclassifiedGrid(result, { scale: 2 });
  assert.deepEqual(grid.captions, ['pred: top, actual: bottom', 'pred: bottom, actual: top']);
  assert.deepEqual([grid.rows, grid.cols], [1, 5]);
  const perClass = await classSamplesGrid(x, y, { classNames: ['top', 'bottom'], perClass: 1, scale: 4 });
  assert.deepEqual(perClass.labels.rowLabels, ['top', 'bottom'], 'one label per row (class), no caption per image');
  assert.deepEqual(perClass.labels.cellCaptions, []);
  assert.equal(perClass.rowPngs.length, 0, 'labels only: the grid stays one image');
  assert.deepEqual(pngSize(perClass.png), { width: 12, height: 24 });
  await assert.rejects(
    classSamplesGrid(x, y, { classNames: ['top', 'bottom'], perClass: 2 }),
    /class bottom has only 1 image\(s\)/,
  );
  result.dispose();
  tf.dispose([x, y]);
  model.dispose();
});

test('an 8x10 class grid labels its 10 rows once instead of repeating 80 captions', async () => {
  const names = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
  const images = tf.zeros([80, 4, 4, 3], 'int32');
  const labels = Array.from({ length: 80 }, (_, i) => Math.floor(i / 8));
  const grid = await classSamplesGrid(images, labels, { classNames: names, perClass: 8, scale: 2 });
  const html = grid.toHtml();
  for (const name of names) assert.equal(html.split(`>${name}<`).length - 1, 1, `${name} once`);
  assert.equal(html.split('<img').length - 1, 1, 'one image');
  assert.match(html, /grid-template-rows:repeat\(10, 12px\)/, 'one grid row per class, as tall as a cell');
  assert.match(grid.toPlainText(), /rows: airplane, automobile, .*, truck$/);
  images.dispose();
});

test('captions equal along each row or each column become row or column labels', async () => {
  const rowsSame = ['original', 'original', 'flipped', 'flipped'];
  assert.deepEqual(gridLabels(2, 2, rowsSame), { rowLabels: ['original', 'flipped'], colLabels: [], cellCaptions: [] });
  const colsSame = ['a', 'b', 'a', 'b'];
  assert.deepEqual(gridLabels(2, 2, colsSame), { rowLabels: [], colLabels: ['a', 'b'], cellCaptions: [] });
  const own = ['pred: 1, actual: 2', 'pred: 3, actual: 4'];
  assert.deepEqual(gridLabels(1, 2, own).cellCaptions, own);
  const images = tf.zeros([4, 4, 4, 1]);
  const grid = await sampleGrid(images, { rows: 2, cols: 2, colLabels: ['left', 'right'], rowLabels: ['up', 'down'] });
  assert.match(grid.toHtml(), /grid-row:1;grid-column:2;[^"]*">left<\/div>.*grid-row:2;grid-column:1;[^"]*">up</);
  await assert.rejects(
    sampleGrid(images, { rows: 2, cols: 2, rowLabels: ['one'] }),
    /expected 2 rowLabels \(one per row\)\. Received 1/,
  );
  images.dispose();
});
