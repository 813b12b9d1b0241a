import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { setDisplaySink, type MimeBundle } from '../../src/display';
import { ConfusionMatrix } from '../../src/train/confusion';
import { History } from '../../src/train/history';
import { classAccuracyBars } from '../../src/viz/class-accuracy';
import { confusionHeatmap } from '../../src/viz/confusion-heatmap';
import { PLOTLY_MIME, type PlotlyFigure } from '../../src/viz/figure';
import { gradientNormChart } from '../../src/viz/gradient-norms';
import { learningCurves } from '../../src/viz/learning-curves';
import { LiveLearningCurve } from '../../src/viz/live-learning-curve';
import {
  countPlotlyLibraries,
  ensurePlotlyInDocument,
  plotlyLibraryPath,
  PLOTLY_CHART_ATTRIBUTE,
  PLOTLY_LIBRARY_ATTRIBUTE,
  resetPlotlyDocument,
} from '../../src/viz/plotly-document';
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
    ['strategies', strategyComparison([{ strategy: 'strategy 1', accuracy: 0.9, seconds: 100 }, { strategy: 'strategy 2', accuracy: 0.95, seconds: 60 }, { strategy: 'strategy 3', accuracy: 0.85, seconds: 10 }]), 3],
    ['gradient norms', gradientNormChart([{ name: 'SimpleRNN', norms: [1, 0.1, 0.01] }, { name: 'LSTM', norms: [1, 0.9, 0.8] }]), 2],
  ];
}

test('every chart is one MIME bundle: plotly JSON {data, layout}, text/html and a text/plain summary', () => {
  resetPlotlyDocument();
  for (const [name, fig, traces] of allCharts()) {
    const bundle = fig.toMimeBundle();
    assert.deepEqual(Object.keys(bundle).sort(), [PLOTLY_MIME, 'text/html', 'text/plain'].sort(), name);
    const json = bundle[PLOTLY_MIME] as { data: unknown[]; layout: Record<string, unknown> };
    assert.equal(json.data.length, traces, `${name}: traces`);
    assert.equal(typeof json.layout, 'object');
    assert.doesNotThrow(() => JSON.parse(JSON.stringify(json)), name);
    assert.ok(bundle['text/plain'].length > 10 && !bundle['text/plain'].includes('{'), `${name}: summary ${bundle['text/plain']}`);
    assert.match(bundle['text/html'] as string, new RegExp(PLOTLY_CHART_ATTRIBUTE));
  }
  assert.match(learningCurves(history).summary, /last epoch 2: train_loss 0\.7000, train_acc 0\.8000, val_loss 0\.8000, val_acc 0\.7500/);
  assert.match(confusionHeatmap(cm).summary, /most common error: car predicted as <\/script><b>x \(1\)/);
});

test('plotly.js goes into the document once: the first chart carries it, later charts refer to window.Plotly', () => {
  resetPlotlyDocument();
  const [first, second, third] = allCharts().map(([, fig]) => fig);
  const html1 = first.toMimeBundle()['text/html'] as string;
  const html2 = second.toMimeBundle()['text/html'] as string;
  const html3 = third.toMimeBundle()['text/html'] as string;
  assert.equal(countPlotlyLibraries(html1), 1);
  assert.ok(html1.length > fs.statSync(plotlyLibraryPath()).size, 'the whole library is inline');
  assert.equal(countPlotlyLibraries(html2), 0);
  assert.equal(countPlotlyLibraries(html3), 0);
  assert.ok(html2.length < 20_000);
  assert.match(html2, /window\.Plotly/);
  // The same figure rendered again (a live chart's update) still carries it, so its replaced output keeps working.
  assert.equal(countPlotlyLibraries(first.toMimeBundle()['text/html'] as string), 1);
  resetPlotlyDocument();
  assert.equal(countPlotlyLibraries(second.toMimeBundle()['text/html'] as string), 1);
});

test('ensurePlotlyInDocument de-duplicates, inserts when missing, and leaves chart-less documents alone', () => {
  resetPlotlyDocument();
  const [a, b, c] = allCharts().map(([, fig]) => fig);
  const withLib = a.toHtml();
  resetPlotlyDocument();
  const alsoWithLib = b.toHtml();
  const doubled = `<html><head></head><body>${withLib}${alsoWithLib}</body></html>`;
  assert.equal(countPlotlyLibraries(doubled), 2);
  const fixed = ensurePlotlyInDocument(doubled);
  assert.equal(countPlotlyLibraries(fixed), 1);
  assert.equal(fixed.split(PLOTLY_CHART_ATTRIBUTE).length - 1, 2, 'both charts kept');
  const bare = `<html><head><title>t</title></head><body>${c.toHtml()}</body></html>`;
  assert.equal(countPlotlyLibraries(bare), 0);
  const inserted = ensurePlotlyInDocument(bare);
  assert.equal(countPlotlyLibraries(inserted), 1);
  assert.ok(inserted.indexOf(PLOTLY_LIBRARY_ATTRIBUTE) < inserted.indexOf('</head>'));
  assert.equal(ensurePlotlyInDocument('<p>no charts</p>'), '<p>no charts</p>');
});

test('class names cannot break out of the chart script: no raw </script> or tags from data in text/html', () => {
  resetPlotlyDocument();
  confusionHeatmap(cm).toHtml(); // takes the library
  const html = confusionHeatmap(cm).toHtml();
  assert.equal(html.split('</script>').length - 1, 1, 'only the chart script closes');
  assert.doesNotMatch(html, /<b>x/);
  assert.match(html, /\\u003c\/script\\u003e\\u003cb\\u003ex/);
});

test('live learning curve: one output, updated in place after each epoch', () => {
  resetPlotlyDocument();
  const published: { bundle: MimeBundle; id?: string; update: boolean }[] = [];
  setDisplaySink({ publish: (bundle, _m, transient, update) => void published.push({ bundle, id: transient.display_id, update }) });
  try {
    const live = new LiveLearningCurve();
    live.update(history.records.slice(0, 1));
    live.update(history);
    assert.equal(published.length, 2);
    assert.equal(published[0].id, published[1].id);
    assert.deepEqual(published.map((p) => p.update), [false, true]);
    const data = (published[1].bundle[PLOTLY_MIME] as { data: { x: number[] }[] }).data;
    assert.deepEqual(data[0].x, [1, 2]);
    assert.equal(countPlotlyLibraries(published[1].bundle['text/html'] as string), 1, 'the updated output still carries plotly.js');
  } finally {
    setDisplaySink(undefined);
  }
});
