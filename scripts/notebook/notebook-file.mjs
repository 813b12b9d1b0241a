// @ts-check
// Reading, listing and writing .ipynb files. Writes go to a temporary file first, then a rename.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NOTEBOOKS_DIR } from '../paths.mjs';

/**
 * One output of a code cell (nbformat 4).
 * @typedef {object} Output
 * @property {string} output_type
 * @property {string} [name]
 * @property {string | string[]} [text]
 * @property {Record<string, unknown>} [data]
 * @property {Record<string, unknown>} [metadata]
 * @property {string} [ename]
 * @property {string} [evalue]
 * @property {string[]} [traceback]
 * @property {number | null} [execution_count]
 */
/**
 * A notebook cell (nbformat 4).
 * @typedef {object} Cell
 * @property {'code' | 'markdown' | 'raw'} cell_type
 * @property {string} [id]
 * @property {string | string[]} source
 * @property {{ tags?: string[] } & Record<string, unknown>} metadata
 * @property {Output[]} [outputs]
 * @property {number | null} [execution_count]
 */
/**
 * A notebook (nbformat 4).
 * @typedef {object} Notebook
 * @property {number} nbformat
 * @property {number} nbformat_minor
 * @property {Record<string, unknown>} metadata
 * @property {Cell[]} cells
 */

/**
 * Reads and checks a notebook (nbformat 4).
 * @param {string} file
 * @returns {Notebook}
 */
export function readNotebook(file) {
  /** @type {any} */
  let nb;
  try {
    nb = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: expected a notebook (JSON), could not read it: ${/** @type {Error} */ (err).message}`);
  }
  if (nb?.nbformat !== 4 || !Array.isArray(nb.cells)) {
    throw new Error(`${file}: expected nbformat 4 with a cells array, got nbformat ${JSON.stringify(nb?.nbformat)}`);
  }
  return nb;
}

/**
 * The text of a cell's source (nbformat allows a string or a list of lines).
 * @param {Cell} cell
 */
export function cellSource(cell) {
  return Array.isArray(cell.source) ? cell.source.join('') : String(cell.source ?? '');
}

/**
 * The cell's tags (empty when it has none).
 * @param {Cell} cell
 * @returns {string[]}
 */
export function cellTags(cell) {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) ? tags : [];
}

/**
 * Writes text atomically: a temporary file beside the target, then a rename.
 * @param {string} file
 * @param {string} text
 */
export function writeTextAtomic(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes a notebook the way Jupyter does (1-space indent, trailing newline), atomically.
 * @param {string} file
 * @param {Notebook} nb
 */
export function writeNotebook(file, nb) {
  writeTextAtomic(file, `${JSON.stringify(nb, null, 1)}\n`);
}

/**
 * The notebook's name without folder and extension: `notebooks/01-x.ipynb` -> `01-x`.
 * @param {string} file
 */
export function notebookName(file) {
  return path.basename(file, '.ipynb');
}

/**
 * The lesson notebooks in `dir`, sorted by name; with `names`, only those (each given as `01-x`, `01-x.ipynb`, or a
 * unique prefix such as `01`). An unknown or ambiguous name is an error that lists what exists.
 * @param {string[]} [names]
 * @param {string} [dir]
 * @returns {string[]}
 */
export function listNotebooks(names = [], dir = NOTEBOOKS_DIR) {
  const all = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.ipynb') && !f.startsWith('.'))
        .sort()
        .map((f) => path.join(dir, f))
    : [];
  if (names.length === 0) return all;
  return names.map((wanted) => {
    const key = path.basename(wanted, '.ipynb');
    const exact = all.filter((f) => notebookName(f) === key);
    const matches = exact.length ? exact : all.filter((f) => notebookName(f).startsWith(key));
    if (matches.length !== 1) {
      const found = all.map(notebookName).join(', ') || 'none';
      const problem = matches.length ? `is ambiguous (${matches.map(notebookName).join(', ')})` : 'matches no notebook';
      throw new Error(`Notebook ${JSON.stringify(wanted)} ${problem} in ${dir}; notebooks there: ${found}`);
    }
    return matches[0];
  });
}
