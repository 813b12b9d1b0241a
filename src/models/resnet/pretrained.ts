/**
 * Getting a weights file: from the registry (downloaded once into `weightsCacheDir()`, size and sha256 checked on
 * every use) or from a local path, then loading it into a model.
 *
 * The expected sha256 of a download is the registry's when it has one; otherwise it is read from the hub's own Git
 * LFS metadata (`x-linked-etag`, see hub-lfs-metadata.ts) just before downloading. Either way the file is checked
 * before it is kept, and the hash used is recorded next to it (`<file>.verified.json`) and re-checked on every load.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { downloadVerified, setting, verifyFile, weightsCacheDir } from '../../io';
import { HEAD_TIMEOUT_MS, readHubLfsMetadata } from '../weights/hub-lfs-metadata';
import { loadStateDict, type LoadReport } from '../weights/load-state-dict';
import type { ResNetArch } from './resnet-spec';
import { readSidecar, sidecarPath, writeSidecar, type HashSource } from '../weights/verified-sidecar';
import { DEFAULT_WEIGHTS, weightsEntry, type WeightsEntry } from './weights-registry';
import { OptionError, WeightsIntegrityError } from '../../errors';

/** The registry's URLs point here; `baseUrl` swaps this origin for a mirror (or a test server). */
export const HUB_BASE_URL = 'https://huggingface.co';
/** Environment variable that overrides `HUB_BASE_URL` when no `baseUrl` option is given. */
export const WEIGHTS_BASE_URL_ENV = 'LESSONKIT_WEIGHTS_BASE_URL';

export interface FetchWeightsOptions {
  /** Folder for downloaded files. Default: `weightsCacheDir()` (`$LESSONKIT_CACHE/weights`). */
  cacheDir?: string;
  /** Origin (and optional path prefix) that replaces `https://huggingface.co` in registry URLs.
   *  Default: `$LESSONKIT_WEIGHTS_BASE_URL`, else `https://huggingface.co`. */
  baseUrl?: string;
  /** How long the hub may take to answer the metadata request before it counts as unreachable. Default: 30 s. */
  hubTimeoutMs?: number;
}

function resolveFetchOptions(options: FetchWeightsOptions): Required<FetchWeightsOptions> {
  return {
    cacheDir: options.cacheDir ?? weightsCacheDir(),
    baseUrl: options.baseUrl ?? (setting(WEIGHTS_BASE_URL_ENV) || HUB_BASE_URL),
    hubTimeoutMs: options.hubTimeoutMs ?? HEAD_TIMEOUT_MS,
  };
}

/** Where a registry entry's file lives in the cache. */
export function cachedWeightsPath(entry: WeightsEntry, options: FetchWeightsOptions = {}): string {
  return path.join(resolveFetchOptions(options).cacheDir, entry.fileName);
}

/** The URL an entry is fetched from: its registry URL with the hub origin replaced by `baseUrl`. */
export function weightsUrl(entry: WeightsEntry, options: FetchWeightsOptions = {}): string {
  if (!entry.url.startsWith(`${HUB_BASE_URL}/`)) {
    throw new OptionError(`Weights ${entry.name}: expected a URL under ${HUB_BASE_URL}/, found ${entry.url}.`, 'url');
  }
  return resolveFetchOptions(options).baseUrl.replace(/\/+$/, '') + entry.url.slice(HUB_BASE_URL.length);
}

function howToSupply(url: string, dest: string): string {
  return (
    `To use these weights without the kit downloading them, fetch ${url} yourself and either pass its path ` +
    `(weights: '/path/to/model.safetensors') or place it at ${dest}.`
  );
}

/**
 * Returns the local path of an entry's file, downloading and verifying it first when needed. A registry sha256
 * always wins; a hub hash that contradicts it is an error. A file placed in the cache by hand (no sidecar) is
 * checked against the registry's hash when there is one, and otherwise only structurally when it is loaded.
 */
export async function fetchWeights(entry: WeightsEntry, options: FetchWeightsOptions = {}): Promise<string> {
  const dest = cachedWeightsPath(entry, options);
  const url = weightsUrl(entry, options);
  const timeoutMs = resolveFetchOptions(options).hubTimeoutMs;
  return fs.existsSync(dest) ? verifyCachedWeights(entry, dest) : downloadWeights(entry, dest, url, timeoutMs);
}

async function verifyCachedWeights(entry: WeightsEntry, dest: string): Promise<string> {
  const record = readSidecar(dest);
  if (record === null) {
    if (entry.sha256 !== null) await verifyFile(dest, entry.sha256, entry.sizeBytes ?? undefined);
    return dest;
  }
  const retry = `Delete ${dest} and ${sidecarPath(dest)} to download it again.`;
  if (entry.sha256 !== null && record.sha256 !== entry.sha256) {
    throw new WeightsIntegrityError(
      `Weights ${entry.name}: the cached file was verified against sha256 ${record.sha256} (${record.source}), but the ` +
        `registry expects ${entry.sha256}. ${retry}`,
    );
  }
  await verifyFile(dest, record.sha256, record.size).catch((err: Error) => {
    throw new WeightsIntegrityError(
      `Weights ${entry.name}: the cached file no longer matches its record: ${err.message} ${retry}`,
    );
  });
  return dest;
}

