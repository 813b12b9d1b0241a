/**
 * The stock HTML export of a notebook the lesson kernel ran. A small notebook with two charts (Korean in its prose and
 * chart text) runs in one kernel session, its first chart cell is run again in that session (a re-run replaces the
 * output), and it is saved the way the Jupyter server saves (nbformat.write). Then:
 *   - the saved notebook is small (at most 2 MB) and no output carries plotly.js;
 *   - plain `jupyter nbconvert --to html <file>`, with no options, renders both charts offline in headless Chromium,
 *     with plotly.js in the document once; so does the notebook with its first chart's output cleared;
 *   - JupyterLab's "Save and Export Notebook As > HTML" (the server's /nbconvert/html/<path> download, which the menu
 *     opens) gives the same export.
 * The exports and screenshots are kept in test-artifacts/export/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { countPlotlyLibraries } from '../../src/viz/plotly-document';
import { hangulGlyphs, renderedCharts, undrawnCharts, PLOTLY_MIME } from './browser-checks';
import { chromiumMissing, openBrowser } from './chromium';
import { startLab } from './jupyterlab-server';
import { ARTIFACTS_DIR, richOutputs, ROOT, tools, type Notebook } from './tools';
import { setting } from '../../src/io/settings';

const OUT = path.join(ARTIFACTS_DIR, 'export');

function jupyter(): string {
  const venv = path.join(ROOT, '.venv', 'bin', 'jupyter');
  return setting('LESSONKIT_JUPYTER') ?? (fs.existsSync(venv) ? venv : 'jupyter');
}

/** The `python` beside `jupyter` (the project's Jupyter environment). */
function python(): string {
  return path.join(path.dirname(jupyter()), 'python');
}

const code = (id: string, source: string) => ({
  cell_type: 'code' as const,
  id,
  metadata: {},
  source,
  outputs: [],
  execution_count: null,
});

const NOTEBOOK: Notebook = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'lessonkit', display_name: 'TypeScript (lessonkit)', language: 'typescript' } },
  cells: [
    {
      cell_type: 'markdown',
      id: 'title',
      metadata: {},
      source: '# 내보내기 시험 (export test)\n\n학습 곡선과 클래스별 정확도: two charts.',
    },
    code(
      'chart-a',
      "import { classAccuracyBars, learningCurves } from 'lessonkit';\n" +
        "learningCurves([{ epoch: 1, train_loss: 1.2, train_acc: 0.5, val_loss: 1.0, val_acc: 0.6 }, { epoch: 2, train_loss: 0.7, train_acc: 0.8, val_loss: 0.8, val_acc: 0.75 }] as any, { title: '학습 곡선' });",
    ),
    code('chart-b', "classAccuracyBars(['고양이', '개', 'car'], [0.5, 0.75, 0.9], { title: '클래스별 정확도' });"),
  ],
};

/** `jupyter nbconvert --to html <file>` with no options, as a learner types it; returns the HTML file. */
function stockExport(file: string): string {
  const r = spawnSync(jupyter(), ['nbconvert', '--to', 'html', path.basename(file)], {
    cwd: path.dirname(file),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `jupyter nbconvert --to html failed:\n${r.stderr}`);
  return file.replace(/\.ipynb$/, '.html');
}

function chartTraces(nb: Notebook): number[] {
  return richOutputs(nb)
    .filter((o) => o.data?.[PLOTLY_MIME])
    .map((o) => (o.data?.[PLOTLY_MIME] as { data: unknown[] }).data.length);
}

async function checkInBrowser(file: string, traces: number[], shot: string): Promise<void> {
  const html = fs.readFileSync(file, 'utf8');
  assert.equal(countPlotlyLibraries(html), traces.length ? 1 : 0, `${path.basename(file)}: plotly.js once`);
  const browser = await openBrowser();
  try {
    const { page } = browser;
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 60_000 });
    const charts = await renderedCharts(page, traces.length);
    assert.deepEqual(
      charts,
      traces.map((n) => ({ svg: true, traces: n })),
      `${path.basename(file)}: every chart drew its traces`,
    );
    assert.deepEqual(await undrawnCharts(page), []);
    const glyphs = await hangulGlyphs(page);
    assert.ok(glyphs, 'the page has Korean text');
    assert.equal(glyphs.tofuDistinctFromTofu, false, 'self-check: two missing glyphs look alike');
    assert.ok(
      glyphs.distinctFromTofu,
      `"${glyphs.text}" renders with glyphs, not boxes (font stack ${glyphs.fontFamily})`,
    );
    assert.deepEqual(browser.pageErrors, [], 'no script errors');
    assert.deepEqual(browser.refused, [], 'no network requests');
    await page.screenshot({ path: shot, fullPage: true });
  } finally {
    await browser.close();
  }
}

