/**
 * Which CIFAR-10 copy the lessons read, in this order:
 * 1. the full offline JPEG copy when `LESSONKIT_DATA_DIR` holds it (CI and these offline machines);
 * 2. the official binary release, already in the cache or downloaded and verified once (online users);
 * 3. the sample shipped in the repository (`data/cifar10-sample.tar.gz`: the first 1,000 training and 100 test images
 *    of each class), when neither is available and the request fits in it (a fresh clone, offline).
 *
 * A request names how many images of each class it needs, always the FIRST ones in the official order (the JPEG
 * copies number them `0000.jpg`, `0001.jpg`, ... in that order), so the `ci` profile sees the same images from every
 * source: byte-identical files from the two JPEG copies, the same pictures (before JPEG compression) from the binary
 * release. The result says which source it used and why the others were passed over.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetCacheDir, setting, verifyFile, writeFileAtomic } from '../io';
import { CIFAR10_CLASSES, loadCifar10 } from './cifar10-binary';
import { findCifar10JpegArchive, loadCifar10Jpeg } from './cifar10-jpeg';
import { extractTarGzAtomic } from './extract';
import { loadImageFolderWithInfo } from './image-folder';
import type { ImageDataset } from './image-dataset';

export type Cifar10SourceKind = 'offline-jpeg' | 'official-binary' | 'shipped-sample';

export interface LessonCifar10 {
  train: ImageDataset;
  test: ImageDataset;
  source: Cifar10SourceKind;
  /**
   * One sentence for the notebook's output: which source, and which images, e.g. `CIFAR-10 from the sample shipped
   * in the repository: the first 100 training and the first 100 test images of each class, 1000 training and 1000
   * test images.`
   */
  description: string;
  /**
   * The rest, for whoever wants it: the source's file, whether it is a JPEG re-encoding, and why the sources before
   * it were not used (each with its own error's first line).
   */
  details: string;
  /** The sources tried before this one and why each was passed over (`<source>: <reason>`). */
  passedOver: string[];
}

export interface LoadLessonCifar10Options {
  /** Keep the first `n` training images of each class (official order). Default: all 5,000. */
  trainPerClass?: number;
  /** Keep the first `n` test images of each class (official order). Default: all 1,000. */
  testPerClass?: number;
  /** Try the official download when no offline copy is found and the binary files are not cached. Default: true. */
  download?: boolean;
  /** The sources to try, in order. Default: all three, in the order above. */
  sources?: Cifar10SourceKind[];
  /** The shipped sample. Default: `data/cifar10-sample.tar.gz` in this package. */
  sampleArchive?: string;
}

/** The shipped sample: what it holds and its hash (see data/README.md). */
export const CIFAR10_SAMPLE = {
  name: 'cifar10-sample.tar.gz',
  sha256: '4a40251d9ae4f1e4de63c89772102ad8e13c9f502ebb5d7703635c613ebf3a7b',
  size: 3565702,
  trainPerClass: 1000,
  testPerClass: 100,
};

/** `data/cifar10-sample.tar.gz` beside this package's `src` (or `dist/src`) folder. */
export function cifar10SamplePath(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'data', CIFAR10_SAMPLE.name);
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve(__dirname, '..', '..', 'data', CIFAR10_SAMPLE.name);
}

/**
 * The samples at positions `[start, end)` within each class, in storage order, classes in label order. Image folders
 * store each class's files in name order and the binary release in file order, so `classSlice(ds, 0, k)` is "the
 * first k images of each class" for every source.
 */
export function classSlice(ds: ImageDataset, start: number, end: number): ImageDataset {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start) {
    throw new RangeError(`classSlice: expected integers 0 <= start < end, found start=${start}, end=${end}.`);
  }
  const labels = ds.labels();
  const seen = new Map<number, number>();
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    const k = seen.get(c) ?? 0;
    seen.set(c, k + 1);
    if (k >= start && k < end) {
      if (!byClass.has(c)) byClass.set(c, []);
      byClass.get(c)!.push(i);
    }
  }
  const indices = [...byClass.keys()].sort((a, b) => a - b).flatMap((c) => byClass.get(c)!);
  return ds.subset(indices);
}

function checkPerClass(name: string, value: number | undefined, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(`loadLessonCifar10: ${name} must be an integer from 1 to ${max}; found ${value}.`);
  }
}

function perClassPhrase(o: LoadLessonCifar10Options): string {
  const part = (n: number | undefined, all: number, what: string) =>
    n === undefined ? `all ${all} ${what}` : `the first ${n} ${what}`;
  return `${part(o.trainPerClass, 5000, 'training')} and ${part(o.testPerClass, 1000, 'test')} images of each class`;
}

