/**
 * The one place that says where data, weights, decoded caches and checkpoints live.
 *
 * Resolution order for the cache root: `LESSONKIT_CACHE`, then `$XDG_CACHE_HOME/lessonkit`, then `~/.cache/lessonkit`.
 * Offline copies of data sets (for example `../shared/datasets` in CI) are named by `LESSONKIT_DATA_DIR`.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { setting } from './settings';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const cache = setting('LESSONKIT_CACHE', env);
  if (cache) return path.resolve(cache);
  const xdg = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache');
  return path.join(xdg, 'lessonkit');
}

/** Downloaded and extracted data sets: `<cache>/datasets/<name>`. */
export function datasetCacheDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheRoot(env), 'datasets', name);
}

/** Decoded tensor caches (for example decoded JPEG folders): `<cache>/decoded`. */
export function decodedCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheRoot(env), 'decoded');
}

/** Pretrained weight files: `<cache>/weights`. */
export function weightsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheRoot(env), 'weights');
}

/** Training checkpoints: `LESSONKIT_CHECKPOINTS`, else `<cache>/checkpoints/<run>`. */
export function checkpointDir(run: string, env: NodeJS.ProcessEnv = process.env): string {
  const named = setting('LESSONKIT_CHECKPOINTS', env);
  const root = named ? path.resolve(named) : path.join(cacheRoot(env), 'checkpoints');
  return path.join(root, run);
}

/** The folder of offline data-set copies (`LESSONKIT_DATA_DIR`), or undefined when none is configured. */
export function offlineDataDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = setting('LESSONKIT_DATA_DIR', env);
  return dir ? path.resolve(dir) : undefined;
}
