// @ts-check
// One notebook through the pipeline: inject parameters, execute under the lesson kernel, keep the executed copy.
import * as path from 'node:path';
import { executeNotebook } from './execute.mjs';
import { notebookName, readNotebook, writeNotebook } from './notebook-file.mjs';
import { injectParameters } from './parameters.mjs';
import { BUILD_DIR } from '../paths.mjs';

/**
 * Where the executed copy of `name` goes for `profile`.
 * @param {string} name
 * @param {string} profile
 */
export function executedPath(name, profile, buildDir = BUILD_DIR) {
  return path.join(buildDir, profile, `${name}.ipynb`);
}

/**
 * Options for `runNotebook`.
 * @typedef {object} RunOptions
 * @property {string} profile       the lesson profile (`ci` or `full`), injected as PROFILE.
 * @property {string} [buildDir]    root of the executed copies. Default: build/notebooks.
 * @property {string} [kernel]      kernel name. Default: LESSONKIT_KERNEL, else `lessonkit`.
 * @property {(line: string) => void} [log]  progress lines. Default: none.
 */

/**
 * The kernel settings a notebook asks for in its metadata (`metadata.lessonkit.threads`: the `LESSONKIT_THREADS`
 * layout its kernel should start with, e.g. `recurrent` for the RNN lesson). The caller's environment wins.
 * @param {import('./notebook-file.mjs').Notebook} nb
 * @returns {Record<string, string>}
 */
export function notebookEnv(nb, env = process.env) {
  const threads = /** @type {{ lessonkit?: { threads?: unknown } }} */ (nb.metadata ?? {}).lessonkit?.threads;
  if (threads === undefined || env.LESSONKIT_THREADS) return {};
  if (threads !== 'default' && threads !== 'recurrent')
    throw new Error(
      `notebook metadata lessonkit.threads: expected 'default' or 'recurrent'. Received: ${JSON.stringify(threads)}.`,
    );
  return { LESSONKIT_THREADS: threads };
}

/**
 * Executes `file` with the profile; writes and returns `{ name, executed, output, seconds }`.
 * @param {string} file
 * @param {RunOptions} options
 */
export async function runNotebook(file, options) {
  const name = notebookName(file);
  const { notebook, warning } = injectParameters(readNotebook(file), { PROFILE: options.profile });
  if (warning) options.log?.(`  ! ${name}: ${warning}`);
  const started = Date.now();
  const executed = await executeNotebook(notebook, {
    kernel: options.kernel,
    cwd: path.dirname(file),
    label: `${name}.ipynb (profile ${options.profile})`,
    env: { LESSONKIT_PROFILE: options.profile, ...notebookEnv(notebook) },
  });
  const output = executedPath(name, options.profile, options.buildDir);
  writeNotebook(output, executed);
  return { name, executed, output, seconds: (Date.now() - started) / 1000 };
}
