// @ts-check
// Stored reference outputs: test/notebooks/references/<notebook>.json, made by `node scripts/regress.mjs --update`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeTextAtomic } from '../notebook-file.mjs';
import { runInfoOf } from '../parameters.mjs';
import { REFERENCES_DIR } from '../../paths.mjs';
import { compareNotebook } from './compare.mjs';
import { readPolicy } from './policy.mjs';
import { summarizeNotebook } from './summarize.mjs';

/** The profile every reference is made with. */
export const REFERENCE_PROFILE = 'ci';
export const UPDATE_COMMAND = 'node scripts/regress.mjs --update <notebook>';

/**
 * @param {string} name
 * @param {string} [dir]
 */
export function referencePath(name, dir = REFERENCES_DIR) {
  return path.join(dir, `${name}.json`);
}

/**
 * The stored reference of `name`, or undefined when there is none.
 * @param {string} name
 * @param {string} [dir]
 * @returns {any}
 */
export function readReference(name, dir = REFERENCES_DIR) {
  const file = referencePath(name, dir);
  if (!fs.existsSync(file)) return undefined;
  const ref = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(ref.cells))
    throw new Error(`${file}: expected a reference with a cells array; regenerate it with ${UPDATE_COMMAND}`);
  return ref;
}

/**
 * Stores the summary of an executed notebook as the new reference (no timestamps, so diffs stay small).
 * @param {string} name
 * @param {import('../notebook-file.mjs').Notebook} executed
 * @param {string} [dir]
 * @returns {string} the reference file
 */
export function writeReference(name, executed, dir = REFERENCES_DIR) {
  const run = runInfoOf(executed);
  const { cells } = summarizeNotebook(executed, name);
  const reference = {
    notebook: name,
    profile: run?.profile ?? REFERENCE_PROFILE,
    regenerate: UPDATE_COMMAND.replace('<notebook>', name),
    cells,
  };
  writeTextAtomic(referencePath(name, dir), `${JSON.stringify(reference, null, 1)}\n`);
  return referencePath(name, dir);
}

/**
 * Compares an executed notebook with its reference. Returns the problems (empty: it passes).
 * @param {string} name
 * @param {import('../notebook-file.mjs').Notebook} executed
 * @param {{ dir?: string, policy?: import('./policy.mjs').Policy }} [options]
 */
export function checkAgainstReference(name, executed, { dir = REFERENCES_DIR, policy = readPolicy() } = {}) {
  const reference = readReference(name, dir);
  if (!reference) {
    return [
      {
        where: name,
        lines: [
          `no reference at ${path.relative(process.cwd(), referencePath(name, dir))}; make one deliberately with ${UPDATE_COMMAND.replace('<notebook>', name)}`,
        ],
      },
    ];
  }
  return compareNotebook({ name, reference, summary: summarizeNotebook(executed, name), executed, policy });
}