/** Extracts the shipped sample once into the dataset cache (hash-checked); returns the extracted folder. */
export async function extractCifar10Sample(archive = cifar10SamplePath()): Promise<string> {
  const dest = datasetCacheDir('cifar10-sample');
  const done = path.join(dest, '.extracted-from');
  if (fs.existsSync(done) && fs.readFileSync(done, 'utf8') === CIFAR10_SAMPLE.sha256) return dest;
  if (!fs.existsSync(archive)) {
    throw new Error(
      `loadLessonCifar10: expected the shipped sample at ${archive}, found no such file (is this a complete checkout?).`,
    );
  }
  await verifyFile(archive, CIFAR10_SAMPLE.sha256, CIFAR10_SAMPLE.size);
  await extractTarGzAtomic(archive, dest);
  writeFileAtomic(done, CIFAR10_SAMPLE.sha256);
  return dest;
}

async function fromSample(o: LoadLessonCifar10Options): Promise<{ train: ImageDataset; test: ImageDataset }> {
  const fits =
    (o.trainPerClass ?? Infinity) <= CIFAR10_SAMPLE.trainPerClass &&
    (o.testPerClass ?? Infinity) <= CIFAR10_SAMPLE.testPerClass;
  if (!fits) {
    throw new Error(
      `the shipped sample holds the first ${CIFAR10_SAMPLE.trainPerClass} training and ${CIFAR10_SAMPLE.testPerClass} test images of each ` +
        `class; the request was ${perClassPhrase(o)}`,
    );
  }
  const root = await extractCifar10Sample(o.sampleArchive);
  const train = await loadImageFolderWithInfo(path.join(root, 'train'), { limitPerClass: o.trainPerClass });
  const test = await loadImageFolderWithInfo(path.join(root, 'test'), { limitPerClass: o.testPerClass });
  for (const part of [train, test]) {
    if (part.dataset.classes.join() !== CIFAR10_CLASSES.join()) {
      throw new Error(
        `the shipped sample in ${root}: expected classes ${CIFAR10_CLASSES.join(', ')}, found ${part.dataset.classes.join(', ')}`,
      );
    }
  }
  return { train: train.dataset, test: test.dataset };
}

const SOURCE_NAMES: Record<Cifar10SourceKind, string> = {
  'offline-jpeg': 'the full offline JPEG copy',
  'official-binary': 'the official binary release',
  'shipped-sample': 'the sample shipped in the repository (data/cifar10-sample.tar.gz)',
};

/** Loads the CIFAR-10 images a lesson needs from the first source that has them; see the module comment. */
export async function loadLessonCifar10(options: LoadLessonCifar10Options = {}): Promise<LessonCifar10> {
  checkPerClass('trainPerClass', options.trainPerClass, 5000);
  checkPerClass('testPerClass', options.testPerClass, 1000);
  const sources = options.sources ?? ['offline-jpeg', 'official-binary', 'shipped-sample'];
  const passedOver: string[] = [];
  for (const source of sources) {
    let sets: { train: ImageDataset; test: ImageDataset };
    let file = '';
    try {
      if (source === 'offline-jpeg') {
        const archive = findCifar10JpegArchive();
        if (!archive)
          throw new Error(
            `LESSONKIT_DATA_DIR=${setting('LESSONKIT_DATA_DIR') ?? '(unset)'} holds no cifar10-jpeg.tar.gz`,
          );
        const limit = Math.max(options.trainPerClass ?? 5000, options.testPerClass ?? 1000);
        sets = await loadCifar10Jpeg({ archive, limitPerClass: limit < 5000 ? limit : undefined });
        file = ` (${archive})`;
      } else if (source === 'official-binary') {
        if (options.download === false && !fs.existsSync(path.join(datasetCacheDir('cifar10'), 'extracted'))) {
          throw new Error('not in the cache, and downloads are off');
        }
        sets = await loadCifar10({ download: options.download ?? true });
      } else {
        sets = await fromSample(options);
      }
    } catch (err) {
      passedOver.push(`${SOURCE_NAMES[source]}: ${(err as Error).message.split('\n')[0].replace(/\.+$/, '')}`);
      continue;
    }
    const train = options.trainPerClass === undefined ? sets.train : classSlice(sets.train, 0, options.trainPerClass);
    const test = options.testPerClass === undefined ? sets.test : classSlice(sets.test, 0, options.testPerClass);
    const jpeg =
      source === 'official-binary'
        ? ''
        : " It is a JPEG re-encoding: accuracies are close to, not identical with, the official files'.";
    const skipped = passedOver.length ? ` Not used: ${passedOver.join('; ')}.` : '';
    return {
      train,
      test,
      source,
      description: `CIFAR-10 from ${SOURCE_NAMES[source]}: ${perClassPhrase(options)}, ${train.length} training and ${test.length} test images.`,
      details: `Read from ${SOURCE_NAMES[source]}${file}.${jpeg}${skipped}`,
      passedOver,
    };
  }
  throw new Error(
    `loadLessonCifar10: no CIFAR-10 source has ${perClassPhrase(options)}. ${passedOver.map((p) => `${p}.`).join(' ')}`,
  );
}
