/**
 * The one place that says where data, weights, decoded caches and checkpoints live.
 *
 * Resolution order for the cache root: `LESSONKIT_CACHE`, then `$XDG_CACHE_HOME/lessonkit`, then `~/.cache/lessonkit`.
 * Offline copies of data sets (for example `../shared/datasets` in CI) are named by `LESSON_DATA_DIR`.
 */
import * as os from 'node:os';
import * as path from 'node:path';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LESSONKIT_CACHE) return path.resolve(env.LESSONKIT_CACHE);
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
  const root = env.LESSONKIT_CHECKPOINTS
    ? path.resolve(env.LESSONKIT_CHECKPOINTS)
    : path.join(cacheRoot(env), 'checkpoints');
  return path.join(root, run);
}

/** The folder of offline data-set copies (`LESSON_DATA_DIR`), or undefined when none is configured. */
export function offlineDataDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.LESSON_DATA_DIR ? path.resolve(env.LESSON_DATA_DIR) : undefined;
}
