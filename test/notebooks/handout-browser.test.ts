/**
 * The handout in a browser: the smoke notebook (a chart and an image grid) is executed, exported with the handout
 * exporter, and opened in headless Chromium with the network off. Every chart must render (its plot container holds
 * an SVG with as many traces as its figure has), the grid image must load, plotly.js must be in the file once, and the
 * header must show the profile and backend. A screenshot is kept in test-artifacts/.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { chromiumMissing, openBrowser } from './chromium';
import { ARTIFACTS_DIR, richOutputs, ROOT, tools } from './tools';

const PLOTLY = 'application/vnd.plotly.v1+json';
const NOTEBOOK = process.env.LESSON_HANDOUT_NOTEBOOK ?? '00-smoke';

test(`the ${NOTEBOOK} handout renders its charts and images offline in Chromium`, async (t) => {
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
  const { exportHandout } = await tools.handout();
  const [file] = listNotebooks([NOTEBOOK]);
  const run = await runNotebook(file, { profile: 'ci' });
  const expectedTraces = richOutputs(run.executed)
    .filter((o) => o.data?.[PLOTLY])
    .map((o) => (o.data?.[PLOTLY] as { data: unknown[] }).data.length);
  const expectedImages = richOutputs(run.executed).filter((o) => o.data?.['image/png']).length;
  assert.ok(expectedTraces.length > 0 && expectedImages > 0, `${NOTEBOOK} shows at least one chart and one image`);

  const output = path.join(ARTIFACTS_DIR, 'handouts', `${run.name}.html`);
  const started = Date.now();
  const handout = await exportHandout(run.executed, { output, name: run.name, source: path.relative(ROOT, file) });
  t.diagnostic(`handout ${path.relative(ROOT, output)}: ${(handout.bytes / 1e6).toFixed(1)} MB, exported in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const html = fs.readFileSync(output, 'utf8');
  assert.equal(html.split('window.Plotly = Plotly;').length - 1, 1, 'plotly.js is in the handout exactly once');

  const browser = await openBrowser();
  try {
    const { page } = browser;
    await page.goto(pathToFileURL(output).href, { waitUntil: 'load', timeout: 60_000 });
    // Browser-side code is passed as text: this project compiles without the DOM library.
    await page.waitForFunction(`document.querySelectorAll('.js-plotly-plot .main-svg').length >= ${expectedTraces.length}`, undefined, { timeout: 30_000 });
    const charts = await page.evaluate<{ svg: boolean; traces: number }[]>(`
      [...document.querySelectorAll('.js-plotly-plot')].map((plot) => ({
        svg: plot.querySelector('svg.main-svg') !== null,
        traces: plot.querySelectorAll('svg.main-svg g.trace, svg.main-svg g.hm').length,
      }))`);
    assert.deepEqual(charts, expectedTraces.map((traces) => ({ svg: true, traces })), 'each chart rendered an SVG with its traces');

    const images = await page.evaluate<number[]>(`[...document.querySelectorAll('.jp-OutputArea-output img')].map((img) => img.naturalWidth)`);
    assert.ok(images.length >= expectedImages, `expected ${expectedImages} output image(s), found ${images.length}`);
    assert.ok(images.every((w) => w > 0), `every output image loaded (naturalWidth ${images.join(', ')})`);

    const header = await page.locator('.lessonkit-handout-header').innerText();
    assert.match(header, /Profile ci/);
    assert.match(header, /backend tensorflow backend/);
    assert.ok((await page.locator('.lessonkit-handout-header nav li').count()) > 0, 'the table of contents lists the sections');
    assert.deepEqual(browser.pageErrors, [], 'no script errors');

    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const shot = path.join(ARTIFACTS_DIR, `handout-${run.name}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${path.relative(ROOT, shot)}; requests refused (network off): ${browser.refused.length ? browser.refused.join(', ') : 'none'}`);
  } finally {
    await browser.close();
  }
});
