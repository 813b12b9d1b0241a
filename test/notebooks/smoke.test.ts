/**
 * The smoke notebook, executed with `jupyter nbconvert --execute` under the lesson kernel (profile ci): the run
 * succeeds (nbconvert fails on the kernel's error status), the backend is the native `tensorflow` one, and the chart
 * and image outputs are present. A second case shows that a cell that throws fails the run, naming the cell.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { pngSize } from '../../src/viz';
import { cellText, richOutputs, ROOT, tools, type Notebook } from './tools';

const SMOKE = path.join(ROOT, 'notebooks', '00-smoke.ipynb');
const PLOTLY = 'application/vnd.plotly.v1+json';

async function kernelOrSkip(t: { skip(message: string): void }): Promise<boolean> {
  const { requireKernel } = await tools.execute();
  try {
    requireKernel();
    return true;
  } catch (err) {
    t.skip(`SKIPPED: ${(err as Error).message}`);
    return false;
  }
}

test('00-smoke executes under the lesson kernel on the tensorflow backend, with a Plotly chart and an image', async (t) => {
  if (!(await kernelOrSkip(t))) return;
  const { runNotebook } = await tools.pipeline();
  const { runInfoOf } = await tools.parameters();
  const run = await runNotebook(SMOKE, { profile: 'ci' });
  const nb = run.executed;
  const info = runInfoOf(nb);
  t.diagnostic(`backend in use: ${info?.engine ?? 'unknown'}`);
  t.diagnostic(`00-smoke executed in ${run.seconds.toFixed(1)} s`);
  assert.equal(info?.profile, 'ci');

  const engineCell = nb.cells.find((c) => c.id === 'smoke-engine');
  assert.ok(engineCell, 'the smoke notebook has a cell with id smoke-engine');
  assert.match(cellText(engineCell), /^backend: tensorflow$/m);

  const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
  assert.deepEqual(
    outputs.filter((o) => o.output_type === 'error'),
    [],
  );
  assert.deepEqual(
    outputs.filter((o) => o.output_type === 'stream' && o.name === 'stderr').map((o) => o.text),
    [],
  );

  const charts = richOutputs(nb).filter((o) => o.data?.[PLOTLY]);
  assert.equal(charts.length, 1, 'one chart output');
  const figure = charts[0].data?.[PLOTLY] as { data: { type: string }[] };
  assert.deepEqual(
    figure.data.map((trace) => trace.type),
    ['scatter', 'bar'],
  );
  // nbformat stores text as a string or a list of lines.
  const text = (v: unknown) => (Array.isArray(v) ? v.join('') : v);
  assert.match(
    String(text(charts[0].data?.['text/html'])),
    /data-lessonkit-plotly-chart/,
    'the chart has a text/html part',
  );
  assert.match(String(text(charts[0].data?.['text/plain'])), /2 traces/, 'the chart has a text/plain summary');

  const images = richOutputs(nb).filter((o) => typeof o.data?.['image/png'] === 'string');
  assert.equal(images.length, 1, 'one image output');
  const size = pngSize(Buffer.from(images[0].data?.['image/png'] as string, 'base64'));
  assert.ok(size.width > 0 && size.height > 0, `image has a size: ${JSON.stringify(size)}`);
});

test('a cell that throws makes the execution fail, and the error names the cell', async (t) => {
  if (!(await kernelOrSkip(t))) return;
  const { readNotebook } = await tools.notebookFile();
  const { runNotebook } = await tools.pipeline();
  const smoke = readNotebook(SMOKE);
  const broken: Notebook = {
    ...smoke,
    cells: [
      ...smoke.cells.filter((c) => c.id === 'smoke-parameters'),
      {
        cell_type: 'code',
        id: 'throws',
        metadata: {},
        source: "throw new Error('deliberate failure 7f3a');",
        outputs: [],
        execution_count: null,
      },
      {
        cell_type: 'code',
        id: 'never',
        metadata: {},
        source: "console.log('not reached');",
        outputs: [],
        execution_count: null,
      },
    ],
  };
  const dir = fs.mkdtempSync(path.join(ROOT, 'notebooks', '.tmp-broken-'));
  const file = path.join(dir, '00-broken.ipynb');
  try {
    fs.writeFileSync(file, JSON.stringify(broken));
    await assert.rejects(
      runNotebook(file, { profile: 'ci', buildDir: path.join(os.tmpdir(), 'lessonkit-broken-build') }),
      (err: Error) => {
        assert.match(err.message, /00-broken\.ipynb \(profile ci\): execution failed/);
        assert.match(err.message, /deliberate failure 7f3a/);
        return true;
      },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
