/**
 * Every chart type the kit draws, through the stock export: a notebook holding one output of each (made with the
 * library, as the kernel would display them), plus a figure that carries only its plotly JSON (another library's
 * output) and a chart output saved by an earlier kit version that still carried a copy of plotly.js, is exported with
 * plain `jupyter nbconvert --to html` and opened in headless Chromium with the network off. Every chart draws its
 * traces, no legend covers an axis title or the chart title (a copy of the old learning-curve layout is the check's
 * control, which it must catch), plotly.js is in the document once, maths is typeset by
 * the inlined MathJax (and a document without maths has no MathJax), Hangul has glyphs. Each chart type is
 * screenshotted once into test-artifacts/charts/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import type { MimeBundle } from '../../src/display';
import { ConfusionMatrix } from '../../src/train/confusion';
import { History } from '../../src/train/history';
import {
  classAccuracyBars,
  confusionHeatmap,
  gradientNormChart,
  learningCurves,
  PlotlyFigure,
  plotlyLibraryPath,
  plotlyVersion,
  strategyComparison,
} from '../../src/viz';
import { countPlotlyLibraries } from '../../src/viz/plotly-document';
import {
  hangulGlyphs,
  legendAxisTitleOverlaps,
  renderedCharts,
  typesetMath,
  undrawnCharts,
  untypesetMath,
  PLOTLY_MIME,
} from './browser-checks';
import { chromiumMissing, openBrowser } from './chromium';
import { ARTIFACTS_DIR, ROOT, tools, type Cell, type Notebook } from './tools';
import { setting } from '../../src/io/settings';

const OUT = path.join(ARTIFACTS_DIR, 'charts');

function jupyter(): string {
  const venv = path.join(ROOT, '.venv', 'bin', 'jupyter');
  return setting('LESSONKIT_JUPYTER') ?? (fs.existsSync(venv) ? venv : 'jupyter');
}

const history = new History([
  { epoch: 1, train_loss: 1.9, train_acc: 0.35, val_loss: 1.6, val_acc: 0.42, seconds: 3, lr: 1e-3 },
  { epoch: 2, train_loss: 1.2, train_acc: 0.58, val_loss: 1.3, val_acc: 0.55, seconds: 3, lr: 1e-3 },
  { epoch: 3, train_loss: 0.8, train_acc: 0.73, val_loss: 1.1, val_acc: 0.63, seconds: 3, lr: 1e-3 },
]);
const names = ['airplane', 'automobile', 'bird', 'cat', 'deer'];
const cm = ConfusionMatrix.fromLabels(
  [0, 1, 2, 3, 4, 3, 2, 1, 0, 3, 3, 4],
  [0, 1, 2, 3, 4, 2, 2, 1, 3, 3, 5 % 5, 4],
  5,
  names,
);

/** Chart name -> figure; one of each kind the lessons show. */
function charts(): [string, PlotlyFigure][] {
  return [
    ['learning-curves', learningCurves(history, { title: '학습 곡선 (learning curves)' })],
    ['confusion-heatmap', confusionHeatmap(cm)],
    ['class-accuracy', classAccuracyBars(names, cm.perClassAccuracy())],
    [
      'strategy-comparison',
      strategyComparison([
        { strategy: 'strategy 1: architecture only', accuracy: 0.62, seconds: 240 },
        { strategy: 'strategy 2: partial fine-tuning', accuracy: 0.81, seconds: 150 },
        { strategy: 'strategy 3: frozen backbone', accuracy: 0.74, seconds: 40 },
      ]),
    ],
    [
      'gradient-norms',
      gradientNormChart([
        { name: 'SimpleRNN', norms: Array.from({ length: 30 }, (_, t) => 0.6 ** (30 - t)) },
        { name: 'LSTM', norms: Array.from({ length: 30 }, (_, t) => 0.95 ** (30 - t)) },
        { name: 'GRU', norms: Array.from({ length: 30 }, (_, t) => 0.93 ** (30 - t)) },
      ]),
    ],
  ];
}

function output(bundle: MimeBundle): NonNullable<Cell['outputs']>[number] {
  return {
    output_type: 'display_data',
    metadata: {},
    data: JSON.parse(JSON.stringify(bundle)) as Record<string, unknown>,
  };
}

