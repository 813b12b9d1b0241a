/**
 * Data benchmark: prints
 *  1. the full MNIST set (70,000 images) loaded into tensors (target < 1 s);
 *  2. CIFAR-10 from the offline JPEG copy: extraction, first (decoding) load and cached load;
 *  3. memory while iterating one epoch at batch 128 with the lesson's 224x224 transform (MNIST; a subset by default).
 *
 * Usage: node dist/bench/data.js [--epoch-images N] [--cifar-per-class N] [--skip-cifar]
 *   --epoch-images  images in the 224x224 epoch (default 6400 = 50 batches; 60000 for the full epoch)
 *   --cifar-per-class  images per class and split for the CIFAR part (default: all, 60,000 JPEGs)
 * The CIFAR part needs LESSONKIT_DATA_DIR (../shared/datasets); it uses a fresh temp cache so "first" is a true first load.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  compose,
  DataLoader,
  extractCifar10Jpeg,
  findCifar10JpegArchive,
  grayscaleTo3,
  loadImageFolderWithInfo,
  loadMnist,
  normalize,
  resize,
  scaleTo01,
} from '../src/data';
import { describeEngine, ensureEngine } from '../src/engine';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const ms = (t: number) => `${t.toFixed(0)} ms`;
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function benchMnist(): Promise<void> {
  const times: number[] = [];
  for (let r = 0; r < 3; r++) {
    const start = performance.now();
    const { train, test } = await loadMnist();
    const a = train.toTensors();
    const b = test.toTensors();
    times.push(performance.now() - start);
    tf.dispose([a.x, a.y, b.x, b.y]);
  }
  console.log(
    `MNIST 70,000 images -> int32 tensors [n,28,28,1] + labels: first ${ms(times[0])}, median of 3 ${ms(median(times))} (target < 1000 ms)`,
  );
}

async function benchCifar(perClass?: number): Promise<void> {
  const archive = findCifar10JpegArchive();
  if (!archive) {
    console.log(
      'CIFAR-10 JPEG: SKIPPED (no cifar10-jpeg.tar.gz in LESSONKIT_DATA_DIR; set LESSONKIT_DATA_DIR=../shared/datasets)',
    );
    return;
  }
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-bench-cache-'));
  const previous = process.env.LESSONKIT_CACHE;
  process.env.LESSONKIT_CACHE = cache;
  try {
    let start = performance.now();
    const root = await extractCifar10Jpeg(archive);
    console.log(`CIFAR-10 JPEG: sha256 check + extraction into the cache: ${ms(performance.now() - start)}`);
    const what = perClass ? `${perClass} per class and split (${perClass * 20} JPEGs)` : 'all 60,000 JPEGs';
    for (const pass of ['first (decode + write cache)', 'cached']) {
      start = performance.now();
      let n = 0;
      for (const split of ['train', 'test']) {
        const { dataset, info } = await loadImageFolderWithInfo(path.join(root, split), { limitPerClass: perClass });
        n += dataset.length;
        if (pass === 'cached' && !info.fromCache) throw new Error('expected a cache hit');
      }
      console.log(`CIFAR-10 JPEG ${what}: ${pass} load of ${n} images: ${ms(performance.now() - start)}`);
    }
  } finally {
    if (previous === undefined) delete process.env.LESSONKIT_CACHE;
    else process.env.LESSONKIT_CACHE = previous;
    fs.rmSync(cache, { recursive: true, force: true });
  }
}

async function benchEpoch(images: number): Promise<void> {
  const { train } = await loadMnist();
  const subset = train.take(images);
  const loader = new DataLoader(subset, {
    batchSize: 128,
    shuffle: true,
    seed: 42,
    transform: compose(grayscaleTo3(), resize(224), scaleTo01(), normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])),
  });
  const rss: number[] = [];
  const tensorsBefore = tf.memory().numTensors;
  const start = performance.now();
  for await (const batch of loader) {
    const m = tf.mean(batch.x); // stands in for a training step that reads the batch
    await m.data();
    m.dispose();
    rss.push(process.memoryUsage().rss);
  }
  const seconds = (performance.now() - start) / 1000;
  const quarter = Math.max(1, Math.floor(rss.length / 4));
  const early = median(rss.slice(0, quarter));
  const late = median(rss.slice(-quarter));
  console.log(
    `Epoch over ${images} MNIST images (${loader.length} batches of 128, grayscale->3, resize 224, normalize): ${seconds.toFixed(1)} s, ` +
      `${(images / seconds).toFixed(0)} img/s`,
  );
  console.log(
    `  RSS: first quarter median ${mb(early)}, last quarter median ${mb(late)}, max during epoch ${mb(Math.max(...rss))}, ` +
      `process peak (maxRSS) ${mb(process.resourceUsage().maxRSS * 1024)}; tensors before/after: ${tensorsBefore}/${tf.memory().numTensors}` +
      `${images < 60000 ? ' (a subset: pass --epoch-images 60000 for the full epoch)' : ''}`,
  );
}

async function main(): Promise<void> {
  console.log(`engine: ${describeEngine(ensureEngine())}; ${os.cpus().length} CPU cores`);
  await benchMnist();
  if (!process.argv.includes('--skip-cifar'))
    await benchCifar(arg('cifar-per-class') ? Number(arg('cifar-per-class')) : undefined);
  await benchEpoch(Number(arg('epoch-images') ?? 6400));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
