/**
 * CIFAR-10, official binary release (https://www.cs.toronto.edu/~kriz/cifar.html): `data_batch_1..5.bin` and
 * `test_batch.bin`, each record 1 label byte then 3,072 pixel bytes (1,024 R, then G, then B; row-major 32x32).
 * Records are converted to channels-last `[32, 32, 3]` images. `download: true` fetches the official archive into
 * `datasetCacheDir('cifar10')`, checks size and sha256, and extracts it atomically.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetCacheDir, downloadVerified } from '../io';
import { extractTarGzAtomic } from './extract';
import { ImageDataset } from './image-dataset';
import { DataFormatError } from '../errors';

export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];
export const CIFAR10_SIDE = 32;
/** Bytes per record: 1 label byte + 3 planes of 32x32. */
export const CIFAR10_RECORD_BYTES = 1 + 3 * CIFAR10_SIDE * CIFAR10_SIDE;
export const CIFAR10_TRAIN_FILES = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
];
export const CIFAR10_TEST_FILES = ['test_batch.bin'];

export interface ArchiveSpec {
  url: string;
  /** sha256 of the archive (hex). */
  sha256: string;
  /** Size in bytes. */
  size: number;
  /** Folder inside the archive that holds the `.bin` files. */
  folder: string;
}

/**
 * The official binary archive. Its md5 (published on the CIFAR-10 page) is c32a1d4ab5d03f1284b67883e8d87530; the
 * sha256 and size are the ones TensorFlow Datasets records for the same URL.
 */
export const CIFAR10_BINARY_ARCHIVE: ArchiveSpec = {
  url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
  sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd',
  size: 170052171,
  folder: 'cifar-10-batches-bin',
};

/** Reads CIFAR-10 binary files (records of 3,073 bytes) into one `ImageDataset` of `32x32x3` images. */
export function readCifar10Binary(files: string[]): ImageDataset {
  const chunks: Buffer[] = [];
  for (const file of files) {
    if (!fs.existsSync(file))
      throw new DataFormatError(`CIFAR-10: expected the binary file ${file}, found nothing there.`);
    const bytes = fs.readFileSync(file);
    if (bytes.length === 0 || bytes.length % CIFAR10_RECORD_BYTES !== 0) {
      throw new DataFormatError(
        `CIFAR-10 file ${file}: expected a whole number of ${CIFAR10_RECORD_BYTES}-byte records, found ${bytes.length} bytes ` +
          `(${Math.floor(bytes.length / CIFAR10_RECORD_BYTES)} records and ${bytes.length % CIFAR10_RECORD_BYTES} extra bytes; truncated?).`,
      );
    }
    chunks.push(bytes);
  }
  const count = chunks.reduce((n, c) => n + c.length / CIFAR10_RECORD_BYTES, 0);
  const plane = CIFAR10_SIDE * CIFAR10_SIDE;
  const pixels = new Uint8Array(count * 3 * plane);
  const labels = new Int32Array(count);
  let n = 0;
  chunks.forEach((bytes, f) => {
    for (let r = 0; r < bytes.length; r += CIFAR10_RECORD_BYTES, n++) {
      const label = bytes[r];
      if (label > 9)
        throw new DataFormatError(
          `CIFAR-10 file ${files[f]}: record ${r / CIFAR10_RECORD_BYTES} has label ${label}; expected 0..9.`,
        );
      labels[n] = label;
      const out = n * 3 * plane;
      for (let p = 0; p < plane; p++) {
        pixels[out + 3 * p] = bytes[r + 1 + p];
        pixels[out + 3 * p + 1] = bytes[r + 1 + plane + p];
        pixels[out + 3 * p + 2] = bytes[r + 1 + 2 * plane + p];
      }
    }
  });
  return new ImageDataset({
    pixels,
    labels,
    height: CIFAR10_SIDE,
    width: CIFAR10_SIDE,
    channels: 3,
    classes: CIFAR10_CLASSES,
    source: files.length === 1 ? files[0] : path.dirname(files[0]),
  });
}

export interface LoadCifar10Options {
  /** Folder holding the `.bin` files. Default: `<datasetCacheDir('cifar10')>/cifar-10-batches-bin`. */
  dir?: string;
  /** Download and extract the official archive when the files are missing. Default false. */
  download?: boolean;
  /** The archive to download. Default `CIFAR10_BINARY_ARCHIVE` (the official one). */
  archive?: ArchiveSpec;
}

/** Loads CIFAR-10 train (50,000) and test (10,000) from the official binary files. */
export async function loadCifar10(
  options: LoadCifar10Options = {},
): Promise<{ train: ImageDataset; test: ImageDataset }> {
  const archive = options.archive ?? CIFAR10_BINARY_ARCHIVE;
  const cache = datasetCacheDir('cifar10');
  const dir = options.dir ?? path.join(cache, 'extracted', archive.folder);
  const download = options.download ?? false;
  const present = [...CIFAR10_TRAIN_FILES, ...CIFAR10_TEST_FILES].every((f) => fs.existsSync(path.join(dir, f)));
  if (!present && download && !options.dir) {
    const file = await downloadVerified({
      url: archive.url,
      dest: path.join(cache, path.basename(new URL(archive.url).pathname)),
      sha256: archive.sha256,
      size: archive.size,
      offlineHint: `Offline? Put the extracted .bin files in a folder and pass { dir }.`,
    });
    await extractTarGzAtomic(file, path.join(cache, 'extracted'));
  } else if (!present) {
    throw new DataFormatError(
      `loadCifar10: expected ${[...CIFAR10_TRAIN_FILES, ...CIFAR10_TEST_FILES].join(', ')} in ${dir}, found ` +
        (fs.existsSync(dir) ? 'some missing' : 'no such folder') +
        '. Pass { download: true } (online), or use loadCifar10Jpeg() for the offline JPEG copy.',
    );
  }
  return {
    train: readCifar10Binary(CIFAR10_TRAIN_FILES.map((f) => path.join(dir, f))),
    test: readCifar10Binary(CIFAR10_TEST_FILES.map((f) => path.join(dir, f))),
  };
}