function notebook(withMath: boolean): { nb: Notebook; traces: number[] } {
  const cells: Cell[] = [
    {
      cell_type: 'markdown',
      id: 'intro',
      metadata: {},
      source:
        '# 차트 (charts)\n\n순환 신경망의 기울기 소실: every chart type of the kit.' +
        (withMath
          ? '\n\nThe cell: $h_t = \\tanh(W_x x_t + W_h h_{t-1} + b)$, and\n\n$$\\frac{\\partial L}{\\partial h_t} = \\prod_k W_h^\\top \\operatorname{diag}(1 - h_k^2)$$'
          : ''),
    },
  ];
  const traces: number[] = [];
  for (const [name, fig] of charts()) {
    cells.push({
      cell_type: 'code',
      id: name,
      metadata: {},
      source: `// ${name}`,
      execution_count: cells.length,
      outputs: [output(fig.toMimeBundle())],
    });
    traces.push(fig.data.length);
  }
  // Another library's figure: plotly JSON and a text summary, no HTML.
  cells.push({
    cell_type: 'code',
    id: 'foreign',
    metadata: {},
    source: '// a figure with only its JSON',
    execution_count: cells.length,
    outputs: [
      {
        output_type: 'execute_result',
        execution_count: cells.length,
        metadata: {},
        data: {
          'text/plain': 'Figure',
          [PLOTLY_MIME]: { data: [{ type: 'scatter', y: [3, 1, 2] }], layout: { title: { text: 'plotly JSON only' } } },
        },
      },
    ],
  });
  traces.push(1);
  // An output saved by an earlier kit version: its text/html carried the whole library before the chart.
  const old = new PlotlyFigure(
    [{ type: 'bar', x: ['a', 'b'], y: [1, 2] }],
    { title: { text: 'saved with an inline plotly.js' } },
    'old chart',
  );
  const oldBundle = old.toMimeBundle();
  const inline = `<script type="text/javascript" data-lessonkit-plotly="${plotlyVersion()}">${fs.readFileSync(plotlyLibraryPath(), 'utf8')}</script>`;
  cells.push({
    cell_type: 'code',
    id: 'old-inline',
    metadata: {},
    source: '// an old output',
    execution_count: cells.length,
    outputs: [output({ ...oldBundle, 'text/html': inline + (oldBundle['text/html'] as string) })],
  });
  traces.push(1);
  // The check's own control: the learning curves with the kit's old legend (horizontal, below the plots, over the
  // "epoch" titles). The overlap check must find it.
  const before = learningCurves(history);
  const overlapping = new PlotlyFigure(
    before.data,
    { ...before.layout, margin: undefined, legend: { orientation: 'h' } },
    'old legend',
  );
  cells.push({
    cell_type: 'code',
    id: 'old-legend',
    metadata: {},
    source: '// the old legend',
    execution_count: cells.length,
    outputs: [output(overlapping.toMimeBundle())],
  });
  traces.push(overlapping.data.length);
  return { nb: { nbformat: 4, nbformat_minor: 5, metadata: {}, cells }, traces };
}

function stockExport(nb: Notebook, dir: string, name: string): string {
  const file = path.join(dir, `${name}.ipynb`);
  fs.writeFileSync(file, JSON.stringify(nb, null, 1));
  const r = spawnSync(jupyter(), ['nbconvert', '--to', 'html', path.basename(file)], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, `jupyter nbconvert --to html failed:\n${r.stderr}`);
  return path.join(dir, `${name}.html`);
}

test('every chart type, a JSON-only figure and an old inline-library output render offline from the stock export', async (t) => {
  const { measureHandout } = await tools.handoutHtml();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-charts-'));
  try {
    const { nb, traces } = notebook(true);
    const file = stockExport(nb, dir, 'charts');
    const html = fs.readFileSync(file, 'utf8');
    const m = measureHandout(html);
    t.diagnostic(
      `charts.html: ${(m.bytes / 1e6).toFixed(2)} MB (plotly.js ${(m.plotly / 1e6).toFixed(2)} MB, MathJax ${(m.mathjax / 1e6).toFixed(2)} MB)`,
    );
    assert.equal(countPlotlyLibraries(html), 1, 'plotly.js once, though an output carried a copy');
    assert.ok(m.plotly < fs.statSync(plotlyLibraryPath()).size / 2, 'the library is inlined compressed');
    assert.equal(m.charts, traces.length);
    assert.equal(m.mathjaxLibraries, 1, 'MathJax once: the document has maths');
    assert.deepEqual(m.external, [], 'no network sources (no CDN require.js or MathJax)');

    const plain = measureHandout(fs.readFileSync(stockExport(notebook(false).nb, dir, 'charts-no-math'), 'utf8'));
    assert.equal(plain.mathjaxLibraries, 0, 'no maths, no MathJax');
    assert.equal(plain.mathjax, 0);

    const missing = chromiumMissing();
    if (missing) return t.skip(`SKIPPED (browser part): ${missing}`);
    fs.mkdirSync(OUT, { recursive: true });
    const browser = await openBrowser({ viewport: { width: 1100, height: 900 } });
    try {
      const { page } = browser;
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 60_000 });
      const drawn = await renderedCharts(page, traces.length);
      assert.deepEqual(
        drawn,
        traces.map((n) => ({ svg: true, traces: n })),
        'every chart drew its traces',
      );
      assert.deepEqual(await undrawnCharts(page), []);
      const overlaps = await legendAxisTitleOverlaps(page);
      t.diagnostic(`legend overlaps found: ${JSON.stringify(overlaps)}`);
      assert.ok(
        overlaps.some((o) => o.chart === traces.length - 1 && o.title === 'epoch'),
        'the control: the old legend covers an "epoch" title',
      );
      assert.deepEqual(
        overlaps.filter((o) => o.chart !== traces.length - 1),
        [],
        'no other legend covers an axis title or the chart title',
      );
      assert.ok((await typesetMath(page, 2)) >= 2, 'both formulas typeset');
      assert.deepEqual(await untypesetMath(page), [], 'no maths left as TeX source');
      const glyphs = await hangulGlyphs(page);
      assert.ok(
        glyphs?.distinctFromTofu && !glyphs.tofuDistinctFromTofu,
        `Hangul has glyphs: ${JSON.stringify(glyphs)}`,
      );
      assert.deepEqual(browser.pageErrors, []);
      assert.deepEqual(browser.refused, []);
      const plots = page.locator('.js-plotly-plot');
      for (const [i, [name]] of charts().entries()) {
        await plots.nth(i).scrollIntoViewIfNeeded();
        await plots.nth(i).screenshot({ path: path.join(OUT, `${name}.png`) });
      }
      await page.screenshot({ path: path.join(OUT, 'all-charts.png'), fullPage: true });
      t.diagnostic(`screenshots in ${path.relative(ROOT, OUT)}/`);
    } finally {
      await browser.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
