/**
 * nbconvert with the lesson kernel, the way instructors build handouts: `--execute --allow-errors` shows a
 * failing cell as a proper error output and runs the cells after it; without `--allow-errors` the run fails.
 * The executed notebook is exported to HTML and photographed by headless Chromium into test-artifacts/kernel/
 * (kernel-demo.png), so that a person can look at how errors, tensors and DataFrames render.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../notebooks/chromium';
import { JUPYTER, jupyterEnv, jupyterMissing, REPO_ROOT, runChecked, stripAnsi, tempKernelspec } from './support';

const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'kernel');
const CHROMIUM = CHROMIUM_PATH;
const MARKER = 'after-error.txt';

function code(source: string) {
  return { cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source };
}

/** The demo notebook: an error, a cell that must still run, a tensor, a DataFrame and a model. */
function demoNotebook() {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'lessonkit', display_name: 'TypeScript (lessonkit)', language: 'typescript' },
      language_info: { name: 'typescript' },
    },
    cells: [
      {
        cell_type: 'markdown',
        metadata: {},
        source: '# Lesson kernel demo\nAn error, then a tensor, a DataFrame and a model.',
      },
      code(
        "import * as tf from '@tensorflow/tfjs';\nimport pl from 'nodejs-polars';\nimport { ensureEngine } from 'lessonkit';\nensureEngine().backend",
      ),
      code("const shape: number[] = [2, 3];\nthrow new Error('a deliberate mistake');"),
      code(
        `import { writeFileSync } from 'node:fs';\nwriteFileSync('${MARKER}', 'ran');\n'this cell ran after the error'`,
      ),
      code('tf.tensor([[1, 2, 3], [4, 5, 6]])'),
      code("pl.DataFrame({ digit: [0, 1, 2], label: ['zero', 'one', '<two>'], accuracy: [0.98, 0.991, 0.97] })"),
      code(
        'tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [4], activation: "relu" }), tf.layers.dense({ units: 3 })] })',
      ),
    ],
  };
}

interface Output {
  output_type: string;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  data?: Record<string, unknown>;
}
interface Cell {
  cell_type: string;
  execution_count: number | null;
  outputs?: Output[];
}

const missing = jupyterMissing();

describe('nbconvert with the lesson kernel', { skip: missing && `SKIPPED: ${missing}` }, () => {
  let env: NodeJS.ProcessEnv;
  let workDir: string;
  let input: string;

  before(async () => {
    env = jupyterEnv(await tempKernelspec());
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    for (const old of fs.readdirSync(ARTIFACTS).filter((f) => f.startsWith('run-'))) {
      fs.rmSync(path.join(ARTIFACTS, old), { recursive: true, force: true });
    }
    // Inside the repository, so that `lessonkit` and tfjs resolve from node_modules as they do for notebooks/.
    workDir = fs.mkdtempSync(path.join(ARTIFACTS, 'run-'));
    input = path.join(workDir, 'kernel-demo.ipynb');
    fs.writeFileSync(input, JSON.stringify(demoNotebook(), null, 1));
  });

  it('--allow-errors: the error is an error output, the next cells run, counts are 1..n, results are rich', () => {
    runChecked(
      JUPYTER,
      ['nbconvert', '--to', 'notebook', '--execute', '--allow-errors', '--output', 'kernel-demo.executed.ipynb', input],
      { env },
    );
    const nb = JSON.parse(fs.readFileSync(path.join(workDir, 'kernel-demo.executed.ipynb'), 'utf8')) as {
      cells: Cell[];
    };
    const cells = nb.cells.filter((c) => c.cell_type === 'code');
    assert.deepEqual(
      cells.map((c) => c.execution_count),
      [1, 2, 3, 4, 5, 6],
    );
    const errors = cells[1].outputs!.filter((o) => o.output_type === 'error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].ename, 'Error');
    assert.equal(errors[0].evalue, 'a deliberate mistake');
    assert.doesNotMatch(stripAnsi(errors[0].traceback!.join('\n')), /tslab[\\/]dist|dist[\\/]kernel|node:vm/);
    assert.equal(fs.readFileSync(path.join(workDir, MARKER), 'utf8'), 'ran', 'the cell after the error ran');
    // nbformat may store text as a list of lines.
    const resultOf = (c: Cell, mime: string) => {
      const value = c.outputs!.find((o) => o.output_type === 'execute_result')!.data![mime];
      return Array.isArray(value) ? value.join('') : String(value);
    };
    assert.equal(resultOf(cells[0], 'text/plain'), 'tensorflow');
    assert.match(resultOf(cells[3], 'text/html'), /shape <code>\[2, 3\]<\/code>/);
    assert.match(resultOf(cells[4], 'text/html'), /<td>&lt;two&gt;<\/td>/);
    assert.match(resultOf(cells[5], 'text/plain'), /Trainable params: 67\nNon-trainable params: 0/);

    runChecked(
      JUPYTER,
      [
        'nbconvert',
        '--to',
        'html',
        path.join(workDir, 'kernel-demo.executed.ipynb'),
        '--output',
        path.join(ARTIFACTS, 'kernel-demo.html'),
      ],
      { env },
    );
  });

  it('without --allow-errors the run fails on the error cell', () => {
    const r = spawnSync(JUPYTER, ['nbconvert', '--to', 'notebook', '--execute', '--output', 'strict.ipynb', input], {
      env,
      encoding: 'utf8',
      timeout: 300_000,
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /a deliberate mistake/);
  });

  it('renders the executed notebook to a PNG in headless Chromium', (t) => {
    const html = path.join(ARTIFACTS, 'kernel-demo.html');
    if (!fs.existsSync(CHROMIUM)) return t.skip(`SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
    if (!fs.existsSync(html)) return t.skip('SKIPPED: the HTML export above failed');
    const png = path.join(ARTIFACTS, 'kernel-demo.png');
    fs.rmSync(png, { force: true });
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-chromium-'));
    try {
      runChecked(
        CHROMIUM,
        [
          '--headless',
          ...CHROMIUM_FLAGS,
          `--user-data-dir=${profile}`,
          '--hide-scrollbars',
          '--window-size=1000,1700',
          `--screenshot=${png}`,
          `file://${html}`,
        ],
        { timeoutMs: 120_000 },
      );
    } finally {
      fs.rmSync(profile, { recursive: true, force: true });
    }
    const bytes = fs.readFileSync(png);
    assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
    assert.ok(bytes.length > 20_000, `screenshot is only ${bytes.length} bytes`);
  });
});
