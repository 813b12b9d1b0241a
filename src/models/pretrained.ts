/**
 * Getting a weights file: from the registry (downloaded once into `weightsCacheDir()`, size and sha256 checked on
 * every use) or from a local path, then loading it into a model.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { downloadVerified, weightsCacheDir } from '../io';
import { loadStateDict, type LoadReport } from './load-state-dict';
import type { ResNetArch } from './resnet-spec';
import { DEFAULT_WEIGHTS, weightsEntry, type WeightsEntry } from './weights-registry';

export interface FetchWeightsOptions {
  /** Folder for downloaded files. Default: `weightsCacheDir()` (`$LESSONKIT_CACHE/weights`). */
  cacheDir?: string;
}

/** Where a registry entry's file lives in the cache. */
export function cachedWeightsPath(entry: WeightsEntry, options: FetchWeightsOptions = {}): string {
  return path.join(options.cacheDir ?? weightsCacheDir(), entry.fileName);
}

function howToSupply(entry: WeightsEntry, dest: string): string {
  return (
    `To use these weights without the kit downloading them, fetch ${entry.url} yourself and either pass its path ` +
    `(weights: '/path/to/model.safetensors') or place it at ${dest}.`
  );
}

/** Returns the local path of an entry's file, downloading and verifying it first when needed. */
export async function fetchWeights(entry: WeightsEntry, options: FetchWeightsOptions = {}): Promise<string> {
  const dest = cachedWeightsPath(entry, options);
  if (entry.sha256 === null) {
    if (fs.existsSync(dest)) return dest; // supplied by the user; checked structurally (keys and shapes) on load
    throw new Error(
      `Weights ${entry.name}: the kit has no verified sha256 for this file (${entry.sha256Source}), so it does not ` +
        `download it automatically. ${howToSupply(entry, dest)}`,
    );
  }
  return downloadVerified({
    url: entry.url,
    dest,
    sha256: entry.sha256,
    size: entry.sizeBytes ?? undefined,
    offlineHint: `You seem to be offline. ${howToSupply(entry, dest)}`,
  });
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
      throw new Error(`${arch}: weights file ${file} does not exist (expected null, 'imagenet' or a safetensors path).`);
    }
  }
  const includeTop = options.includeTop ?? true;
  return loadStateDict(model, file, { skipPrefixes: includeTop ? [] : ['fc.'] });
}
