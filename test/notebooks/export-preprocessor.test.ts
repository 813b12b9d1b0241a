/**
 * The nbconvert side of the export (python/lessonkit_nbconvert), called in the project's Python: which documents
 * count as having maths (so get MathJax), and the preprocessor's guarantees on a notebook: every plotly output gets a
 * chart container, plotly.js goes into the first one only, and running it twice (as when both the configuration and
 * the template name it) changes nothing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ROOT } from './tools';
import { setting } from '../../src/io/settings';

function python(): string {
  const venv = path.join(ROOT, '.venv', 'bin', 'python');
  return setting('LESSONKIT_JUPYTER')
    ? path.join(path.dirname(setting('LESSONKIT_JUPYTER') as string), 'python')
    : fs.existsSync(venv)
      ? venv
      : 'python3';
}

/** Runs Python with python/ on its path; returns the JSON it prints. */
function py(code: string): unknown {
  const r = spawnSync(python(), ['-c', code], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: path.join(ROOT, 'python') },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('maths is found in markdown (not in code, not in prices) and in LaTeX outputs', () => {
  const cases: [string, boolean][] = [
    ['The cell: $h_t = \\tanh(W_x x_t)$.', true],
    ['$$\\sum_i x_i$$', true],
    ['inline \\(a+b\\) too', true],
    ['display \\[a+b\\]', true],
    ['It costs $5 or $6 tomorrow.', false],
    ['It costs $5,\nor $6 tomorrow.', false],
    ['a template literal `${a} and ${b}` in code', false],
    ['```ts\nconst s = `$${x}$`;\n```', false],
    ['no $ space inside $ dollars', false],
  ];
  const got = py(`
import json, nbformat
from lessonkit_nbconvert import has_math
cases = ${JSON.stringify(cases.map(([text]) => text))}
out = [has_math(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(c)])) for c in cases]
latex = nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output("display_data", data={"text/latex": "x^2", "text/plain": "x^2"})])
out.append(has_math(nbformat.v4.new_notebook(cells=[latex])))
print(json.dumps(out))`) as boolean[];
  assert.deepEqual(got, [...cases.map(([, math]) => math), true]);
});

test('the preprocessor gives every plotly output a chart, puts plotly.js in the first only, and is idempotent', () => {
  const got = py(`
import json, nbformat
from lessonkit_nbconvert import LessonkitHtmlPreprocessor
M = "application/vnd.plotly.v1+json"
def chart(fig, html=None):
    data = {M: fig, "text/plain": "a chart"}
    if html is not None: data["text/html"] = html
    return nbformat.v4.new_output("display_data", data=data)
nb = nbformat.v4.new_notebook(cells=[
    nbformat.v4.new_markdown_cell("no maths here"),
    nbformat.v4.new_code_cell("a", outputs=[chart({"data": [{"type": "bar", "y": [1]}], "layout": {"height": 300}}, "<div>stale</div>")]),
    nbformat.v4.new_code_cell("b", outputs=[nbformat.v4.new_output("stream", name="stdout", text="x"), chart(json.dumps({"data": [{"y": [2]}]}))]),
])
p = LessonkitHtmlPreprocessor()
nb, res = p.preprocess(nb, {})
first = [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code" for o in c.outputs if "data" in o]
nb, res = p.preprocess(nb, res)
second = [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code" for o in c.outputs if "data" in o]
print(json.dumps({
  "libraries": [h.count("data-lessonkit-plotly=") for h in first],
  "charts": [h.count('data-lessonkit-plotly-chart="1"') for h in first],
  "stale": any("stale" in h for h in first),
  "heights": [("height:300px" in h, "height:420px" in h) for h in first],
  "summaries": ["a chart</div>" in h for h in first],
  "same": first == second,
  "resources": res["lessonkit"],
  "urls": [res["mathjax_url"], res["require_js_url"]],
}))`) as Record<string, unknown>;
  assert.deepEqual(got.libraries, [1, 0], 'plotly.js in the first chart output only');
  assert.deepEqual(got.charts, [1, 1], 'both outputs draw a chart (one had only a JSON string)');
  assert.equal(got.stale, false, 'the stale text/html is replaced');
  assert.deepEqual(
    got.heights,
    [
      [true, false],
      [false, true],
    ],
    "the figure's height, else 420 px",
  );
  assert.deepEqual(got.summaries, [true, true], 'the container shows the text summary until the chart draws');
  assert.equal(got.same, true, 'a second run changes nothing');
  assert.deepEqual(got.resources, { charts: 2, math: false });
  assert.deepEqual(got.urls, ['', ''], 'no maths and no widgets: the template loads neither MathJax nor require.js');
});

test('the stock export keeps its templates (`--template` is honoured) and every HTML template gets the charts', () => {
  const jupyter = path.join(path.dirname(python()), 'jupyter');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-templates-'));
  try {
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: 'markdown', id: 'm', metadata: {}, source: 'The cell: $h_t = \\tanh(x_t)$' },
        {
          cell_type: 'code',
          id: 'c',
          metadata: {},
          source: 'chart',
          execution_count: 1,
          outputs: [
            {
              output_type: 'display_data',
              metadata: {},
              data: {
                'text/plain': 'chart',
                'application/vnd.plotly.v1+json': { data: [{ type: 'bar', y: [1] }], layout: {} },
              },
            },
          ],
        },
      ],
    };
    fs.writeFileSync(path.join(dir, 'nb.ipynb'), JSON.stringify(nb));
    const convert = (...args: string[]) => {
      const r = spawnSync(jupyter, ['nbconvert', ...args, 'nb.ipynb'], { cwd: dir, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    };
    convert('--to', 'html');
    const lab = fs.readFileSync(path.join(dir, 'nb.html'), 'utf8');
    convert('--to', 'html', '--template', 'classic', '--output', 'classic');
    const classic = fs.readFileSync(path.join(dir, 'classic.html'), 'utf8');
    convert('--to', 'html', '--template', 'lessonkit', '--output', 'lessonkit');
    const kit = fs.readFileSync(path.join(dir, 'lessonkit.html'), 'utf8');
    convert('--to', 'slides');
    const deck = fs.readFileSync(path.join(dir, 'nb.slides.html'), 'utf8');
    assert.match(lab, /<body class="jp-Notebook"/, '--to html: the lab template');
    assert.doesNotMatch(lab, /--lessonkit-font-sans/);
    assert.match(classic, /id="notebook-container"/, '--template classic is honoured');
    assert.match(
      kit,
      /--lessonkit-font-sans: [^;]*"Noto Sans CJK KR"[^;]*"Apple SD Gothic Neo"[^;]*"Malgun Gothic"/,
      '--template lessonkit: fonts',
    );
    assert.match(deck, /Reveal\.initialize/, '--to slides: reveal');
    for (const [name, html] of Object.entries({ lab, classic, kit, deck })) {
      assert.equal(html.split('data-lessonkit-plotly=').length - 1, 1, `${name}: plotly.js once`);
      assert.equal(html.split('lessonkit-mathjax').length - 1, 1, `${name}: the offline MathJax once`);
    }
    // lab and lessonkit load nothing else (classic keeps its jQuery, slides their reveal.js, from a CDN).
    for (const [name, html] of Object.entries({ lab, kit }))
      assert.doesNotMatch(html, /<script[^>]*src="https?:/, `${name}: no CDN scripts`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