async function downloadWeights(entry: WeightsEntry, dest: string, url: string, timeoutMs: number): Promise<string> {
  const offlineHint = `You seem to be offline. ${howToSupply(url, dest)}`;
  const hub = await readHubLfsMetadata(url, offlineHint, timeoutMs);
  let expected: { sha256: string; size: number | undefined; source: HashSource };
  if (entry.sha256 !== null) {
    if (hub.found && hub.sha256 !== entry.sha256) {
      throw new WeightsIntegrityError(
        `Weights ${entry.name}: the registry's sha256 is ${entry.sha256}, but the hub reports ${hub.sha256} for ${url}. ` +
          `The file was not downloaded; the registry entry (${entry.sha256Source}) needs checking.`,
      );
    }
    expected = {
      sha256: entry.sha256,
      size: entry.sizeBytes ?? (hub.found ? hub.size : undefined),
      source: 'registry',
    };
  } else {
    if (!hub.found) {
      throw new WeightsIntegrityError(
        `Weights ${entry.name}: the registry has no sha256 for this file and the hub gave none: ${hub.reason}. ` +
          `The kit does not keep a file it cannot verify. ${howToSupply(url, dest)}`,
      );
    }
    expected = { sha256: hub.sha256, size: hub.size, source: 'hub-lfs-metadata' };
  }
  if (hub.found && entry.sizeBytes !== null && hub.size !== entry.sizeBytes) {
    throw new WeightsIntegrityError(
      `Weights ${entry.name}: the registry's size is ${entry.sizeBytes} bytes, but the hub reports ${hub.size} for ${url}.`,
    );
  }
  // Download beside the final name, record the hash, then rename: a file at `dest` without a sidecar is always one
  // placed by hand, never an interrupted download.
  const staging = `${dest}.download`;
  fs.rmSync(staging, { force: true });
  try {
    await downloadVerified({ url, dest: staging, sha256: expected.sha256, size: expected.size, offlineHint });
    const size = fs.statSync(staging).size;
    writeSidecar(dest, { url, sha256: expected.sha256, size, source: expected.source, date: new Date().toISOString() });
    fs.renameSync(staging, dest);
  } finally {
    fs.rmSync(staging, { force: true });
  }
  return dest;
}

/** Where `locateImagenetWeights` found the file. */
export type WeightsOrigin = 'local file' | 'weights cache' | 'downloaded';

/** The answer of `locateImagenetWeights`: the file and where it came from, or what was tried. */
export type LocatedWeights =
  | { found: true; entry: WeightsEntry; file: string; origin: WeightsOrigin; tried: string[] }
  | { found: false; entry: WeightsEntry; tried: string[] };

export interface LocateWeightsOptions extends FetchWeightsOptions {
  /** A safetensors file the user named. It is used first; a named file that does not exist is an error. */
  file?: string;
  /** Try a download when the cache has no file. Default: true. */
  download?: boolean;
}

/**
 * Finds the ImageNet weights of `arch` (its `DEFAULT_WEIGHTS` entry) without failing when there are none: a file the
 * user named, else the file in the weights cache (checked as `fetchWeights` checks it), else a download (the hub
 * must answer within `hubTimeoutMs`). `found: false` lists what was tried, in words, for a fallback to say why.
 */
export async function locateImagenetWeights(
  arch: ResNetArch,
  options: LocateWeightsOptions = {},
): Promise<LocatedWeights> {
  const entry = weightsEntry(DEFAULT_WEIGHTS[arch]);
  if (options.file) {
    const file = path.resolve(options.file);
    if (!fs.existsSync(file))
      throw new OptionError(`${arch}: the ImageNet weights file ${file} does not exist.`, 'file');
    return { found: true, entry, file, origin: 'local file', tried: [] };
  }
  const dest = cachedWeightsPath(entry, options);
  if (fs.existsSync(dest)) {
    try {
      return { found: true, entry, file: await verifyCachedWeights(entry, dest), origin: 'weights cache', tried: [] };
    } catch (err) {
      return { found: false, entry, tried: [`${dest} failed its check: ${(err as Error).message}`] };
    }
  }
  const tried = [`no ${entry.fileName} in the weights cache (${path.dirname(dest)})`];
  if (options.download === false) return { found: false, entry, tried: [...tried, 'downloading was turned off'] };
  const { hubTimeoutMs } = resolveFetchOptions(options);
  try {
    const file = await downloadWeights(entry, dest, weightsUrl(entry, options), hubTimeoutMs);
    return { found: true, entry, file, origin: 'downloaded', tried };
  } catch (err) {
    return { found: false, entry, tried: [...tried, `no download: ${(err as Error).message}`] };
  }
}

export interface PretrainedLoadOptions extends FetchWeightsOptions {
  /** Whether the model has the `fc` classifier; without it, checkpoint keys `fc.*` are skipped. Default: true. */
  includeTop?: boolean;
}

/** Loads `'imagenet'` (the architecture's default registry entry) or a safetensors path into `model`. */
export async function loadPretrainedWeights(
  model: tf.LayersModel,
  arch: ResNetArch,
  weights: 'imagenet' | string,
  options: PretrainedLoadOptions = {},
): Promise<LoadReport> {
  let file: string;
  if (weights === 'imagenet') {
    file = await fetchWeights(weightsEntry(DEFAULT_WEIGHTS[arch]), options);
  } else {
    file = path.resolve(weights);
    if (!fs.existsSync(file)) {
      throw new OptionError(
        `${arch}: weights file ${file} does not exist (expected null, 'imagenet' or a safetensors path).`,
        'weights',
      );
    }
  }
  const includeTop = options.includeTop ?? true;
  return loadStateDict(model, file, { skipPrefixes: includeTop ? [] : ['fc.'] });
}
