/**
 * The regression comparison on a hand-built executed notebook: its reference is made with the real tool, then
 * perturbed copies of the notebook are checked against it. Changes beyond tolerance, structural changes, errors and
 * metrics below their floors fail, with a message that names the notebook and the cell; run-to-run noise (timings,
 * paths, addresses, small numeric drift) passes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../src';
import { encodePng } from '../../src/viz';
import { tools, type Notebook, type Policy } from './tools';

const NAME = '99-sample';

async function png(width: number, height: number): Promise<string> {
  ensureEngine();
  const image = tf.zeros([height, width, 3], 'int32') as tf.Tensor3D;
  try {
    return Buffer.from(await encodePng(image)).toString('base64');
  } finally {
    image.dispose();
  }
}

interface SampleValues {
  accuracy: string;
  loss: string;
  params: string;
  seconds: string;
  path: string;
  address: string;
  traces: number;
  imageWidth: number;
  error?: boolean;
}

const BASE: SampleValues = {
  accuracy: '0.9125',
  loss: '0.3141',
  params: '2,049',
  seconds: '12.3',
  path: '/work/main/build/checkpoints/epoch-2',
  address: '0x7f3a2b1c9d00',
  traces: 2,
  imageWidth: 68,
};

/** An executed notebook as nbconvert writes it, with the given values in its outputs. */
async function executed(values: Partial<SampleValues> = {}): Promise<Notebook> {
  const v = { ...BASE, ...values };
  const trace = (i: number) => ({ type: i % 2 ? 'bar' : 'scatter', x: [1, 2], y: [i, i + 1] });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: 'markdown', id: 'title', metadata: {}, source: '# Sample' },
      {
        cell_type: 'code',
        id: 'injected-parameters',
        metadata: { tags: ['injected-parameters'] },
        execution_count: 1,
        source: "const PROFILE = 'ci';",
        outputs: [
          {
            output_type: 'stream',
            name: 'stdout',
            text: 'lessonkit run: profile ci; tensorflow backend (TF 2.21.0, cpu)\n',
          },
        ],
      },
      {
        cell_type: 'code',
        id: 'train',
        metadata: {},
        execution_count: 2,
        source: 'const result = await fit(model, data);',
        outputs: [
          {
            output_type: 'stream',
            name: 'stdout',
            text: `epoch 2/2 100%|████| 16/16 [00:0${v.seconds.length % 9}<00:00, 5.1it/s]\r`,
          },
          {
            output_type: 'stream',
            name: 'stdout',
            text: `\ntrainable parameters: ${v.params}\ncheckpoint saved to ${v.path} in ${v.seconds} s\n`,
          },
          {
            output_type: 'stream',
            name: 'stdout',
            text: `test accuracy: ${v.accuracy}\ntest loss: ${v.loss}\nmodel at ${v.address}\n`,
          },
          {
            output_type: 'display_data',
            metadata: {},
            data: {
              'text/plain': `shape: (1, 3)\n│ epoch ┆ val_acc ┆ seconds │\n│ 2 ┆ ${v.accuracy} ┆ ${v.seconds} │`,
              'text/html': '<table>...</table>',
            },
          },
        ],
      },
      {
        cell_type: 'code',
        id: 'chart',
        metadata: {},
        execution_count: 3,
        source: 'display(learningCurves(result.history));',
        outputs: [
          {
            output_type: 'display_data',
            metadata: {},
            data: {
              'application/vnd.plotly.v1+json': {
                data: Array.from({ length: v.traces }, (_, i) => trace(i)),
                layout: {},
              },
              'text/html': '<div class="lessonkit-plotly"></div>',
              'text/plain': `Learning curves: ${v.traces} traces`,
            },
          },
        ],
      },
      {
        cell_type: 'code',
        id: 'grid',
        metadata: {},
        execution_count: 4,
        source: 'display(await misclassifiedGrid(evaluation));',
        outputs: [
          {
            output_type: 'display_data',
            metadata: {},
            data: { 'image/png': await png(v.imageWidth, 34), 'text/html': '<img>', 'text/plain': 'image grid 1x2' },
          },
          ...(v.error ? [{ output_type: 'error', ename: 'Error', evalue: 'boom', traceback: ['Error: boom'] }] : []),
        ],
      },
    ],
  };
}

const POLICY: Policy = {
  default: {},
  notebooks: { [NAME]: { metrics: [{ name: 'test accuracy', pattern: 'test accuracy: ([0-9.]+)', floor: 0.85 }] } },
};

