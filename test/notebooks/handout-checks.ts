/**
 * The checks every handout must pass, shared by the handout browser test (the smoke notebook) and the regression test
 * (every lesson, on the run it already made): the executed notebook is at most 2 MB; its handout is at most 5 MB,
 * loads nothing from the network, holds plotly.js once when it has charts and MathJax once when it has maths; in
 * headless Chromium with the network off every chart draws its traces, every image loads, no maths is left as TeX
 * source, and Hangul renders with glyphs. A screenshot goes to test-artifacts/handout-<name>.png.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { hangulGlyphs, renderedCharts, typesetMath, undrawnCharts, untypesetMath, PLOTLY_MIME } from './browser-checks';
import { chromiumMissing, openBrowser } from './chromium';
import { ARTIFACTS_DIR, richOutputs, ROOT, tools, type Notebook } from './tools';

export interface HandoutReport {
  notebookBytes: number;
  handoutBytes: number;
  size: string;
  charts: number;
  images: number;
  formulas: number;
  hangul?: string;
  screenshot?: string;
  /** Why the browser part did not run, when it did not. */
  skipped?: string;
}

/** Exports the executed notebook `run` to test-artifacts/handouts/<name>.html and checks it (see above). */
export async function checkHandout(
  run: { name: string; executed: Notebook; output: string },
  source: string,
): Promise<HandoutReport> {
  const { exportHandout, HANDOUT_MAX_BYTES, NOTEBOOK_MAX_BYTES } = await tools.handout();
  const { formatHandoutSize } = await tools.handoutHtml();
  const notebookBytes = fs.statSync(run.output).size;
  assert.ok(
    notebookBytes <= NOTEBOOK_MAX_BYTES,
    `${run.name}: the executed notebook is ${notebookBytes} bytes, over ${NOTEBOOK_MAX_BYTES}`,
  );

  const traces = richOutputs(run.executed)
    .filter((o) => o.data?.[PLOTLY_MIME])
    .map((o) => (o.data?.[PLOTLY_MIME] as { data: unknown[] }).data.length);
  const images = richOutputs(run.executed).filter((o) => o.data?.['image/png'] || o.data?.['image/jpeg']).length;
  const output = path.join(ARTIFACTS_DIR, 'handouts', `${run.name}.html`);
  const h = await exportHandout(run.executed, { output, name: run.name, source: path.relative(ROOT, source) });
  const report: HandoutReport = {
    notebookBytes,
    handoutBytes: h.bytes,
    size: formatHandoutSize(h),
    charts: traces.length,
    images,
    formulas: 0,
  };
  assert.ok(
    h.bytes <= HANDOUT_MAX_BYTES,
    `${run.name}: the handout is ${formatHandoutSize(h)}, over ${HANDOUT_MAX_BYTES} bytes`,
  );
  assert.deepEqual(h.external, [], `${run.name}: the handout loads nothing from the network`);
  assert.equal(h.charts, traces.length, `${run.name}: every chart output is in the handout`);
  assert.equal(
    h.plotlyLibraries,
    traces.length > 0 ? 1 : 0,
    `${run.name}: plotly.js once when there are charts, else not at all`,
  );
  assert.ok(h.mathjaxLibraries <= 1, `${run.name}: MathJax at most once`);
  // Reads like a lesson (issue 22): no plumbing, the engine explained once (collapsed), no caption tables.
  const { handoutProblems } = await tools.handoutHtml();
  const { runInfoOf } = await import('../../scripts/notebook/parameters.mjs');
  assert.deepEqual(
    handoutProblems(fs.readFileSync(output, 'utf8'), { engine: runInfoOf(run.executed)?.engine }),
    [],
    `${run.name}: the handout reads like a lesson`,
  );

  const missing = chromiumMissing();
  if (missing) return { ...report, skipped: missing };
  const browser = await openBrowser();
  try {
    const { page } = browser;
    await page.goto(pathToFileURL(output).href, { waitUntil: 'load', timeout: 60_000 });
    const charts = await renderedCharts(page, traces.length);
    assert.deepEqual(
      charts,
      traces.map((n) => ({ svg: true, traces: n })),
      `${run.name}: each chart drew an SVG with its traces`,
    );
    assert.deepEqual(await undrawnCharts(page), [], `${run.name}: no chart container is left without a plot`);

    const widths = await page.evaluate<number[]>(
      `[...document.querySelectorAll('.jp-OutputArea-output img, .jp-RenderedMarkdown img')].map((img) => img.complete ? img.naturalWidth : 0)`,
    );
    assert.ok(widths.length >= images, `${run.name}: expected ${images} output image(s), found ${widths.length}`);
    assert.ok(
      widths.every((w) => w > 0),
      `${run.name}: every image loaded (naturalWidth ${widths.join(', ')})`,
    );

    if (h.mathjaxLibraries === 1) report.formulas = await typesetMath(page, 1);
    assert.deepEqual(await untypesetMath(page), [], `${run.name}: no maths left as TeX source`);

    const glyphs = await hangulGlyphs(page);
    if (glyphs) {
      assert.equal(glyphs.tofuDistinctFromTofu, false, 'self-check: two missing glyphs look alike');
      assert.ok(
        glyphs.distinctFromTofu,
        `${run.name}: "${glyphs.text}" renders as empty boxes (font stack ${glyphs.fontFamily}); install fonts-noto-cjk`,
      );
      report.hangul = glyphs.text;
    }

    const header = await page.locator('.lessonkit-handout-header').innerText();
    assert.match(header, /Profile ci/);
    assert.match(header, /engine tensorflow backend \(TF [^)]*\), oneDNN (on|off)/);
    assert.deepEqual(browser.pageErrors, [], `${run.name}: no script errors`);
    assert.deepEqual(browser.refused, [], `${run.name}: no network requests`);

    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const shot = path.join(ARTIFACTS_DIR, `handout-${run.name}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    return { ...report, screenshot: path.relative(ROOT, shot) };
  } finally {
    await browser.close();
  }
}

/** One line for a test's diagnostics. */
export function describeReport(name: string, r: HandoutReport): string {
  return (
    `${name}: notebook ${(r.notebookBytes / 1e6).toFixed(2)} MB; handout ${r.size}; ${r.charts} chart(s), ${r.images} image(s), ` +
    `${r.formulas} formula(s) typeset${r.hangul ? `, Hangul "${r.hangul}" has glyphs` : ''}` +
    (r.skipped ? `; browser part skipped: ${r.skipped}` : `; screenshot ${r.screenshot}`)
  );
}
