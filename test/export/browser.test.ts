/**
 * Exported models in headless Chromium (playwright-core; the folder and node_modules' tf.min.js served on
 * 127.0.0.1, every other request refused): plain @tensorflow/tfjs loads model.json, the page preprocesses the same
 * raw inputs as the lesson's transforms do here, and its probabilities match the kernel's (tfjs-node) within 1e-4.
 * Three exports: a ResNet with a LogSoftmax head on the digits page (lesson 01's ci preprocessing), a ResNet with a
 * logits head on the image page (CIFAR normalization 0.5), and the fused LSTM/GRU/SimpleRNN stack on the sequence
 * page. Screenshots and the exports go to test-artifacts/export/. Skips without Chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { chromiumMissing, openBrowser } from '../notebooks/chromium';
import { ARTIFACTS_DIR } from '../notebooks/tools';
import { exportForBrowser, type ExportForBrowserOptions, type ExportReport } from '../../src/export';
import {
  CIFAR10_CLASSES,
  MNIST_CLASSES,
  compose,
  grayscaleTo3,
  normalize,
  resize,
  scaleTo01,
  type Transform,
} from '../../src/data';
import { encodePng } from '../../src/viz';
import { classifier, fusedSequenceModel, smallResNet } from './models';

const TFJS = require.resolve('@tensorflow/tfjs/dist/tf.min.js');
const TOLERANCE = 1e-4;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
};

/** Serves `dir` on 127.0.0.1 (an ephemeral port), with every `tf.min.js` from node_modules. */
async function serve(dir: string): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.basename(name) === 'tf.min.js' ? TFJS : path.join(dir, path.normalize(name));
    if (!file.startsWith(dir) && file !== TFJS) return res.writeHead(403).end();
    if (!fs.existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/** Raw test pictures (0..255 integers): a bright ring over dim noise, different per picture. */
function rawPictures(n: number, h: number, w: number, c: number): number[][] {
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, (_, k) => {
    const out: number[] = [];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const r = Math.hypot(y - h / 2, x - w / 2 - k);
        for (let ch = 0; ch < c; ch++)
          out.push(Math.abs(r - 7 + k) < 2.5 ? 255 - 40 * ch : Math.floor(next() * (90 + 40 * k)));
      }
    }
    return out;
  });
}

interface Case {
  name: string;
  model: tf.LayersModel;
  options: ExportForBrowserOptions;
  /** Kernel-side probabilities for one page input. */
  kernel: (input: number[]) => number[];
  inputs: number[][];
  /** The page call for one input (browser-side code as text). */
  pageCall: (input: number[]) => string;
}

