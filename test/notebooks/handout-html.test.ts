/**
 * The handout post-processing on small documents shaped like the `lessonkit` template's output: the header with run
 * information and a table of contents follows the notebook's own title, and `measureHandout` tells what a document's
 * bytes are (plotly.js, MathJax, images, the page), how many library copies and charts it has, and which network
 * sources it would load.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tools } from './tools';

const load = () => tools.handoutHtml();

function exported(body: string, head = ''): string {
  return (
    '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8" />\n<title>00-x</title>\n' +
    `${head}</head>\n<body class="jp-Notebook">\n<main>\n${body}\n</main>\n</body>\n</html>\n`
  );
}

const INFO = { title: 'Transfer learning & MNIST', profile: 'ci', engine: 'tensorflow backend (TF 2.21.0, cpu)' };

test('the header follows the notebook title and lists profile, backend and the sections', async () => {
  const { finishHandout } = await load();
  const body =
    '<h1 id="T">Transfer learning &amp; MNIST<a class="anchor-link" href="#T">¶</a></h1><p>intro</p>' +
    '<h2 id="Concepts">Concepts<a class="anchor-link" href="#Concepts">¶</a></h2><h3 id="Strategies">Strategies</h3>';
  const { html, charts } = finishHandout(exported(body), INFO);
  assert.equal(charts, 0);
  assert.match(html, /<title>Transfer learning &amp; MNIST<\/title>/);
  const header = html.slice(html.indexOf('<header'), html.indexOf('</header>'));
  assert.ok(html.indexOf('<header') > html.indexOf('</h1>'), 'the header comes right after the notebook title');
  assert.ok(!header.includes('<h1>'), 'the title is not repeated');
  assert.match(header, /Profile <code>ci<\/code> · engine <code>tensorflow backend \(TF 2\.21\.0, cpu\)<\/code>/);
  assert.ok(!header.includes('lessonkit-engine'), 'a short engine line needs no details element');
  assert.match(
    header,
    /<li class="level-2"><a href="#Concepts">Concepts<\/a><\/li>\n<li class="level-3"><a href="#Strategies">Strategies<\/a><\/li>/,
  );
  assert.match(
    html,
    /\.lessonkit-handout-header \{[^}]*font-family: var\(--lessonkit-font-sans, [^}]*"Noto Sans CJK KR"[^}]*"Malgun Gothic"/,
  );
});

test('a notebook without its own title gets one in the header, HTML-escaped', async () => {
  const { finishHandout } = await load();
  const { html } = finishHandout(exported('<p>no heading</p>'), { ...INFO, title: '<script>x</script>' });
  assert.match(html, /<main>\n<header class="lessonkit-handout-header">\n<h1>&lt;script&gt;x&lt;\/script&gt;<\/h1>/);
});

test('measureHandout splits the bytes into plotly.js, MathJax, images and the page, and finds network sources', async () => {
  const { measureHandout, formatHandoutSize } = await load();
  const plotly = `<script type="text/javascript" data-lessonkit-plotly="3.7.0">window.lessonkitPlotly=${'A'.repeat(1000)}</script>`;
  const mathjax = `<script src="data:text/javascript;charset=utf-8,/*lessonkit-mathjax*/window.MathJax=${'B'.repeat(500)}"> </script>`;
  const image = `data:image/png;base64,${'C'.repeat(300)}`;
  const chart =
    '<div id="c1" class="lessonkit-plotly" data-lessonkit-plotly-chart="1" style="height:420px">summary</div>';
  const html = exported(
    `${plotly}${chart}${chart.replace('c1', 'c2')}<img src="${image}"><a href="https://example.org">a link is no request</a>`,
    mathjax,
  );
  const m = measureHandout(html);
  assert.equal(m.bytes, Buffer.byteLength(html));
  assert.equal(m.plotly, Buffer.byteLength(plotly));
  assert.equal(m.mathjax, Buffer.byteLength(mathjax));
  assert.equal(m.images, image.length);
  assert.equal(m.rest, m.bytes - m.plotly - m.mathjax - m.images);
  assert.deepEqual([m.charts, m.plotlyLibraries, m.mathjaxLibraries], [2, 1, 1]);
  assert.deepEqual(m.external, []);
  assert.match(
    formatHandoutSize(m),
    /^0\.00 MB \(plotly\.js 0\.00 MB, MathJax 0\.00 MB, images 0\.00 MB, page 0\.00 MB\)$/,
  );

  const online = measureHandout(
    exported(
      '<p>x</p>',
      '<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js"></script><link rel="stylesheet" href="//cdn.example/x.css">',
    ),
  );
  assert.equal(online.external.length, 2, 'a CDN script and a protocol-relative stylesheet are network requests');
});