test('a re-run chart cell, a saved notebook, and its stock HTML exports (nbconvert and JupyterLab) render offline', async (t) => {
  const { requireKernel } = await tools.execute();
  try {
    requireKernel();
  } catch (err) {
    return t.skip(`SKIPPED: ${(err as Error).message}`);
  }
  const { NOTEBOOK_MAX_BYTES } = await tools.handout();
  fs.mkdirSync(path.join(ROOT, 'build'), { recursive: true });
  // Inside the repository, so that `import ... from 'lessonkit'` resolves in the kernel.
  const dir = fs.mkdtempSync(path.join(ROOT, 'build', 'export-test-'));
  try {
    const source = path.join(dir, 'source.ipynb');
    const saved = path.join(dir, 'rerun.ipynb');
    fs.writeFileSync(source, JSON.stringify(NOTEBOOK));
    const run = spawnSync(
      python(),
      [path.join(ROOT, 'test', 'notebooks', 'rerun_cells.py'), source, saved, 'lessonkit', 'chart-a'],
      {
        cwd: dir,
        encoding: 'utf8',
        timeout: 300_000,
      },
    );
    assert.equal(run.status, 0, `executing and re-running failed:\n${run.stderr.slice(-3000)}`);
    const counts = JSON.parse(run.stdout.trim().split('\n').pop() as string) as Record<string, number>;
    assert.deepEqual(counts, { 'chart-a': 3, 'chart-b': 2 }, 'chart-a ran first and then again, after chart-b');

    const bytes = fs.statSync(saved).size;
    t.diagnostic(`saved notebook: ${bytes} bytes`);
    assert.ok(bytes <= NOTEBOOK_MAX_BYTES, `saved notebook ${bytes} bytes <= ${NOTEBOOK_MAX_BYTES}`);
    const nb = JSON.parse(fs.readFileSync(saved, 'utf8')) as Notebook;
    for (const out of richOutputs(nb)) {
      const html = [out.data?.['text/html'] ?? ''].flat().join('');
      assert.equal(countPlotlyLibraries(html), 0, 'no output carries plotly.js');
      assert.doesNotMatch(html, /plotly\.js v\d/);
    }
    const traces = chartTraces(nb);
    assert.deepEqual(traces, [4, 1], 'the re-run chart and the other one');

    const cleared = path.join(dir, 'cleared.ipynb');
    fs.writeFileSync(
      cleared,
      JSON.stringify({ ...nb, cells: nb.cells.map((c) => (c.id === 'chart-a' ? { ...c, outputs: [] } : c)) }, null, 1),
    );

    const missing = chromiumMissing();
    fs.mkdirSync(OUT, { recursive: true });
    const exports: [string, number[]][] = [
      [stockExport(saved), traces],
      [stockExport(cleared), [1]],
    ];

    // JupyterLab's export menu downloads /nbconvert/html/<path>?download=true from its server.
    const lab = await startLab({ jupyter: jupyter(), rootDir: dir });
    try {
      const r = await fetch(`${lab.url}/nbconvert/html/rerun.ipynb?download=true&token=${lab.token}`);
      assert.equal(r.status, 200, `the server's HTML export answered ${r.status}: ${lab.log()}`);
      const labHtml = path.join(dir, 'rerun-jupyterlab.html');
      fs.writeFileSync(labHtml, await r.text());
      exports.push([labHtml, traces]);
    } finally {
      await lab.stop();
    }
    for (const [file] of exports) fs.copyFileSync(file, path.join(OUT, path.basename(file)));
    t.diagnostic(
      `exports: ${exports.map(([f]) => `${path.basename(f)} ${(fs.statSync(f).size / 1e6).toFixed(2)} MB`).join(', ')}`,
    );
    if (missing) return t.skip(`SKIPPED (browser part): ${missing}`);
    for (const [file, n] of exports) {
      await checkInBrowser(file, n, path.join(OUT, `${path.basename(file, '.html')}.png`));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
