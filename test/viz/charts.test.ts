import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { setDisplaySink, type MimeBundle } from '../../src/display';
import { ConfusionMatrix } from '../../src/train/confusion';
import { History } from '../../src/train/history';
import { classAccuracyBars } from '../../src/viz/class-accuracy';
import { confusionHeatmap } from '../../src/viz/confusion-heatmap';
import { PlotlyFigure, PLOTLY_MIME } from '../../src/viz/figure';
import { gradientNormChart } from '../../src/viz/gradient-norms';
import { learningCurves } from '../../src/viz/learning-curves';
import { LiveLearningCurve } from '../../src/viz/live-learning-curve';
import { escapeHtml } from '../../src/display';
import { countPlotlyLibraries, plotlyLibraryPath, PLOTLY_CHART_ATTRIBUTE } from '../../src/viz/plotly-document';
import { strategyComparison } from '../../src/viz/strategy-comparison';

const history = new History([
  { epoch: 1, train_loss: 1.2, train_acc: 0.5, val_loss: 1.0, val_acc: 0.6, seconds: 3, lr: 1e-3 },
  { epoch: 2, train_loss: 0.7, train_acc: 0.8, val_loss: 0.8, val_acc: 0.75, seconds: 3, lr: 1e-3 },
]);
const cm = ConfusionMatrix.fromLabels([0, 1, 1, 2], [0, 1, 2, 2], 3, ['plane', 'car', '</script><b>x']);

function allCharts(): [string, PlotlyFigure, number][] {
  return [
    ['learning curves', learningCurves(history), 4],
    ['confusion heatmap', confusionHeatmap(cm), 1],
    ['class accuracy', classAccuracyBars(cm.classNames, cm.perClassAccuracy()), 1],
    [
      'strategies',
      strategyComparison([
        { strategy: 'strategy 1', accuracy: 0.9, seconds: 100 },
        { strategy: 'strategy 2', accuracy: 0.95, seconds: 60 },
        { strategy: 'strategy 3', accuracy: 0.85, seconds: 10 },
      ]),
      3,
    ],
    [
      'gradient norms',
      gradientNormChart([
        { name: 'SimpleRNN', norms: [1, 0.1, 0.01] },
        { name: 'LSTM', norms: [1, 0.9, 0.8] },
      ]),
      2,
    ],
  ];
}

test('every chart is one MIME bundle: plotly JSON {data, layout}, text/html and a text/plain summary', () => {
  for (const [name, fig, traces] of allCharts()) {
    const bundle = fig.toMimeBundle();
    assert.deepEqual(Object.keys(bundle).sort(), [PLOTLY_MIME, 'text/html', 'text/plain'].sort(), name);
    const json = bundle[PLOTLY_MIME] as { data: unknown[]; layout: Record<string, unknown> };
    assert.equal(json.data.length, traces, `${name}: traces`);
    assert.equal(typeof json.layout, 'object');
    assert.doesNotThrow(() => JSON.parse(JSON.stringify(json)), name);
    assert.ok(
      bundle['text/plain'].length > 10 && !bundle['text/plain'].includes('{'),
      `${name}: summary ${bundle['text/plain']}`,
    );
    assert.match(bundle['text/html'] as string, new RegExp(PLOTLY_CHART_ATTRIBUTE));
  }
  assert.match(
    learningCurves(history).summary,
    /last epoch 2: train_loss 0\.7000, train_acc 0\.8000, val_loss 0\.8000, val_acc 0\.7500/,
  );
  assert.match(confusionHeatmap(cm).summary, /most common error: car predicted as <\/script><b>x \(1\)/);
});

test("no chart output carries plotly.js: a small text/html fallback that draws with the page's window.Plotly", () => {
  const library = fs.statSync(plotlyLibraryPath()).size;
  assert.ok(library > 1_000_000, `the minified bundle is the whole library (${library} bytes)`);
  assert.match(plotlyLibraryPath(), /plotly\.js-dist-min[\\/]plotly\.min\.js$/);
  for (const [name, fig] of allCharts()) {
    const html = fig.toMimeBundle()['text/html'] as string;
    assert.equal(countPlotlyLibraries(html), 0, `${name}: no library element`);
    assert.doesNotMatch(html, /plotly\.js v\d|window\.Plotly\s*=/, `${name}: no library code`);
    assert.ok(html.length < 20_000, `${name}: ${html.length} characters of HTML`);
    assert.match(html, /window\.Plotly/);
    assert.match(html, /window\.lessonkitPlotly/, `${name}: waits for an export's unpacking library`);
    // Without scripts (or before the library arrives) the container shows the summary, HTML-escaped.
    const container = /<div [^>]*data-lessonkit-plotly-chart="1"[^>]*>([^<]*)<\/div>/.exec(html);
    assert.ok(container, `${name}: a chart container`);
    assert.equal(container[1], escapeHtml(fig.summary));
  }
});

test("chart text uses a font stack with Korean fallbacks, which a figure's own layout can override", () => {
  const layout = learningCurves(history).toJSON().layout as { font: { family: string } };
  assert.match(layout.font.family, /"Noto Sans CJK KR".*"Apple SD Gothic Neo".*"Malgun Gothic"/);
  const own = new PlotlyFigure([], { font: { family: 'serif' } }, 'x').toJSON().layout as { font: { family: string } };
  assert.equal(own.font.family, 'serif');
});

test('learning curves: the legend sits above the plots, clear of the epoch axis titles below them', () => {
  const layout = learningCurves(history).toJSON().layout as {
    legend: { orientation: string; y: number; yanchor: string };
    margin: { t: number };
    xaxis: { title: { text: string } };
  };
  assert.equal(layout.xaxis.title.text, 'epoch');
  assert.equal(layout.legend.yanchor, 'bottom');
  assert.ok(layout.legend.y >= 1, `legend y ${layout.legend.y} is above the plot area (paper y 1)`);
  assert.ok(layout.margin.t >= 100, 'the top margin holds the title and the legend');
});

test('class names cannot break out of the chart script: no raw </script> or tags from data in text/html', () => {
  const html = confusionHeatmap(cm).toHtml();
  assert.equal(html.split('</script>').length - 1, 1, 'only the chart script closes');
  assert.doesNotMatch(html, /<b>x/);
  assert.match(html, /\\u003c\/script\\u003e\\u003cb\\u003ex/);
});

test('live learning curve: one output, updated in place after each epoch', () => {
  const published: { bundle: MimeBundle; id?: string; update: boolean }[] = [];
  setDisplaySink({
    publish: (bundle, _m, transient, update) => void published.push({ bundle, id: transient.display_id, update }),
  });
  try {
    const live = new LiveLearningCurve();
    live.update(history.records.slice(0, 1));
    live.update(history);
    assert.equal(published.length, 2);
    assert.equal(published[0].id, published[1].id);
    assert.deepEqual(
      published.map((p) => p.update),
      [false, true],
    );
    const data = (published[1].bundle[PLOTLY_MIME] as { data: { x: number[] }[] }).data;
    assert.deepEqual(data[0].x, [1, 2]);
    assert.equal(
      countPlotlyLibraries(published[1].bundle['text/html'] as string),
      0,
      'updates carry no library either',
    );
  } finally {
    setDisplaySink(undefined);
  }
});
