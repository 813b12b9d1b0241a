/**
 * The handout post-processing on a small document shaped like nbconvert's `lab` output: plotly.js ends up in the
 * document once (inline copies cut, CDN references dropped), require.js is removed, and the header with run
 * information and a table of contents follows the notebook's own title.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { ROOT } from './tools';

interface HandoutHtml {
  finishHandout(
    html: string,
    info: { title: string; profile: string; engine: string; executedAt?: string; source?: string },
    plotlyTag: () => string,
    mathJaxTags?: () => string,
  ): { html: string; plotlyCopiesRemoved: number; charts: boolean; math: boolean };
}

const importEsm = new Function('s', 'return import(s)') as (s: string) => Promise<HandoutHtml>;
const load = () => importEsm(pathToFileURL(path.join(ROOT, 'scripts', 'notebook', 'handout-html.mjs')).href);

const BUNDLE = '/**\n* plotly.js v3.7.0\n* Copyright\n*/\n(function(){var Plotly={};\nwindow.Plotly = Plotly;\nreturn Plotly;\n}));';
const CHART = (id: string) =>
  `<div id="${id}" class="lessonkit-plotly" data-lessonkit-plotly-chart="1"></div><script type="text/javascript">window.Plotly.newPlot(document.getElementById("${id}"),[],{});</script>`;

function nbconvertLike(body: string): string {
  return (
    '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8" />\n<title>00-x</title>' +
    '<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js"></script>\n</head>\n' +
    `<body class="jp-Notebook">\n<main>\n${body}\n</main>\n</body>\n</html>\n`
  );
}

const INFO = { title: 'Transfer learning & MNIST', profile: 'ci', engine: 'tensorflow backend (TF 2.21.0, cpu)' };

test('two charts that each carried plotly.js leave one copy, in <head>, before any chart script', async () => {
  const { finishHandout } = await load();
  const body =
    '<h1 id="Transfer-learning-&amp;-MNIST">Transfer learning &amp; MNIST<a class="anchor-link" href="#x">¶</a></h1>' +
    `<script type="text/javascript" data-lessonkit-plotly="3.7.0">${BUNDLE}</script>${CHART('a')}` +
    `<script src="https://cdn.plot.ly/plotly-2.35.2.min.js"></script><script>${BUNDLE}\nconsole.log('kept');</script>${CHART('b')}`;
  const out = finishHandout(nbconvertLike(body), INFO, () => `<script>${BUNDLE}</script>`);
  assert.equal(out.charts, true);
  assert.equal(out.plotlyCopiesRemoved, 3);
  assert.equal(out.html.split('window.Plotly = Plotly;').length - 1, 1, 'one copy of the library');
  assert.ok(out.html.indexOf('window.Plotly = Plotly;') < out.html.indexOf('</head>'), 'the copy is in <head>');
  assert.ok(!out.html.includes('require.min.js') && !out.html.includes('cdn.plot.ly'), 'no CDN scripts');
  assert.match(out.html, /<script>\s*console\.log\('kept'\);<\/script>/, 'code beside an inline copy is kept');
});

test('the header follows the notebook title and lists profile, backend and the sections', async () => {
  const { finishHandout } = await load();
  const body =
    '<h1 id="T">Transfer learning &amp; MNIST<a class="anchor-link" href="#T">¶</a></h1><p>intro</p>' +
    '<h2 id="Concepts">Concepts<a class="anchor-link" href="#Concepts">¶</a></h2><h3 id="Strategies">Strategies</h3>';
  const { html, charts } = finishHandout(nbconvertLike(body), INFO, () => assert.fail('no charts, so no plotly.js'));
  assert.equal(charts, false);
  assert.match(html, /<title>Transfer learning &amp; MNIST<\/title>/);
  const header = html.slice(html.indexOf('<header'), html.indexOf('</header>'));
  assert.ok(html.indexOf('<header') > html.indexOf('</h1>'), 'the header comes right after the notebook title');
  assert.ok(!header.includes('<h1>'), 'the title is not repeated');
  assert.match(header, /Profile <code>ci<\/code> · backend <code>tensorflow backend \(TF 2\.21\.0, cpu\)<\/code>/);
  assert.match(header, /<li class="level-2"><a href="#Concepts">Concepts<\/a><\/li>\n<li class="level-3"><a href="#Strategies">Strategies<\/a><\/li>/);
});

test('a notebook without its own title gets one in the header, HTML-escaped', async () => {
  const { finishHandout } = await load();
  const { html } = finishHandout(nbconvertLike('<p>no heading</p>'), { ...INFO, title: '<script>x</script>' }, () => '');
  assert.match(html, /<main>\n<header class="lessonkit-handout-header">\n<h1>&lt;script&gt;x&lt;\/script&gt;<\/h1>/);
});

const MATHJAX_CDN =
  '<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js?config=TeX-AMS_CHTML-full,Safe"> </script>\n' +
  '<script type="text/x-mathjax-config">\n init_mathjax = function() { MathJax.Hub.Config({}); }\n</script>';

test('the CDN MathJax goes, and the inline MathJax 3 comes in once, only when the document has math', async () => {
  const { finishHandout } = await load();
  const withMath = nbconvertLike(`${MATHJAX_CDN}<p>The cell: $h_t = \\tanh(W_x x_t + W_h h_{t-1} + b)$</p>`);
  let calls = 0;
  const out = finishHandout(withMath, INFO, () => '', () => {
    calls += 1;
    return '<script>/* mathjax 3 */</script>';
  });
  assert.equal(calls, 1);
  assert.equal(out.math, true);
  assert.doesNotMatch(out.html, /cdnjs|mathjax\/2\.7\.7|MathJax\.Hub\.Config/);
  assert.equal(out.html.split('/* mathjax 3 */').length, 2, 'MathJax is inlined once');
  assert.ok(out.html.indexOf('/* mathjax 3 */') < out.html.indexOf('</head>'), 'in <head>');

  const noMath = finishHandout(nbconvertLike(`${MATHJAX_CDN}<p>It costs $5,
or $6 tomorrow.</p><pre><span>\`\${a} and \${b}\`</span></pre>`), INFO, () => '', () => assert.fail('no math, so no MathJax'));
  assert.equal(noMath.math, false);
  assert.doesNotMatch(noMath.html, /mathjax/i);
});
