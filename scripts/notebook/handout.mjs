// @ts-check
// Exports an executed notebook as a self-contained HTML handout: the kit's one way to turn a notebook into HTML
// (`jupyter nbconvert --to html` with the `lessonkit` template and LessonkitHtmlPreprocessor, installed by
// `npm run setup`; see python/lessonkit_nbconvert), plus a header with run information (handout-html.mjs).
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { finishHandout } from './handout-html.mjs';
import { cellSource } from './notebook-file.mjs';
import { runInfoOf } from './parameters.mjs';
import { jupyterCommand, NOTEBOOKS_DIR, ROOT } from '../paths.mjs';
import { writeTextAtomic } from './notebook-file.mjs';

/** Size targets the tests and the build check (bytes). */
export const HANDOUT_MAX_BYTES = 5_000_000;
export const NOTEBOOK_MAX_BYTES = 2_000_000;

/** @typedef {import('./notebook-file.mjs').Notebook} Notebook */

/**
 * The handout's title: notebook metadata `title`, else the first `# ` heading of a markdown cell, else `fallback`.
 * @param {Notebook} nb
 * @param {string} fallback
 * @returns {string}
 */
export function notebookTitle(nb, fallback) {
  if (typeof nb.metadata?.title === 'string' && nb.metadata.title.trim()) return nb.metadata.title.trim();
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'markdown') continue;
    const line = cellSource(cell)
      .split('\n')
      .find((l) => /^#\s+\S/.test(l));
    if (line) return line.replace(/^#\s+/, '').replace(/[*_`]/g, '').trim();
  }
  return fallback;
}

/** This checkout's nbconvert extension: its Python package folder and its templates folder. */
const PYTHON_DIR = path.join(ROOT, 'python');
const TEMPLATES_DIR = path.join(PYTHON_DIR, 'lessonkit_nbconvert', 'templates');

/**
 * `jupyter nbconvert --to html` on the notebook object, in `cwd` (relative markdown images are read from there).
 * The template is named, so a user's own default cannot change handouts; the export itself is the stock one that
 * `npm run setup` configured, except that the `lessonkit` template and `lessonkit_nbconvert` are this checkout's
 * (its templates folder first, its python/ first on PYTHONPATH), so a handout never comes out of an older copy that
 * setup installed into a shared environment. The template drops cells tagged `hide-handout` and folds cells tagged
 * `solution` into a <details> element (python/lessonkit_nbconvert/templates/lessonkit/index.html.j2).
 * `--embed-images` puts markdown images into the page.
 * @param {Notebook} nb
 * @param {{ cwd?: string, jupyter?: string }} [options]
 * @returns {Promise<string>} the HTML
 */
export function exportHtml(nb, { cwd = NOTEBOOKS_DIR, jupyter = jupyterCommand() } = {}) {
  const args = [
    'nbconvert',
    '--stdin',
    '--stdout',
    '--to',
    'html',
    '--template',
    'lessonkit',
    `--TemplateExporter.extra_template_basedirs=${TEMPLATES_DIR}`,
    '--embed-images',
  ];
  const pythonPath = [PYTHON_DIR, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
  return new Promise((resolve, reject) => {
    const child = spawn(jupyter, args, {
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONPATH: pythonPath },
    });
    /** @type {Buffer[]} */
    const out = [];
    /** @type {Buffer[]} */
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', (e) => reject(new Error(`could not start jupyter nbconvert: ${e.message}`)));
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else if (/No template sub-directory with name 'lessonkit'|No module named 'lessonkit_nbconvert'/.test(stderr)) {
        reject(
          new Error(
            `the lessonkit HTML export is not installed for ${jupyter}; run \`npm run setup\`.\n${stderr.slice(-1500)}`,
          ),
        );
      } else reject(new Error(`nbconvert --to html failed (exit ${code}):\n${stderr.slice(-3000)}`));
    });
    child.stdin.end(JSON.stringify(nb));
  });
}

/**
 * Options for `exportHandout`.
 * @typedef {object} HandoutOptions
 * @property {string} output        the .html file to write (atomically).
 * @property {string} name          the notebook's name (title fallback, error messages).
 * @property {string} [source]      the source notebook shown in the header. Default: not shown.
 * @property {string} [cwd]         folder relative markdown images are read from. Default: notebooks/.
 * @property {string} [executedAt]  shown in the header. Default: not shown.
 */

/**
 * Exports the executed notebook `nb` to a handout. Resolves to `{ output, ...measureHandout }` (bytes, and how many
 * of them are plotly.js, MathJax, images and the page; charts; library counts; external sources).
 * @param {Notebook} nb
 * @param {HandoutOptions} options
 */
export async function exportHandout(nb, options) {
  const run = runInfoOf(nb);
  if (!run) {
    throw new Error(
      `${options.name}: the executed notebook has no "lessonkit run:" line; execute it with scripts/lessons.mjs first`,
    );
  }
  const title = notebookTitle(nb, options.name);
  const html = await exportHtml({ ...nb, metadata: { ...nb.metadata, title } }, { cwd: options.cwd ?? NOTEBOOKS_DIR });
  const info = {
    title,
    profile: run.profile,
    engine: run.engine,
    executedAt: options.executedAt,
    source: options.source,
  };
  const { html: done, ...measured } = finishHandout(html, info);
  writeTextAtomic(options.output, done);
  return { output: options.output, ...measured };
}
