/**
 * The smoke notebook's handout (LESSONKIT_HANDOUT_NOTEBOOK names another): executed, exported with the handout exporter
 * (the stock `jupyter nbconvert --to html` with the kit's template, plus a header), and checked by handout-checks.ts:
 * executed notebook <= 2 MB, handout <= 5 MB and offline, in headless Chromium every chart draws, images load, maths
 * is typeset, Hangul has glyphs, the header shows profile and backend. The regression test runs the same checks on
 * every lesson.
 */
import { test } from 'node:test';
import { chromiumMissing } from './chromium';
import { checkHandout, describeReport } from './handout-checks';
import { tools } from './tools';
import { setting } from '../../src/io/settings';

const NOTEBOOK = setting('LESSONKIT_HANDOUT_NOTEBOOK') ?? '00-smoke';

test(`the ${NOTEBOOK} handout is small and renders its charts and images offline in Chromium`, async (t) => {
  const missing = chromiumMissing();
  if (missing) return t.skip(`SKIPPED: ${missing}`);
  const { requireKernel } = await tools.execute();
  try {
    requireKernel();
  } catch (err) {
    return t.skip(`SKIPPED: ${(err as Error).message}`);
  }
  const { listNotebooks } = await tools.notebookFile();
  const { runNotebook } = await tools.pipeline();
  const [file] = listNotebooks([NOTEBOOK]);
  const run = await runNotebook(file, { profile: 'ci' });
  t.diagnostic(describeReport(run.name, await checkHandout(run, file)));
});
