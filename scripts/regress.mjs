#!/usr/bin/env node
// Notebook regression: execute notebooks with profile ci under the lesson kernel and compare their outputs with the
// stored references in test/notebooks/references/ (tolerances: test/notebooks/tolerances.json).
//
//   node scripts/regress.mjs [notebook ...]            check (exit 1 with a readable diff on any difference)
//   node scripts/regress.mjs --update [notebook ...]   regenerate the references deliberately
//   node scripts/regress.mjs --from-build [...]        use build/notebooks/ci/*.ipynb as they are (no execution)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listNotebooks, notebookName, readNotebook } from './notebook/notebook-file.mjs';
import { lessonDataDir, ROOT } from './paths.mjs';
import { executedPath, runNotebook } from './notebook/pipeline.mjs';
import { formatProblems } from './notebook/regress/compare.mjs';
import { checkAgainstReference, REFERENCE_PROFILE, writeReference } from './notebook/regress/references.mjs';

// The kernels inherit this: offline data copies (../shared/datasets beside the checkout) when there are any.
if (lessonDataDir()) process.env.LESSON_DATA_DIR = lessonDataDir();

const args = process.argv.slice(2);
const update = args.includes('--update');
const fromBuild = args.includes('--from-build');
const unknown = args.filter((a) => a.startsWith('-') && !['--update', '--from-build'].includes(a));
if (unknown.length) {
  console.error(`Unknown option(s) ${unknown.join(' ')}; see the top of scripts/regress.mjs`);
  process.exit(2);
}
const files = listNotebooks(args.filter((a) => !a.startsWith('-')));
let failed = 0;
for (const file of files) {
  const name = notebookName(file);
  try {
    let executed;
    if (fromBuild) {
      const built = executedPath(name, REFERENCE_PROFILE);
      if (!fs.existsSync(built)) throw new Error(`${path.relative(ROOT, built)} is missing; run without --from-build`);
      executed = readNotebook(built);
    } else {
      const run = await runNotebook(file, { profile: REFERENCE_PROFILE });
      executed = run.executed;
      console.log(`  ${name}: executed in ${run.seconds.toFixed(1)} s`);
    }
    if (update) {
      console.log(`✓ ${name}: reference stored in ${path.relative(ROOT, writeReference(name, executed))}`);
      continue;
    }
    const problems = checkAgainstReference(name, executed);
    if (problems.length === 0) console.log(`✓ ${name}: matches its reference`);
    else {
      failed += 1;
      console.log(formatProblems(problems));
    }
  } catch (err) {
    failed += 1;
    console.error(`✗ ${name}\n${err.message}`);
  }
}
process.exitCode = failed ? 1 : 0;
