/**
 * The smoke notebook in JupyterLab, where learners work: JupyterLab from the project's environment on loopback with
 * a token, driven by headless Chromium (network limited to that server). The notebook opens with the lesson kernel
 * (its display name shows in the toolbar), "Run All Cells" runs it, the Plotly chart renders through JupyterLab's
 * Plotly MIME renderer (the jupyterlab-plotly extension of the `plotly` Python package), and the image grid shows.
 * A screenshot is kept in test-artifacts/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { chromiumMissing, openBrowser, type OpenBrowser } from './chromium';
import { jupyter, startLab } from './jupyterlab-server';
import { ARTIFACTS_DIR, ROOT, tools } from './tools';

const NOTEBOOK = '00-smoke.ipynb';

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

test('JupyterLab runs the smoke notebook with the lesson kernel and renders its Plotly chart and image grid', async (t) => {
  const missing = chromiumMissing();
  if (missing) return t.skip(`SKIPPED: ${missing}`);
  const { requireKernel } = await tools.execute();
  let displayName: string;
  try {
    displayName = requireKernel().display_name;
  } catch (err) {
    return t.skip(`SKIPPED: ${(err as Error).message}`);
  }
  const extensions = spawnSync(jupyter(), ['labextension', 'list'], { encoding: 'utf8' });
  assert.equal(extensions.status, 0, `jupyter labextension list failed: ${extensions.stderr}`);
  const listed = `${extensions.stdout}${extensions.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
  assert.match(listed, /jupyterlab-plotly v\S+ enabled/, 'the jupyterlab-plotly extension is installed and enabled');

  // A copy under build/ (inside the repository, so `import ... from 'lessonkit'` resolves), never the source.
  fs.mkdirSync(path.join(ROOT, 'build'), { recursive: true });
  const rootDir = fs.mkdtempSync(path.join(ROOT, 'build', 'lab-test-'));
  fs.copyFileSync(path.join(ROOT, 'notebooks', NOTEBOOK), path.join(rootDir, NOTEBOOK));
  const started = Date.now();
  const lab = await startLab({ jupyter: jupyter(), rootDir }).catch((err: Error) => {
    fs.rmSync(rootDir, { recursive: true, force: true });
    throw err;
  });
  t.diagnostic(`JupyterLab answered after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const shot = path.join(ARTIFACTS_DIR, `jupyterlab-${NOTEBOOK.replace(/\.ipynb$/, '')}.png`);
  let browser: OpenBrowser | undefined;
  try {
    browser = await openBrowser({ allowOrigins: [lab.url], viewport: { width: 1400, height: 1400 } });
    const { page } = browser;
    page.setDefaultTimeout(60_000);
    await page.goto(`${lab.url}/lab/tree/${NOTEBOOK}?token=${lab.token}&reset`, { waitUntil: 'domcontentloaded' });
    const kernelName = page.locator('.jp-NotebookPanel-toolbar .jp-Toolbar-kernelName');
    await kernelName.waitFor({ state: 'visible' });
    await page.waitForFunction(
      `(() => { const el = document.querySelector('.jp-NotebookPanel-toolbar .jp-Toolbar-kernelName'); return el && el.textContent.includes(${JSON.stringify(displayName)}); })()`,
    );
    // The kernel is ready once the server reports it idle. (JupyterLab's own indicator says "unknown" until the
    // first execution, because the kernel sends no status message when the page connects.)
    await waitFor(
      async () => {
        const kernels = (await (await fetch(`${lab.url}/api/kernels?token=${lab.token}`)).json()) as {
          execution_state: string;
        }[];
        return kernels.length === 1 && kernels[0].execution_state === 'idle';
      },
      120_000,
      'the kernel to start (server reports it idle)',
    );

    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Run$/ }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Run All Cells$/ }).click();
    const runStarted = Date.now();

    // jp-RenderedPlotly is the output widget of jupyterlab-plotly's MIME renderer (the HTML fallback would be jp-RenderedHTML).
    const plot = page.locator('.jp-OutputArea-output.jp-RenderedPlotly');
    await plot.locator('svg.main-svg').first().waitFor({ state: 'visible', timeout: 180_000 });
    assert.equal(await plot.count(), 1, 'one chart, rendered by the Plotly MIME renderer');
    assert.equal(await plot.locator('svg.main-svg g.trace').count(), 2, 'the chart has its 2 traces');

    // The grid shows as HTML (PNG + caption table) or as a plain PNG; plotly's own hidden <img> is not it.
    const GRID_IMAGES = '.jp-OutputArea-output.jp-RenderedHTMLCommon img, .jp-OutputArea-output.jp-RenderedImage img';
    const grid = page.locator(GRID_IMAGES).last();
    await grid.waitFor({ state: 'visible', timeout: 120_000 });
    await page.waitForSelector('.jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator[data-status="idle"]', {
      timeout: 120_000,
    });
    const widths = await page.evaluate<number[]>(
      `[...document.querySelectorAll(${JSON.stringify(GRID_IMAGES)})].map((img) => img.naturalWidth)`,
    );
    assert.ok(
      widths.length > 0 && widths.every((w) => w > 0),
      `the image grid loaded (naturalWidth ${widths.join(', ')})`,
    );
    const backend = await page.locator('.jp-OutputArea-output', { hasText: 'backend: tensorflow' }).count();
    assert.ok(backend > 0, 'the engine cell printed "backend: tensorflow"');
    const errors = await page
      .locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
      .allInnerTexts();
    assert.deepEqual(errors, [], 'no stderr output');
    await grid.scrollIntoViewIfNeeded(); // the screenshot shows the grid and, above it, the chart
    t.diagnostic(`cells ran in ${((Date.now() - runStarted) / 1000).toFixed(1)} s; kernel shown as "${displayName}"`);
    // JupyterLab's debugger panel raises this for kernels without debugger support (ours declares debugger: false).
    const pageErrors = browser.pageErrors.filter((e) => !/^No active debugger session$/.test(e));
    assert.deepEqual(pageErrors, [], 'no script errors');
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- jupyter lab log ---\n${lab.log()}`);
  } finally {
    if (browser) {
      fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
      await browser.page.screenshot({ path: shot }).catch(() => undefined);
      t.diagnostic(`screenshot: ${path.relative(ROOT, shot)}`);
      await browser.close();
    }
    await lab.stop();
    fs.rmSync(rootDir, { recursive: true, force: true });
  }
});
