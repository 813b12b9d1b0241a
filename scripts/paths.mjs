// @ts-check
// The scripts' one paths module: the repository root, where the tooling reads and writes, and which Jupyter and
// kernel it uses.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setting } from './settings.mjs';

/**
 * The repository root: the nearest folder above this file whose package.json is lessonkit's. (The tests load a
 * compiled copy of the scripts from dist/scripts/, so the root is looked up, not counted in levels.)
 */
export const ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

/** @param {string} dir */
function findRoot(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    const pkg = path.join(d, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'lessonkit') return d;
    if (path.dirname(d) === d) throw new Error(`no lessonkit package.json above ${dir}`);
  }
}
/** The committed lesson notebooks (sources, kept free of outputs). */
export const NOTEBOOKS_DIR = path.join(ROOT, 'notebooks');
/** Executed notebooks: build/notebooks/<profile>/<name>.ipynb (gitignored). */
export const BUILD_DIR = path.join(ROOT, 'build', 'notebooks');
/** Exported HTML handouts (gitignored). */
export const HANDOUTS_DIR = path.join(ROOT, 'handouts');
/** Stored reference outputs and the tolerance policy of the regression tests. */
export const REFERENCES_DIR = path.join(ROOT, 'test', 'notebooks', 'references');
export const TOLERANCES_FILE = path.join(ROOT, 'test', 'notebooks', 'tolerances.json');
/** Screenshots and other files the browser tests keep (gitignored). */
export const ARTIFACTS_DIR = path.join(ROOT, 'test-artifacts');

/**
 * The `jupyter` command: the LESSONKIT_JUPYTER environment variable, else the project's virtual environment
 * (.venv/bin/jupyter, made by `npm run setup` where conda is absent), else `jupyter` on PATH (conda, Binder).
 */
export function jupyterCommand(env = process.env) {
  const named = setting('LESSONKIT_JUPYTER', env);
  if (named) return named;
  const venv = path.join(ROOT, '.venv', 'bin', 'jupyter');
  return fs.existsSync(venv) ? venv : 'jupyter';
}

/** The kernel that runs the lessons: LESSONKIT_KERNEL, else `lessonkit` (installed by `npm run setup`). */
export function kernelName(env = process.env) {
  return setting('LESSONKIT_KERNEL', env)?.trim() || 'lessonkit';
}

/** Seconds one cell may run before nbconvert gives up: LESSONKIT_CELL_TIMEOUT, else 1200. */
export function cellTimeoutSeconds(env = process.env) {
  const raw = setting('LESSONKIT_CELL_TIMEOUT', env);
  if (raw === undefined || raw === '') return 1200;
  const n = Number(raw);
  if (!Number.isInteger(n) || n === 0 || n < -1) {
    throw new Error(
      `LESSONKIT_CELL_TIMEOUT: expected a positive whole number of seconds (or -1 for none), got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/**
 * Offline data copies for the lessons: LESSONKIT_DATA_DIR when set, else `../shared/datasets` beside the checkout (the
 * layout of the project's developer machines and CI) when it exists, else undefined (online users: the lessons
 * download what they need).
 */
export function lessonDataDir(env = process.env) {
  const named = setting('LESSONKIT_DATA_DIR', env);
  if (named) return named;
  const shared = path.resolve(ROOT, '..', 'shared', 'datasets');
  return fs.existsSync(shared) ? shared : undefined;
}
