/**
 * Unit tests of the kernel's parts that need no Jupyter: traceback cleaning, the stop_on_error policy, the
 * display bridge through tslab's writer, the declaration keeping, and the MIME adapters.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import pl from 'nodejs-polars';
import { AbortPolicy } from '../../kernel/abort-policy';
import { abortCellRun, endCellRun, installCellScope, startCellRun } from '../../kernel/cell-scope';
import { HistoryLog } from '../../kernel/history';
import { createDisplaySink, currentWriter, setCurrentWriter, type DisplayDataWriter } from '../../kernel/display-sink';
import { TensorLeakWatch } from '../../kernel/leak-watch';
import { errorFromDiagnostics, errorFromException, formatFrames, parseFrames } from '../../kernel/traceback';
import { display, DisplayHandle, mimeBundleOf, registerDefaultAdapters, setDisplaySink } from '../../src/display';
import { FULL_PREVIEW_LIMIT } from '../../src/display/adapters';
import { memoryReport } from '../../src/display';
import { ensureEngine } from '../../src/engine';
import { stripAnsi } from './support';

describe('traceback', () => {
  it('drops tslab, kernel and node internals (and unnamed vm code), collapses library frames per package, most recent call last', () => {
    const stack = [
      'Error: boom',
      '    at fail (/repo/node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js:3:25)',
      '    at Object.inner (/repo/node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js:5:22)',
      '    at fit (/repo/node_modules/@tensorflow/tfjs-layers/dist/tf-layers.node.js:7:3)',
      '    at evalmachine.<anonymous>:7:3',
      '    at sigintHandlersWrap (node:vm:280:12)',
      '    at Script.runInThisContext (node:vm:134:12)',
      '    at Object.execute (/repo/node_modules/tslab/dist/executor.js:162:38)',
      '    at CellRunner.run (/repo/dist/kernel/cell-runner.js:80:47)',
      '    at async Promise.all (index 0)',
      '    at /repo/lib/helper.js:10:5',
    ].join('\n');
    const lines = formatFrames(stack).map(stripAnsi);
    assert.deepEqual(lines, [
      `File ${path.relative(process.cwd(), '/repo/lib/helper.js')}:10:5`,
      '… 1 frame in @tensorflow/tfjs-layers (fit)',
      '… 2 frames in @tensorflow/tfjs-core (inner … fail)',
    ]);
  });

  it('parses V8 frames with and without function names', () => {
    assert.deepEqual(
      parseFrames('E\n    at new Float32Array (<anonymous>)\n    at async f (/a/b.js:1:2)\n    at /c.js:3:4'),
      [
        { fn: 'new Float32Array', file: undefined },
        { fn: 'f', file: '/a/b.js', line: 1, column: 2 },
        { fn: '', file: '/c.js', line: 3, column: 4 },
      ],
    );
  });

  it('gives ename/evalue for errors and for thrown non-errors', () => {
    const e = errorFromException(new RangeError('too far'));
    assert.equal(e.ename, 'RangeError');
    assert.equal(e.evalue, 'too far');
    assert.equal(errorFromException('just a string').evalue, "'just a string'");
  });

  it('explains a refused allocation in elements and bytes', () => {
    ensureEngine();
    let thrown: unknown;
    try {
      tf.zeros([1e6, 1e5]);
    } catch (err) {
      thrown = err;
    }
    const e = errorFromException(thrown);
    assert.equal(e.ename, 'RangeError');
    assert.match(
      e.evalue,
      /^Cannot allocate a tensor of 100,000,000,000 float32 elements \(400 GB, 4 bytes each\) in tf.zeros: that is more than one JavaScript array can hold/,
    );
    assert.match(e.evalue, /use fewer or smaller dimensions/);
    assert.match(stripAnsi(e.traceback.join('\n')), /JavaScript said: Invalid typed array length: 100000000000/);
  });

  it('gives TSError for diagnostics, with every diagnostic in the traceback', () => {
    const e = errorFromDiagnostics([
      { file: '', line: 2, column: 5, message: 'a' },
      { file: '', line: 3, column: 1, message: 'b' },
    ]);
    assert.equal(e.ename, 'TSError');
    assert.equal(e.evalue, '<cell>:2:5 - a (and 1 more)');
    assert.deepEqual(e.traceback.slice(1), ['  <cell>:2:5 - a', '  <cell>:3:1 - b']);
  });

  it('shows a compile error at its line and column in the cell when the source is known', () => {
    const e = errorFromDiagnostics([{ file: '', line: 2, column: 11, message: "Cannot find name 'x'." }], {
      source: 'const a = 1;\nconst b = x;\nconst c = 3;\nconst d = 4;',
      executionCount: 4,
    });
    assert.equal(
      stripAnsi(e.traceback.join('\n')),
      [
        'TSError: TypeScript found 1 error(s) in this cell',
        '',
        'Cell In[4], line 2, column 11',
        '      1 const a = 1;',
        '----> 2 const b = x;',
        '                  ^',
        '      3 const c = 3;',
        '      4 const d = 4;',
        "Cannot find name 'x'.",
      ].join('\n'),
    );
  });
});

describe('stop_on_error policy', () => {
  it('aborts requests queued before a stop_on_error failure, not later ones', () => {
    const p = new AbortPolicy();
    const failing = p.arrive();
    const queued = p.arrive();
    assert.equal(p.shouldAbort(failing), false);
    p.failed(true);
    assert.equal(p.shouldAbort(queued), true);
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        assert.equal(p.shouldAbort(p.arrive()), false, 'a request after the drain runs');
        resolve();
      }),
    );
  });

  it('aborts nothing when the failing request had stop_on_error false', () => {
    const p = new AbortPolicy();
    p.arrive();
    const queued = p.arrive();
    p.failed(false);
    assert.equal(p.shouldAbort(queued), false);
    assert.equal(p.shouldAbort(p.arrive()), false);
  });
});

describe('display bridge through tslab writer', () => {
  const previous = currentWriter();
  after(() => {
    setDisplaySink(undefined);
    if (previous) setCurrentWriter(previous);
  });

  it('sends one display_data with the whole bundle, then update_display_data for a handle', () => {
    ensureEngine();
    registerDefaultAdapters();
    const sent: { content: Parameters<DisplayDataWriter>[0]; update: boolean }[] = [];
    setCurrentWriter((content, update) => sent.push({ content, update }));
    setDisplaySink(createDisplaySink());
    const t = tf.tensor([1, 2, 3]);
    display(t);
    t.dispose();
    const handle = new DisplayHandle('progress');
    handle.update('epoch 1');
    handle.update('epoch 2');
    assert.equal(sent.length, 3);
    assert.deepEqual(Object.keys(sent[0].content.data).sort(), ['text/html', 'text/plain']);
    assert.equal(sent[0].update, false);
    assert.deepEqual([sent[1].update, sent[2].update], [false, true]);
    assert.deepEqual(sent[2].content, {
      data: { 'text/plain': 'epoch 2' },
      metadata: {},
      transient: { display_id: 'progress' },
    });
  });

  it('refuses an update without a display id', () => {
    const sink = createDisplaySink(() => () => undefined);
    assert.throws(() => sink.publish({ 'text/plain': 'x' }, {}, {}, true), /needs a displayId/);
  });
});

describe('MIME adapters', () => {
  it('tensor: header with dtype and shape, full values when small', () => {
    ensureEngine();
    registerDefaultAdapters();
    const before = tf.memory().numTensors;
    const t = tf.tensor(
      [
        [1.5, 2],
        [3, 4],
      ],
      undefined,
      'float32',
    );
    assert.equal(mimeBundleOf(t)['text/plain'], 'Tensor float32 [2, 2]\n[[1.5, 2],\n [3  , 4]]');
    t.dispose();
    assert.match(mimeBundleOf(t)['text/plain'], /\(disposed\)$/);
    assert.equal(tf.memory().numTensors, before);
  });

  it('tensor: a large tensor shows flattened edge values without leaking tensors', () => {
    const big = tf.range(0, FULL_PREVIEW_LIMIT + 10, 1, 'int32');
    const before = tf.memory().numTensors;
    assert.match(
      mimeBundleOf(big)['text/plain'],
      /^Tensor int32 \[100010\]\n\[0, 1, 2, \.\.\., 100007, 100008, 100009\] \(flattened; 100,010 values\)$/,
    );
    assert.equal(tf.memory().numTensors, before);
    big.dispose();
  });

  it('DataFrame: long frames show head, a gap row and tail; HTML is escaped', () => {
    const df = pl.DataFrame({ i: Array.from({ length: 30 }, (_, k) => k), s: Array.from({ length: 30 }, () => '<&>') });
    const html = mimeBundleOf(df)['text/html'] as string;
    assert.equal((html.match(/<tr>/g) ?? []).length, 1 + 10 + 1 + 5);
    assert.match(html, /<td>…<\/td>/);
    assert.match(html, /<td>29<\/td>/);
    assert.doesNotMatch(html, /<td>&<\/td>|<&>/);
    assert.match(html, /30 rows × 2 columns/);
  });

  it('model: a frozen layer counts as non-trainable', () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 2, inputShape: [3], trainable: false }), tf.layers.dense({ units: 1 })],
    });
    const text = mimeBundleOf(model)['text/plain'];
    assert.match(text, /Total params: 11\nTrainable params: 3\nNon-trainable params: 8$/);
    model.dispose();
  });

  it('memoryReport shows the live tensor count', () => {
    const t = tf.zeros([4]);
    const report = memoryReport();
    assert.equal(report.numTensors, tf.memory().numTensors);
    assert.match(report.toMimeBundle()['text/plain'], /tensors, \d+ B/);
    t.dispose();
  });

  it('leak watch warns once, only when a cell more than doubles the count by many tensors', () => {
    const watch = new TensorLeakWatch({ minNewTensors: 50 });
    watch.cellStarts();
    const small = tf.tidy(() => tf.ones([2]).add(1));
    assert.equal(watch.cellEnded(), undefined, 'one new tensor is no leak');
    watch.cellStarts();
    const leaked = Array.from({ length: 60 }, () => tf.scalar(1));
    assert.match(watch.cellEnded() ?? '', /left 60 more tensors/);
    watch.cellStarts();
    leaked.push(...Array.from({ length: 200 }, () => tf.scalar(1)));
    assert.equal(watch.cellEnded(), undefined, 'only once per session');
    tf.dispose([small, ...leaked]);
  });
});

describe('history_request answers', () => {
  it('tail, range and search over this session, with output when asked', () => {
    const h = new HistoryLog();
    h.add(1, 'const a = 1;');
    h.add(2, 'a + 1');
    h.add(3, 'const b = a * 2;');
    assert.deepEqual(h.answer({ hist_access_type: 'tail', n: 2 }), [
      [1, 2, 'a + 1'],
      [1, 3, 'const b = a * 2;'],
    ]);
    assert.deepEqual(h.answer({ hist_access_type: 'range', session: 0, start: 1, stop: 3 }), [
      [1, 1, 'const a = 1;'],
      [1, 2, 'a + 1'],
    ]);
    assert.deepEqual(
      h.answer({ hist_access_type: 'range', session: -1, start: 1, stop: 3 }),
      [],
      'earlier sessions are not kept',
    );
    assert.deepEqual(
      h.answer({ hist_access_type: 'search', pattern: 'const*' }).map((e) => e[1]),
      [1, 3],
    );
    assert.deepEqual(h.answer({ hist_access_type: 'tail', n: 1, output: true }), [[1, 3, ['const b = a * 2;', null]]]);
  });
});

describe('cell scope (what an interrupt cancels)', () => {
  const scope = () => (globalThis as Record<symbol, any>)[Symbol.for('lessonkit.cellScope')];

  it('rejects the promise a cell waits for with KeyboardInterrupt and clears its timers; later waits never settle', async () => {
    installCellScope();
    const { setTimeout: st, Promise: P } = scope();
    startCellRun();
    let fired = false;
    st(() => (fired = true), 30);
    const waiting = new P((r: () => void) => st(r, 10_000));
    const summary = abortCellRun();
    assert.deepEqual(summary, { timers: 2, promises: 1 });
    await assert.rejects(waiting, (err: Error) => err.name === 'KeyboardInterrupt' && /waiting here/.test(err.message));
    let settled = false;
    void new P((r: () => void) => r()).then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 60));
    endCellRun();
    assert.equal(fired, false, 'the cleared timer did not fire');
    assert.equal(settled, false, "the interrupted cell's new promise did not settle");
  });

  it('behaves like the globals outside an interrupt: instanceof, species, promisify, clearTimeout', async () => {
    installCellScope();
    const { setTimeout: st, clearTimeout: ct, Promise: P } = scope();
    startCellRun();
    try {
      assert.equal((async () => 1)() instanceof P, true);
      assert.equal(
        Object.getPrototypeOf(new P((r: (v: number) => void) => r(1)).then((v: number) => v)),
        Promise.prototype,
      );
      assert.equal(await promisify(st)(5, 'v'), 'v');
      let fired = false;
      ct(st(() => (fired = true), 5));
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(fired, false);
      assert.deepEqual(abortCellRun(), { timers: 0, promises: 0 }, 'nothing left to cancel');
    } finally {
      endCellRun();
    }
  });
});
