#!/usr/bin/env node
// @ts-check
// The one notebook-regression command (`npm run regress`): execute notebooks with profile ci under the lesson kernel
// and compare their outputs with the stored references in test/notebooks/references/ (tolerances:
// test/notebooks/tolerances.json). The test suite runs the same check (test/notebooks/regression.test.ts).
//
//   node scripts/regress.mjs [notebook ...]            check (exit 1 with a readable diff on any difference)
//   node scripts/regress.mjs --update [notebook ...]   regenerate the references deliberately
//   node scripts/regress.mjs --from-build [...]        use build/notebooks/ci/*.ipynb as they are (no execution)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { listNotebooks, notebookName, readNotebook } from './notebook/notebook-file.mjs';
import { lessonDataDir, ROOT } from './paths.mjs';
import { executedPath, runNotebook } from './notebook/pipeline.mjs';
import { formatProblems } from './notebook/regress/compare.mjs';
import { proseNumberProblems } from './notebook/regress/prose-numbers.mjs';
import { checkAgainstReference, REFERENCE_PROFILE, writeReference } from './notebook/regress/references.mjs';

// The kernels inherit this: offline data copies (../shared/datasets beside the checkout) when there are any.
if (lessonDataDir()) process.env.LESSONKIT_DATA_DIR = lessonDataDir();

/** @type {ReturnType<typeof parseCommandLine>} */
let args;
function parseCommandLine() {
  return parseArgs({
    options: { update: { type: 'boolean' }, 'from-build': { type: 'boolean' } },
    allowPositionals: true,
  });
}
try {
  args = parseCommandLine();
} catch (err) {
  console.error(`${/** @type {Error} */ (err).message}; see the top of scripts/regress.mjs`);
  process.exit(2);
}
const update = args.values.update === true;
const fromBuild = args.values['from-build'] === true;
const files = listNotebooks(args.positionals);
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
    // The outputs against the reference, and every number in the prose against the facts and the profiles.
    const problems = [...checkAgainstReference(name, executed), ...proseNumberProblems(name, executed)];
    if (problems.length === 0) console.log(`✓ ${name}: matches its reference`);
    else {
      failed += 1;
      console.log(formatProblems(problems));
    }
  } catch (err) {
    failed += 1;
    console.error(`✗ ${name}\n${/** @type {Error} */ (err).message}`);
  }
}
process.exitCode = failed ? 1 : 0;
