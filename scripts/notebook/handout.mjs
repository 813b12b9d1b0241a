// Exports an executed notebook as a self-contained HTML handout (nbconvert `lab` template + handout-html.mjs).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { finishHandout, mathJaxScriptTags, plotlyScriptTag } from './handout-html.mjs';
import { cellSource } from './notebook-file.mjs';
import { runInfoOf } from './parameters.mjs';
import { jupyterCommand, NOTEBOOKS_DIR, ROOT } from './paths.mjs';
import { writeTextAtomic } from './notebook-file.mjs';

/**
 * The plotly.js <script> element the handouts include once: from LESSON_PLOTLY_JS (a file) when set, else the
 * library's own tag (src/viz/plotly-document.ts: the pinned `plotly.js-dist` the charts are built for).
 */
export function plotlyTag(env = process.env) {
  if (env.LESSON_PLOTLY_JS) return plotlyScriptTag(fs.readFileSync(path.resolve(env.LESSON_PLOTLY_JS), 'utf8'));
  const viz = path.join(ROOT, 'dist', 'src', 'viz', 'plotly-document.js');
  if (!fs.existsSync(viz)) throw new Error(`${viz} is missing; run \`npm run build\` first`);
  return createRequire(import.meta.url)(viz).plotlyLibraryTag();
}

/** MathJax 3's self-contained SVG build (npm package `mathjax`), inlined only into handouts that have math. */
export function mathJaxTags() {
  const file = createRequire(import.meta.url).resolve('mathjax/es5/tex-svg-full.js', { paths: [ROOT] });
  return mathJaxScriptTags(fs.readFileSync(file, 'utf8'));
}

/** The handout's title: notebook metadata `title`, else the first `# ` heading of a markdown cell, else `fallback`. */
export function notebookTitle(nb, fallback) {
  if (typeof nb.metadata?.title === 'string' && nb.metadata.title.trim()) return nb.metadata.title.trim();
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'markdown') continue;
    const line = cellSource(cell).split('\n').find((l) => /^#\s+\S/.test(l));
    if (line) return line.replace(/^#\s+/, '').replace(/[*_`]/g, '').trim();
  }
  return fallback;
}

function nbconvertHtml(nb, cwd) {
  const args = ['nbconvert', '--stdin', '--stdout', '--to', 'html', '--template', 'lab', '--embed-images'];
  return new Promise((resolve, reject) => {
    const child = spawn(jupyterCommand(), args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', (e) => reject(new Error(`could not start jupyter nbconvert: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`nbconvert --to html failed (exit ${code}):\n${Buffer.concat(err).toString('utf8').slice(-3000)}`));
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

/** Exports the executed notebook `nb` to a handout. Resolves to `{ output, bytes, charts, plotlyCopiesRemoved }`. */
export async function exportHandout(nb, options) {
  const run = runInfoOf(nb);
  if (!run) {
    throw new Error(`${options.name}: the executed notebook has no "lessonkit run:" line; execute it with scripts/lessons.mjs first`);
  }
  const title = notebookTitle(nb, options.name);
  const html = await nbconvertHtml({ ...nb, metadata: { ...nb.metadata, title } }, options.cwd ?? NOTEBOOKS_DIR);
  const info = { title, profile: run.profile, engine: run.engine, executedAt: options.executedAt, source: options.source };
  const done = finishHandout(html, info, () => plotlyTag(), () => mathJaxTags());
  writeTextAtomic(options.output, done.html);
  return { output: options.output, bytes: Buffer.byteLength(done.html), charts: done.charts, plotlyCopiesRemoved: done.plotlyCopiesRemoved };
}