async function check(values: Partial<SampleValues>, policy: Policy = POLICY): Promise<string> {
  const { writeReference, checkAgainstReference } = await tools.references();
  const { formatProblems } = await tools.compare();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-refs-'));
  try {
    writeReference(NAME, await executed(), dir);
    return formatProblems(checkAgainstReference(NAME, await executed(values), { dir, policy }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('an identical run matches its reference', async () => {
  assert.equal(await check({}), '');
});

test('timings, paths, memory addresses and small numeric drift stay within tolerance', async () => {
  const report = await check({
    seconds: '48.75',
    path: '/tmp/ci-runner/x/checkpoints/epoch-2',
    address: '0x55d0c0ffee00',
    accuracy: '0.9130',
    loss: '0.3150',
  });
  assert.equal(report, '');
});

test('a metric that drops beyond tolerance fails, naming notebook, cell and the two values', async () => {
  const report = await check({ accuracy: '0.7010' });
  assert.match(report, /99-sample, cell 1 \(id train\)/);
  assert.match(report, /got 0\.7010, reference 0\.9125/);
  assert.match(report, /- test accuracy: 0\.9125\n\s+\+ test accuracy: 0\.7010/);
  assert.match(report, /metric "test accuracy"[\s\S]*0\.701 is below its floor 0\.85/);
});

test('a whole number (parameter count) must match exactly', async () => {
  const report = await check({ params: '2,050' });
  assert.match(report, /got 2,050, reference 2,049; whole numbers must match exactly/);
});

test('a chart with a different number of traces fails', async () => {
  const report = await check({ traces: 3 });
  assert.match(
    report,
    /cell 2 \(id chart\)[\s\S]*chart structure differs: reference 2 traces \[scatter, bar\], got 3 \[scatter, bar, scatter\]/,
  );
});

test('an image of another size fails', async () => {
  const report = await check({ imageWidth: 70 });
  assert.match(report, /image differs: reference image\/png 68x34, got image\/png 70x34/);
});

test('an error output always fails', async () => {
  const report = await check({ error: true });
  assert.match(report, /cell 3 \(id grid\).*\n\s+error output: Error: boom/);
});

test('a looser per-cell tolerance from the policy lets a larger drift pass', async () => {
  const policy: Policy = { default: {}, notebooks: { [NAME]: { cells: { train: { rel: 0.5 } } } } };
  assert.equal(await check({ accuracy: '0.7010', loss: '0.2' }, policy), '');
});

test('a notebook without a reference fails and says how to make one', async () => {
  const { checkAgainstReference } = await tools.references();
  const { formatProblems } = await tools.compare();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-refs-'));
  try {
    const report = formatProblems(checkAgainstReference(NAME, await executed(), { dir, policy: POLICY }));
    assert.match(
      report,
      /no reference at .*99-sample\.json; make one deliberately with node scripts\/regress\.mjs --update 99-sample/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the sanitizer masks a timing column of a polars table but keeps the other numbers', async () => {
  const { sanitizeText } = await tools.sanitize();
  const table =
    '│ epoch ┆ train_loss ┆ seconds │\n│ --- ┆ --- ┆ --- │\n│ f64 ┆ f64 ┆ f64 │\n╞═══╪═══╪═══╡\n│ 1.0 ┆ 0.5123 ┆ 12.3 │';
  assert.equal(sanitizeText(table).split('\n').pop(), '│ 1.0 ┆ 0.5123 ┆ <duration> │');
});

test('parameters are injected after the parameters cell, replacing an earlier injection', async () => {
  const { injectParameters } = await tools.parameters();
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: 'markdown', id: 'a', metadata: {}, source: '# x' },
      {
        cell_type: 'code',
        id: 'p',
        metadata: { tags: ['parameters'] },
        source: "const PROFILE: string = 'full';",
        outputs: [],
      },
      { cell_type: 'code', id: 'c', metadata: {}, source: 'PROFILE', outputs: [] },
    ],
  };
  const once = injectParameters(nb, { PROFILE: 'ci' }).notebook;
  const twice = injectParameters(once, { PROFILE: "it's" });
  assert.equal(twice.warning, undefined);
  assert.deepEqual(
    twice.notebook.cells.map((c) => c.id),
    ['a', 'p', 'injected-parameters', 'c'],
  );
  const source = String(twice.notebook.cells[2].source);
  assert.match(source, /^const PROFILE = 'it\\'s';$/m);
  assert.match(source, /console\.log\(`lessonkit run: profile \$\{PROFILE\}; /);
  const none = injectParameters({ ...nb, cells: [nb.cells[2]] }, { PROFILE: 'ci' });
  assert.match(none.warning ?? '', /no cell tagged "parameters"/);
  assert.equal(none.notebook.cells[0].id, 'injected-parameters');
});

test('numbers "structure": training results may move, the words around them and their count may not', async () => {
  const policy: Policy = { default: {}, notebooks: { [NAME]: { numbers: 'structure' } } };
  assert.equal(await check({ accuracy: '0.7010', loss: '0.2', params: '2,050' }, policy), '');
  const { compareText } = await tools.compare();
  const rules = { rel: 0.05, abs: 0.01, integers: 'exact', text: 'compare', numbers: 'structure', progress: 'compare' };
  assert.match(
    JSON.stringify(compareText('accuracy 0.91, beats scratch', 'accuracy 0.55, loses to scratch', rules)),
    /text differs/,
  );
  assert.match(JSON.stringify(compareText('accuracy 0.91', 'accuracy 0.91 (best 0.93)', rules)), /text differs/);
});

test('a difference metric checks that one result beats another by a margin in the same run', async () => {
  const margin = (floor: number): Policy => ({
    default: {},
    notebooks: {
      [NAME]: {
        metrics: [
          { name: 'accuracy above loss', pattern: 'test accuracy: ([0-9.]+)', minus: 'test loss: ([0-9.]+)', floor },
        ],
      },
    },
  });
  assert.equal(await check({}, margin(0.5)), '');
  assert.match(
    await check({ accuracy: '0.60', loss: '0.31' }, margin(0.5)),
    /metric "accuracy above loss"\n\s+0\.29 is below its floor 0\.5/,
  );
  const missing: Policy = {
    default: {},
    notebooks: {
      [NAME]: { metrics: [{ name: 'x', pattern: 'test accuracy: ([0-9.]+)', minus: 'absent: ([0-9]+)', floor: 0 }] },
    },
  };
  assert.match(await check({}, missing), /not found: no output matches \/absent: \(\[0-9\]\+\)\//);
});

test('the sanitizer hides which copy of CIFAR-10 a run read (full copy in CI, shipped sample in a fresh clone)', async () => {
  const { sanitizeText } = await tools.sanitize();
  const tail =
    ': the first 100 training and the first 50 test images of each class, 1000 training and 500 test images.';
  const full = `CIFAR-10 from the full offline JPEG copy /data/cifar10-jpeg.tar.gz (a JPEG re-encoding: close to the official files')${tail}`;
  const sample = `CIFAR-10 from the sample shipped in the repository (data/cifar10-sample.tar.gz) (a JPEG re-encoding: close)${tail} Not used: the official binary release: Could not download x (fetch failed)`;
  assert.equal(sanitizeText(full), sanitizeText(sample));
  assert.equal(sanitizeText(sample), `CIFAR-10 from <source>${tail}`);
});

test('the sanitizer hides whether a stand-in backbone was trained in this run or reused from the cache', async () => {
  const { sanitizeText } = await tools.sanitize();
  const head = 'Backbone: resnet34 pre-trained on rotation prediction of 4000 images';
  const tail = '; final pre-training loss 1.272, accuracy 43.1%.';
  const now = `${head}; trained now in 99 s on 2 cores (recipe e6e478456592, cached for the next run)${tail}`;
  const reused = `${head}; reused from the weights cache (recipe e6e478456592, trained in 460 s on 16 cores, 2026-11-30)${tail}`;
  assert.equal(sanitizeText(now), sanitizeText(reused));
  assert.equal(sanitizeText(now), `${head}; trained now or reused from the weights cache (recipe e6e478456592)${tail}`);
  // Another recipe is still a difference.
  assert.notEqual(sanitizeText(now), sanitizeText(reused.replace('e6e478456592', '0123456789ab')));
});

test('notebookEnv: a notebook asks for its kernel thread layout in its metadata; the caller environment wins', async () => {
  const { notebookEnv } = await import('../../scripts/notebook/pipeline.mjs');
  const nb = (threads?: unknown) => ({
    cells: [],
    metadata: threads === undefined ? {} : { lessonkit: { threads } },
    nbformat: 4,
    nbformat_minor: 5,
  });
  assert.deepEqual(notebookEnv(nb('recurrent') as never, {}), { LESSONKIT_THREADS: 'recurrent' });
  assert.deepEqual(notebookEnv(nb() as never, {}), {});
  assert.deepEqual(notebookEnv(nb('recurrent') as never, { LESSONKIT_THREADS: 'default' }), {});
  assert.throws(() => notebookEnv(nb('fast') as never, {}), /lessonkit.threads: expected 'default' or 'recurrent'/);
  const file = path.join(__dirname, '..', '..', '..', 'notebooks', '03-recurrent-networks.ipynb');
  assert.deepEqual(notebookEnv(JSON.parse(fs.readFileSync(file, 'utf8')), {}), { LESSONKIT_THREADS: 'recurrent' });
});
