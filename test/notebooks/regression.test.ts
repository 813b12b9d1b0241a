/**
 * Notebook regression: every notebook in notebooks/ is executed with profile ci under the lesson kernel and its
 * outputs are compared with test/notebooks/references/<notebook>.json, within the tolerances of
 * test/notebooks/tolerances.json (see test/notebooks/README.md). A failure prints a diff naming notebook and cell.
 * Notebook 03 also has its generated verdicts re-derived from its own numbers (verdicts.ts).
 * Regenerate references deliberately with `node scripts/regress.mjs --update <notebook>`.
 *
 * The same run then goes through the handout checks (handout-checks.ts): the executed notebook is at most 2 MB, its
 * handout at most 5 MB, offline, and in headless Chromium its charts, images, maths and Korean text render.
 *
 * LESSONKIT_REGRESSION=<names> (comma-separated, by name or prefix) limits the run to some notebooks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkHandout, describeReport } from './handout-checks';
import { tools } from './tools';
import { rnnVerdictProblems, transferVerdictProblems, type ExecutedNotebook } from './verdicts';
import { setting } from '../../src/io/settings';

/** Per notebook, checks beyond the stored reference: generated verdicts re-derived from the run's own numbers. */
const OWN_CHECKS: Record<string, (nb: ExecutedNotebook) => string[]> = {
  '01-transfer-learning-mnist': (nb) => transferVerdictProblems(nb, '01'),
  '02-transfer-learning-cifar10': (nb) => transferVerdictProblems(nb, '02'),
  '03-recurrent-networks': rnnVerdictProblems,
};

test('every notebook matches its reference outputs (profile ci)', async (t) => {
  const { requireKernel } = await tools.execute();
  try {
    requireKernel();
  } catch (err) {
    t.skip(`SKIPPED: ${(err as Error).message}`);
    return;
  }
  const { listNotebooks, notebookName } = await tools.notebookFile();
  const { runNotebook } = await tools.pipeline();
  const { checkAgainstReference } = await tools.references();
  const { formatProblems } = await tools.compare();
  const only = (setting('LESSONKIT_REGRESSION') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const files = listNotebooks(only);
  assert.ok(files.length > 0, 'there are notebooks to check');
  for (const file of files) {
    await t.test(notebookName(file), async (st) => {
      const run = await runNotebook(file, { profile: 'ci' });
      st.diagnostic(`${run.name}: executed in ${run.seconds.toFixed(1)} s`);
      const { proseNumberProblems } = await tools.proseNumbers();
      const problems = [
        ...checkAgainstReference(run.name, run.executed),
        ...proseNumberProblems(run.name, run.executed),
      ];
      const verdicts = OWN_CHECKS[run.name]?.(run.executed as ExecutedNotebook) ?? [];
      if (verdicts.length)
        assert.fail(`${run.name}: generated verdicts that do not follow from its numbers:\n${verdicts.join('\n')}`);
      if (problems.length) assert.fail(`${run.name} differs from its reference:\n${formatProblems(problems)}`);
      st.diagnostic(describeReport(run.name, await checkHandout(run, file)));
    });
  }
});