test("exported models in headless Chromium give the kernel's predictions within 1e-4", async (t) => {
  const missing = chromiumMissing();
  if (missing) return t.skip(`SKIPPED: ${missing}`);
  const root = path.join(ARTIFACTS_DIR, 'export');
  fs.mkdirSync(root, { recursive: true });

  const digitsTransform: Transform = compose(grayscaleTo3(), resize(32), scaleTo01());
  const cifarTransform: Transform = compose(scaleTo01(), normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]));
  const pictures =
    (model: tf.LayersModel, transform: Transform, shape: [number, number, number], logSoftmax: boolean) =>
    (input: number[]) =>
      tf.tidy(() => {
        const raw = tf.tensor4d(Int32Array.from(input), [1, ...shape], 'int32');
        const out = model.predict(transform.apply(raw)) as tf.Tensor;
        return Array.from((logSoftmax ? tf.exp(out) : tf.softmax(out)).dataSync());
      });
  const digits = classifier(await smallResNet(1), true);
  const cifar = classifier(await smallResNet(2), false);
  const sequence = fusedSequenceModel({ steps: 7, features: 3, outputs: 4 });
  const sequences = [0, 1, 2].map((k) =>
    Array.from(tf.tidy(() => tf.randomNormal([7, 3], 0, 1, 'float32', 60 + k).dataSync())),
  );
  const cases: Case[] = [
    {
      name: 'digits',
      model: digits,
      options: {
        page: 'digits',
        transform: digitsTransform,
        classNames: MNIST_CLASSES,
        input: { height: 28, width: 28, channels: 1 },
        title: 'Test: ResNet + LogSoftmax, digits page',
      },
      kernel: pictures(digits, digitsTransform, [28, 28, 1], true),
      inputs: rawPictures(3, 28, 28, 1),
      pageCall: (input) => `window.lessonkitPage.predictPixels(${JSON.stringify(input)}, 28, 28, 1)`,
    },
    {
      name: 'cifar',
      model: cifar,
      options: {
        page: 'image',
        transform: cifarTransform,
        classNames: CIFAR10_CLASSES,
        title: 'Test: ResNet, image page',
      },
      kernel: pictures(cifar, cifarTransform, [32, 32, 3], false),
      inputs: rawPictures(3, 32, 32, 3),
      pageCall: (input) => `window.lessonkitPage.predictPixels(${JSON.stringify(input)}, 32, 32, 3)`,
    },
    {
      name: 'sequence',
      model: sequence,
      options: {
        page: 'sequence',
        classNames: ['up', 'down', 'flat', 'spike'],
        title: 'Test: fused LSTM + GRU + SimpleRNN',
        example: chunk(sequences[0], 3),
      },
      kernel: (input) =>
        tf.tidy(() => Array.from(tf.softmax(sequence.predict(tf.tensor3d(input, [1, 7, 3])) as tf.Tensor).dataSync())),
      inputs: sequences,
      pageCall: (input) => `window.lessonkitPage.predictSequence(${JSON.stringify(chunk(input, 3))})`,
    },
  ];

  const server = await serve(root);
  const browser = await openBrowser({ viewport: { width: 900, height: 760 }, allowOrigins: [server.origin] });
  browser.context.setDefaultTimeout(120_000);
  const results: Record<string, { maxAbsDiff: number; report: ExportReport; screenshot: string; backend: string }> = {};
  try {
    for (const c of cases) {
      const dir = path.join(root, c.name);
      fs.rmSync(dir, { recursive: true, force: true });
      const report = await exportForBrowser(c.model, dir, c.options);
      assert.ok(report.files.some((f) => /^group1-shard1of\d+\.bin$/.test(f.name)));
      assert.deepEqual(fs.readFileSync(path.join(dir, 'tf.min.js')), fs.readFileSync(TFJS));
      {
        const page = browser.page;
        await page.goto(`${server.origin}/${c.name}/index.html?backend=cpu`, { waitUntil: 'load' });
        await page.evaluate('window.lessonkitPage.ready.then(() => true)');
        let maxAbsDiff = 0;
        for (const input of c.inputs) {
          const expected = c.kernel(input);
          const got = await page.evaluate<{ probabilities: number[] }>(c.pageCall(input));
          assert.equal(got.probabilities.length, expected.length);
          got.probabilities.forEach((p, i) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(p - expected[i]))));
        }
        // What a learner sees: a drawn digit, a picked picture, or the JSON box's example.
        if (c.name === 'digits') {
          const box = (await page.locator('#pad').boundingBox())!;
          const stroke = [
            [0.3, 0.22],
            [0.72, 0.22],
            [0.5, 0.82],
          ];
          await page.mouse.move(box.x + stroke[0][0] * box.width, box.y + stroke[0][1] * box.height);
          await page.mouse.down();
          for (const [sx, sy] of stroke.slice(1))
            await page.mouse.move(box.x + sx * box.width, box.y + sy * box.height, { steps: 12 });
          await page.mouse.up();
        } else if (c.name === 'cifar') {
          const png = await encodePng(tf.tensor3d(Int32Array.from(c.inputs[0]), [32, 32, 3], 'int32'));
          await page.setInputFiles('#file', {
            name: 'test-picture.png',
            mimeType: 'image/png',
            buffer: Buffer.from(png),
          });
        } else {
          await page.click('#run');
        }
        await page.waitForFunction("document.querySelectorAll('#top tr').length > 0");
        const screenshot = path.join(root, `${c.name}.png`);
        await page.screenshot({ path: screenshot, fullPage: true });
        const backend = await page.evaluate<string>('window.lessonkitPage.backend()');
        results[c.name] = { maxAbsDiff, report, screenshot, backend };
        console.log(
          `# ${c.name}: max |page - kernel| = ${maxAbsDiff.toExponential(2)} over ${c.inputs.length} inputs (${backend} backend); ` +
            `kernel-side check ${report.parity?.maxAbsDiff.toExponential(2)}; exported ${(report.bytes / 1e6).toFixed(2)} MB ` +
            `(model ${(report.modelBytes / 1e6).toFixed(2)} MB, ${report.files.length} files, ${report.layersFolded} BatchNorms folded); screenshot ${screenshot}`,
        );
      }
    }
    // For the record (not asserted): the page with tfjs's own backend choice, which a learner's browser makes.
    {
      const c = cases[0];
      await browser.page.goto(`${server.origin}/${c.name}/index.html`, { waitUntil: 'load' });
      await browser.page.evaluate('window.lessonkitPage.ready.then(() => true)');
      let diff = 0;
      for (const input of c.inputs) {
        const expected = c.kernel(input);
        const got = await browser.page.evaluate<{ probabilities: number[] }>(c.pageCall(input));
        got.probabilities.forEach((p, i) => (diff = Math.max(diff, Math.abs(p - expected[i]))));
      }
      const backend = await browser.page.evaluate<string>('window.lessonkitPage.backend()');
      console.log(
        `# ${c.name} with the default backend (${backend}): max |page - kernel| = ${diff.toExponential(2)} (not asserted)`,
      );
    }
    assert.deepEqual(browser.pageErrors, []);
    assert.deepEqual(browser.refused, []);
  } finally {
    await browser.close();
    await server.close();
    cases.forEach((c) => c.model.dispose());
  }
  fs.writeFileSync(
    path.join(root, 'parity.json'),
    JSON.stringify(
      Object.fromEntries(
        Object.entries(results).map(([k, r]) => [
          k,
          {
            maxAbsDiff: r.maxAbsDiff,
            backend: r.backend,
            bytes: r.report.bytes,
            modelBytes: r.report.modelBytes,
            files: r.report.files,
            layersFolded: r.report.layersFolded,
            screenshot: r.screenshot,
          },
        ]),
      ),
      null,
      2,
    ) + '\n',
  );
  for (const [name, r] of Object.entries(results)) assert.ok(r.maxAbsDiff < TOLERANCE, `${name}: ${r.maxAbsDiff}`);
});

function chunk(values: number[], width: number): number[][] {
  return Array.from({ length: values.length / width }, (_, i) => values.slice(i * width, (i + 1) * width));
}
