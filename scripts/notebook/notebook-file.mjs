// Reading, listing and writing .ipynb files. Writes go to a temporary file first, then a rename.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NOTEBOOKS_DIR } from './paths.mjs';

/** Reads and checks a notebook (nbformat 4). */
export function readNotebook(file) {
  let nb;
  try {
    nb = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: expected a notebook (JSON), could not read it: ${err.message}`);
  }
  if (nb?.nbformat !== 4 || !Array.isArray(nb.cells)) {
    throw new Error(`${file}: expected nbformat 4 with a cells array, got nbformat ${JSON.stringify(nb?.nbformat)}`);
  }
  return nb;
}

/** The text of a cell's source (nbformat allows a string or a list of lines). */
export function cellSource(cell) {
  return Array.isArray(cell.source) ? cell.source.join('') : String(cell.source ?? '');
}

/** The cell's tags (empty when it has none). */
export function cellTags(cell) {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) ? tags : [];
}

/** Writes text atomically: a temporary file beside the target, then a rename. */
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

/** Writes a notebook the way Jupyter does (1-space indent, trailing newline), atomically. */
export function writeNotebook(file, nb) {
  writeTextAtomic(file, `${JSON.stringify(nb, null, 1)}\n`);
}

/** The notebook's name without folder and extension: `notebooks/01-x.ipynb` -> `01-x`. */
export function notebookName(file) {
  return path.basename(file, '.ipynb');
}

/**
 * The lesson notebooks in `dir`, sorted by name; with `names`, only those (each given as `01-x`, `01-x.ipynb`, or a
 * unique prefix such as `01`). An unknown or ambiguous name is an error that lists what exists.
 */
export function listNotebooks(names = [], dir = NOTEBOOKS_DIR) {
  const all = fs.existsSync(dir)
    ? fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb') && !f.startsWith('.')).sort().map((f) => path.join(dir, f))
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
