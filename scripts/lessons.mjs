#!/usr/bin/env node
// @ts-check
// Runs the lessons: executes the notebooks under the lesson kernel and builds the HTML handouts, or opens JupyterLab.
//
//   npm run lessons                          every notebook in notebooks/, profile from LESSONKIT_PROFILE (default ci)
//   npm run lessons -- 01 03                 a subset, by name or unique prefix
//   npm run lessons -- --profile full        the original lesson's settings (online machine, GPU recommended)
//   npm run lessons -- --no-handouts         execute only (executed copies in build/notebooks/<profile>/)
//   npm run lessons -- --lab [--ServerApp.port=8899 ...]   open JupyterLab on notebooks/ with the lesson kernel
//   (the notebook regression is its own command: `npm run regress`, scripts/regress.mjs)
//
// Handouts go to handouts/<name>.html (self-contained: `jupyter nbconvert --to html` with the kit's template, so
// plotly.js once per file, MathJax only where there is maths, images embedded; plus title, contents, and the profile
// and backend used), with handouts/index.html listing them. Each handout's and executed notebook's size is printed and
// checked against its target (5 MB and 2 MB). Everything is written to a temporary
// file first and then renamed, so an interrupted run never leaves half a file.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { requireKernel } from './notebook/execute.mjs';
import { exportHandout, HANDOUT_MAX_BYTES, NOTEBOOK_MAX_BYTES, notebookTitle } from './notebook/handout.mjs';
import { listNotebooks, writeTextAtomic } from './notebook/notebook-file.mjs';
import { escapeHtml, formatHandoutSize, handoutProblems } from './notebook/handout-html.mjs';
import { runInfoOf } from './notebook/parameters.mjs';
import { HANDOUTS_DIR, jupyterCommand, kernelName, lessonDataDir, NOTEBOOKS_DIR, ROOT } from './paths.mjs';
import { runNotebook } from './notebook/pipeline.mjs';
import { chooseProfile } from './notebook/profile.mjs';

// The kernels inherit this: offline data copies (../shared/datasets beside the checkout) when there are any.
if (lessonDataDir()) process.env.LESSONKIT_DATA_DIR = lessonDataDir();

const USAGE = fs
  .readFileSync(new URL(import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('//'))
  .slice(0, 8)
  .map((l) => l.slice(3))
  .join('\n');

/** The command line: notebook names, options, and (with --lab) JupyterLab's own `--Section.option=value` settings. */
function parseCommandLine(argv = process.argv.slice(2)) {
  const labArgs = argv.includes('--lab') ? argv.filter((a) => a.startsWith('--') && a.includes('.')) : [];
  const { values, positionals } = parseArgs({
    args: argv.filter((a) => !labArgs.includes(a)),
    options: {
      help: { type: 'boolean', short: 'h' },
      profile: { type: 'string' },
      'no-handouts': { type: 'boolean' },
      lab: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  return {
    names: positionals,
    profile: values.profile,
    handouts: !values['no-handouts'],
    lab: values.lab === true,
    labArgs,
    help: values.help === true,
  };
}

/**
 * JupyterLab on notebooks/ with the lesson kernel; runs until the user stops it (Ctrl-C).
 * @param {{ profile?: string, labArgs: string[] }} opts
 */
function openLab(opts) {
  const profile = chooseProfile(opts.profile);
  requireKernel();
  const asRoot = process.getuid?.() === 0 ? ['--allow-root'] : []; // containers often run as root
  const args = ['lab', `--ServerApp.root_dir=${NOTEBOOKS_DIR}`, ...asRoot, ...opts.labArgs];
  console.log(
    `JupyterLab on ${path.relative(ROOT, NOTEBOOKS_DIR)}/ with kernel "${kernelName()}", LESSONKIT_PROFILE=${profile}`,
  );
  const child = spawn(jupyterCommand(), args, {
    stdio: 'inherit',
    env: { ...process.env, LESSONKIT_PROFILE: profile },
  });
  process.on('SIGINT', () => child.kill('SIGINT'));
  child.on('exit', (code) => process.exit(code ?? 0));
}

/** @param {string} profile */
function writeIndex(profile) {
  const pages = fs
    .readdirSync(HANDOUTS_DIR)
    .filter((f) => f.endsWith('.html') && f !== 'index.html')
    .sort();
  const items = pages
    .map((f) => `<li><a href="${escapeHtml(f)}">${escapeHtml(f.replace(/\.html$/, ''))}</a></li>`)
    .join('\n');
  writeTextAtomic(
    path.join(HANDOUTS_DIR, 'index.html'),
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>lessonkit handouts</title></head>\n` +
      `<body style="font-family: system-ui, sans-serif; max-width: 50em; margin: 2em auto">\n<h1>lessonkit handouts</h1>\n` +
      `<p>Last built with profile <code>${escapeHtml(profile)}</code>. Each page works offline.</p>\n<ul>\n${items}\n</ul>\n</body></html>\n`,
  );
}

async function main() {
  const opts = parseCommandLine();
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  if (opts.lab) return openLab(opts);
  const profile = chooseProfile(opts.profile);
  const files = listNotebooks(opts.names);
  if (files.length === 0) throw new Error(`No notebooks in ${NOTEBOOKS_DIR}`);
  requireKernel();
  console.log(`Executing ${files.length} notebook(s) with kernel "${kernelName()}", profile ${profile}`);
  let failed = 0;
  for (const file of files) {
    try {
      const run = await runNotebook(file, { profile, log: console.log });
      const nbBytes = fs.statSync(run.output).size;
      console.log(
        `✓ ${run.name}: executed in ${run.seconds.toFixed(1)} s -> ${path.relative(ROOT, run.output)} (${(nbBytes / 1e6).toFixed(2)} MB)`,
      );
      if (nbBytes > NOTEBOOK_MAX_BYTES) {
        failed += 1;
        console.error(
          `  ✗ the executed notebook is ${(nbBytes / 1e6).toFixed(2)} MB, over its ${NOTEBOOK_MAX_BYTES / 1e6} MB target`,
        );
      }
      if (opts.handouts) {
        const h = await exportHandout(run.executed, {
          name: run.name,
          output: path.join(HANDOUTS_DIR, `${run.name}.html`),
          source: path.relative(ROOT, file),
          executedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        });
        console.log(
          `  handout: ${path.relative(ROOT, h.output)} "${notebookTitle(run.executed, run.name)}": ${formatHandoutSize(h)}`,
        );
        if (h.bytes > HANDOUT_MAX_BYTES) {
          failed += 1;
          console.error(`  ✗ the handout is over its ${HANDOUT_MAX_BYTES / 1e6} MB target`);
        }
        for (const problem of handoutProblems(fs.readFileSync(h.output, 'utf8'), {
          engine: runInfoOf(run.executed)?.engine,
        }))
          console.error(`  ! the handout does not read like a lesson yet: ${problem}`);
        if (h.external.length) {
          failed += 1;
          console.error(`  ✗ the handout loads from the network: ${h.external.join(', ')}`);
        }
      }
    } catch (err) {
      failed += 1;
      console.error(`✗ ${path.basename(file)}\n${/** @type {Error} */ (err).message}`);
    }
  }
  if (opts.handouts && fs.existsSync(HANDOUTS_DIR)) writeIndex(profile);
  if (failed) console.error(`${failed} of ${files.length} notebook(s) failed`);
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    console.error(err.message);
    process.exitCode = 1;
  },
);
