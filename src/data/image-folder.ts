/**
 * Image folders, like torchvision's `ImageFolder`: `root/<class>/<image>.jpg|png`, classes in sorted folder order.
 * Images are decoded on the native backend, and the decoded pixels are cached (see `decoded-cache.ts`) so that a
 * second load reads one binary file instead of decoding every image again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodedCacheDir } from '../io';
import { cacheEntryDir, fingerprintOf, readCachedStore, writeCachedStore, type FileStamp } from './decoded-cache';
import { decodeImageBytes } from './decode';
import { ImageDataset, type ImageStore } from './image-dataset';
import { DataFormatError, OptionError } from '../errors';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png']);

export interface ImageFolderOptions {
  /** 3 for RGB (grayscale images are replicated) or 1 for grayscale. Default 3. */
  channels?: 1 | 3;
  /** Resize every image to `[height, width]` while decoding (bilinear). Default: none; all images must then share one size. */
  size?: [number, number];
  /** Keep at most this many images per class, the first in file-name order. Default: all. */
  limitPerClass?: number;
  /** Read and write the decoded cache. Default true. */
  cache?: boolean;
  /** Where the decoded cache lives. Default `decodedCacheDir()`. */
  cacheDir?: string;
}

/** What `loadImageFolder` did, for benchmarks and logs. */
export interface ImageFolderLoadInfo {
  fromCache: boolean;
  /** Cache entry folder (undefined when caching is off). */
  cacheEntry?: string;
}

interface Listing {
  classes: string[];
  files: string[];
  labels: number[];
  stamps: FileStamp[];
}

function listImageFolder(root: string, limitPerClass: number): Listing {
  if (!fs.existsSync(root))
    throw new OptionError(`Image folder ${root} does not exist; expected a folder with one sub-folder per class.`);
  if (!fs.statSync(root).isDirectory())
    throw new OptionError(`Image folder ${root} is a file; expected a folder with one sub-folder per class.`);
  const classes = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
  if (classes.length === 0)
    throw new DataFormatError(`Image folder ${root}: expected one sub-folder per class, found none.`);
  const listing: Listing = { classes, files: [], labels: [], stamps: [] };
  classes.forEach((cls, label) => {
    const dir = path.join(root, cls);
    const names = fs
      .readdirSync(dir)
      .filter((n) => !n.startsWith('.') && IMAGE_EXTENSIONS.has(path.extname(n).toLowerCase()))
      .sort()
      .slice(0, limitPerClass);
    if (names.length === 0) {
      throw new DataFormatError(
        `Image folder ${root}: class folder ${dir} is empty; expected at least one .jpg, .jpeg or .png image.`,
      );
    }
    for (const name of names) {
      const file = path.join(dir, name);
      const stat = fs.statSync(file);
      listing.files.push(file);
      listing.labels.push(label);
      listing.stamps.push({ file: path.join(cls, name), size: stat.size, mtimeMs: stat.mtimeMs });
    }
  });
  return listing;
}

function decodeAll(root: string, listing: Listing, channels: 1 | 3, size?: [number, number]): ImageStore {
  let pixels: Uint8Array | undefined;
  let shape: [number, number] | undefined;
  listing.files.forEach((file, i) => {
    const image = decodeImageBytes(fs.readFileSync(file), file, channels, size);
    if (!shape || !pixels) {
      shape = [image.height, image.width];
      pixels = new Uint8Array(listing.files.length * image.pixels.length);
    } else if (image.height !== shape[0] || image.width !== shape[1]) {
      throw new DataFormatError(
        `Image folder ${root}: ${file} is ${image.height}x${image.width}, expected ${shape[0]}x${shape[1]} like ` +
          `${listing.files[0]}. Pass { size: [h, w] } to resize while loading.`,
      );
    }
    pixels.set(image.pixels, i * image.pixels.length);
  });
  return {
    pixels: pixels!,
    labels: Int32Array.from(listing.labels),
    height: shape![0],
    width: shape![1],
    channels,
    classes: listing.classes,
    source: root,
    files: listing.files,
  };
}

/** Loads a class-per-folder image set, using the decoded cache when it is still valid. */
export async function loadImageFolder(root: string, options: ImageFolderOptions = {}): Promise<ImageDataset> {
  return (await loadImageFolderWithInfo(root, options)).dataset;
}

/** `loadImageFolder`, also saying whether the cache served the images. */
export async function loadImageFolderWithInfo(
  root: string,
  options: ImageFolderOptions = {},
): Promise<{ dataset: ImageDataset; info: ImageFolderLoadInfo }> {
  const channels = options.channels ?? 3;
  const size = options.size;
  const limitPerClass = options.limitPerClass ?? Number.POSITIVE_INFINITY;
  const useCache = options.cache ?? true;
  const cacheDir = options.cacheDir ?? decodedCacheDir();
  const resolved = path.resolve(root);
  const listing = listImageFolder(resolved, limitPerClass);
  const decodeOptions = {
    channels,
    size: size ?? null,
    limitPerClass: Number.isFinite(limitPerClass) ? limitPerClass : null,
  };
  if (!useCache)
    return { dataset: new ImageDataset(decodeAll(resolved, listing, channels, size)), info: { fromCache: false } };
  const fingerprint = fingerprintOf(listing.stamps, decodeOptions);
  const entry = cacheEntryDir(cacheDir, resolved, decodeOptions);
  const cached = readCachedStore(entry, fingerprint);
  if (cached) return { dataset: new ImageDataset(cached), info: { fromCache: true, cacheEntry: entry } };
  const store = decodeAll(resolved, listing, channels, size);
  await writeCachedStore(entry, fingerprint, store);
  return { dataset: new ImageDataset(store), info: { fromCache: false, cacheEntry: entry } };
}
