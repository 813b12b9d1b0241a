/**
 * The decoded-image cache: one uint8 pixel file plus a JSON manifest per source folder, under `decodedCacheDir()`.
 * An entry is written as a whole folder, atomically, and is valid only while the source's fingerprint (its file
 * list, sizes and modification times, plus the decode options) is unchanged.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeDirAtomic } from '../io';
import type { ImageStore } from './image-dataset';

const FORMAT_VERSION = 1;
const PIXELS_FILE = 'pixels.u8';
const MANIFEST_FILE = 'manifest.json';

export interface CacheManifest {
  version: number;
  source: string;
  fingerprint: string;
  count: number;
  height: number;
  width: number;
  channels: number;
  classes: string[];
  labels: number[];
  /** Image files, relative to `source`. */
  files: string[];
}

export interface FileStamp {
  /** Path relative to the source folder. */
  file: string;
  size: number;
  mtimeMs: number;
}

/** sha256 over the file list, sizes, modification times and the decode options. */
export function fingerprintOf(stamps: FileStamp[], options: unknown): string {
  const hash = crypto.createHash('sha256');
  hash.update(JSON.stringify(options));
  for (const s of stamps) hash.update(`\n${s.file}\t${s.size}\t${s.mtimeMs}`);
  return hash.digest('hex');
}

/** The cache folder of one source folder and option set. */
export function cacheEntryDir(cacheDir: string, source: string, options: unknown): string {
  const key = crypto
    .createHash('sha256')
    .update(JSON.stringify([path.resolve(source), options]))
    .digest('hex')
    .slice(0, 20);
  return path.join(cacheDir, `imagefolder-${path.basename(source)}-${key}`);
}

/** The cached store, or undefined when the entry is missing, stale or unreadable (it is then rebuilt). */
export function readCachedStore(entry: string, fingerprint: string): ImageStore | undefined {
  let manifest: CacheManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(entry, MANIFEST_FILE), 'utf8')) as CacheManifest;
  } catch {
    return undefined;
  }
  if (manifest.version !== FORMAT_VERSION || manifest.fingerprint !== fingerprint) return undefined;
  const pixels = fs.readFileSync(path.join(entry, PIXELS_FILE));
  if (pixels.length !== manifest.count * manifest.height * manifest.width * manifest.channels) return undefined;
  return {
    pixels: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.length),
    labels: Int32Array.from(manifest.labels),
    height: manifest.height,
    width: manifest.width,
    channels: manifest.channels,
    classes: manifest.classes,
    source: manifest.source,
    files: manifest.files.map((f) => path.join(manifest.source, f)),
  };
}

/** Writes `store` as a cache entry (pixels + manifest), replacing the old entry atomically. */
export async function writeCachedStore(entry: string, fingerprint: string, store: ImageStore): Promise<void> {
  const manifest: CacheManifest = {
    version: FORMAT_VERSION,
    source: store.source,
    fingerprint,
    count: store.labels.length,
    height: store.height,
    width: store.width,
    channels: store.channels,
    classes: store.classes,
    labels: Array.from(store.labels),
    files: (store.files ?? []).map((f) => path.relative(store.source, f)),
  };
  await writeDirAtomic(entry, (tmp) => {
    fs.writeFileSync(path.join(tmp, PIXELS_FILE), store.pixels);
    fs.writeFileSync(path.join(tmp, MANIFEST_FILE), JSON.stringify(manifest));
  });
}
