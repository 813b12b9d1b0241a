/**
 * Issue 13 (reliability), the training half: non-finite losses and inputs, labels outside the class range, the
 * checkpoint folder's lock, stale temp folders, damaged checkpoint files, and option errors. Every case here gave a
 * silent wrong result or an unhelpful message before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../src/data/batch';
import { TensorDataset } from '../../src/data/tensor-dataset';
import { ensureEngine } from '../../src/engine';
import { RETIRE_GRACE_MS } from '../../src/io/atomic';
import {
  CheckpointError,
  DataFormatError,
  LabelRangeError,
  LessonkitError,
  NonFiniteLossError,
  OptionError,
} from '../../src/errors';
import {
  loadCheckpointModel,
  readCheckpointMetadata,
  restoreCheckpoint,
  saveCheckpoint,
  type CheckpointMetadata,
} from '../../src/train/checkpoint';
import { LOCK_FILE, lockRunFolder } from '../../src/train/run-lock';
import { evaluate } from '../../src/train/evaluate';
import { fit } from '../../src/train/fit';
import { ProgressBar } from '../../src/train/progress';
import { ArraySource, blobs, denseModel, tempDir, weightValues } from './helpers';

ensureEngine();

/** A process id that certainly belongs to no running process: a child that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

/** A batch source with the given labels (any numbers, as a float or int tensor) over blob features. */
function labelled(labels: number[], dtype: 'int32' | 'float32', batchSize = 4): Iterable<Batch> {
  const base = blobs(labels.length, 3, batchSize);
  return {
    *[Symbol.iterator]() {
      for (let start = 0; start < labels.length; start += batchSize) {
        const end = Math.min(labels.length, start + batchSize);
        const x = tf.tensor2d(base.features.subarray(start * 4, end * 4), [end - start, 4]);
        const y = tf.tensor1d(labels.slice(start, end), dtype);
        try {
          yield { x, y, indices: Int32Array.from({ length: end - start }, (_, i) => start + i) };
        } finally {
          tf.dispose([x, y]);
        }
      }
    },
  };
}

test('a NaN loss stops fit with the epoch, the batch and the learning rate; last/ and best/ keep the finite epoch', async () => {
  const dir = tempDir('nan-loss');
  const model = denseModel({ prefix: 'nan' });
  await fit(model, blobs(64, 1), {
    epochs: 1,
    validation: blobs(32, 2),
    optimizer: 'sgd',
    learningRate: 0.1,
    checkpoint: dir,
    progress: 'none',
  });
  const lastWeights = fs.readFileSync(path.join(dir, 'last', 'weights.bin'));
  const bestWeights = fs.readFileSync(path.join(dir, 'best', 'weights.bin'));
  const before = weightValues(model).map((w) => w.slice());
  // lr 1e38 (the case): the first update makes the weights huge, and a later loss is NaN or infinite.
  const err = await fit(model, blobs(64, 1), {
    epochs: 3,
    validation: blobs(32, 2),
    optimizer: 'sgd',
    learningRate: 1e38,
    checkpoint: dir,
    resume: true,
    progress: 'none',
    earlyStopping: { patience: 1 },
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof NonFiniteLossError, `expected a NonFiniteLossError, got ${err}`);
  assert.ok(err instanceof LessonkitError);
  assert.equal(err.epoch, 2);
  assert.equal(err.learningRate, 1e38);
  assert.match(err.message, /in epoch 2[ ,(]/);
  assert.match(err.message, /batch \d+/);
  assert.match(err.message, /learning rate 1e\+38/);
  assert.ok(!Number.isFinite(err.loss) || /weights became NaN or infinite/.test(err.message), err.message);
  // Nothing non-finite was written: last/ and best/ are byte-for-byte the epoch-1 checkpoint.
  assert.deepEqual(fs.readFileSync(path.join(dir, 'last', 'weights.bin')), lastWeights);
  assert.deepEqual(fs.readFileSync(path.join(dir, 'best', 'weights.bin')), bestWeights);
  assert.equal(readCheckpointMetadata(path.join(dir, 'last')).epoch, 1);
  const reloaded = await loadCheckpointModel(path.join(dir, 'last'));
  for (const w of weightValues(reloaded)) assert.ok(w.every(Number.isFinite));
  assert.ok(before.length > 0);
  assert.ok(!fs.existsSync(path.join(dir, LOCK_FILE)), 'the lock is released after the error');
  [model, reloaded].forEach((m) => m.dispose());
});

test('a non-finite loss on the first batch: the error says so, and the weights are not updated with it', async () => {
  const model = denseModel({ prefix: 'nan1' });
  const before = weightValues(model).map((w) => w.slice());
  const big = new ArraySource(new Float32Array(8 * 4).fill(-3e38), Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1]), 4, 4);
  await assert.rejects(fit(model, big, { epochs: 1, progress: 'none' }), (err: Error) => {
    assert.ok(err instanceof NonFiniteLossError, `${err.name}: ${err.message}`);
    assert.match(
      err.message,
      /^fit: the loss is (NaN|Infinity) in epoch 1, batch 0, at learning rate 0\.001; expected a finite number/,
    );
    return true;
  });
  weightValues(model).forEach((w, i) => assert.deepEqual(w, before[i]));
  model.dispose();
});

test('NaN in the input: TensorDataset refuses it at construction; a raw source is named by batch and sample index', async () => {
  const x = tf.tensor2d([
    [1, 2],
    [3, NaN],
    [5, 6],
  ]);
  const y = tf.tensor1d([0, 1, 0], 'int32');
  assert.throws(
    () => new TensorDataset(x, y),
    (err: Error) =>
      err instanceof DataFormatError &&
      /TensorDataset: x of sample 1 holds NaN or an infinite value; expected finite numbers \(shape \[3,2\]\)/.test(
        err.message,
      ),
  );
  tf.dispose([x, y]);

  const features = blobs(16, 4).features.slice();
  features[9 * 4 + 2] = NaN; // sample 9: batch 2 at batch size 4
  const source = new ArraySource(features, blobs(16, 4).labels, 4, 4);
  const model = denseModel({ prefix: 'naninput' });
  await assert.rejects(fit(model, source, { epochs: 1, progress: 'none' }), (err: Error) => {
    assert.ok(err instanceof DataFormatError, `${err.name}: ${err.message}`);
    assert.match(
      err.message,
      /^fit: the input of batch 2 in epoch 1 holds NaN or infinite values \(sample indices 9\), so the loss is NaN; expected finite numbers/,
    );
    return true;
  });
  model.dispose();
});

test('labels outside [0, classes) or not integers: LabelRangeError naming the value and the sample index, before any update', async () => {
  const cases: [number[], 'int32' | 'float32', number, number, RegExp][] = [
    [
      [0, 1, 2, 1, 0, 3, 1, 2],
      'int32',
      3,
      5,
      /label 3 at sample index 5 \(batch 1 of epoch 1\) is outside \[0, 3\); expected integer class indices 0\.\.2, because the model outputs 3 classes/,
    ],
    [[0, -1, 2, 1], 'int32', -1, 1, /label -1 at sample index 1 \(batch 0 of epoch 1\) is outside \[0, 3\)/],
    [
      [0, 1, 2, 1, 0, 1, 3.7, 2],
      'float32',
      3.700000047683716,
      6,
      /label 3\.70000004\d* at sample index 6 \(batch 1 of epoch 1\) is not an integer in \[0, 3\)/,
    ],
    [[999, 999, 999, 999], 'int32', 999, 0, /label 999 at sample index 0/],
  ];
  for (const [labels, dtype, value, index, message] of cases) {
    const model = denseModel({ prefix: 'labels' });
    const before = weightValues(model).map((w) => w.slice());
    await assert.rejects(
      fit(model, labelled(labels, dtype), { epochs: 1, optimizer: 'sgd', learningRate: 0.5, progress: 'none' }),
      (err: Error) => {
        assert.ok(err instanceof LabelRangeError, `${err.name}: ${err.message}`);
        assert.equal(err.value, value);
        assert.equal(err.index, index);
        assert.match(err.message, message);
        return true;
      },
    );
    if (index < 4)
      weightValues(model).forEach((w, i) => assert.deepEqual(w, before[i], 'the bad batch was not trained'));
    model.dispose();
  }
  // Valid float labels (0.0, 1.0, 2.0) are accepted, as evaluate accepts them.
  const ok = denseModel({ prefix: 'labels' });
  await fit(ok, labelled([0, 1, 2, 1, 0, 2, 1, 0], 'float32'), { epochs: 1, progress: 'none' });
  ok.dispose();
});

test('evaluate and fit raise the same error kind for a label outside the class range', async () => {
  const model = denseModel({ prefix: 'evallabels' });
  await assert.rejects(evaluate(model, labelled([0, 1, 2, 5], 'int32')), (err: Error) => {
    assert.ok(err instanceof LabelRangeError, `${err.name}: ${err.message}`);
    assert.equal(err.value, 5);
    assert.equal(err.index, 3);
    assert.match(err.message, /label pair 3 is \(actual 5, predicted \d\); expected integers in \[0, 3\)/);
    return true;
  });
  model.dispose();
});

test('checkpoint lock: a second run on the same folder gets a CheckpointError naming the folder and the holder', async () => {
  const dir = tempDir('lock');
  const slow = denseModel({ prefix: 'lockA' });
  const other = denseModel({ prefix: 'lockB' });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  // The first run waits in its first epoch until the second one has been refused.
  const first = fit(slow, blobs(32, 1), {
    epochs: 2,
    checkpoint: dir,
    progress: 'none',
    callbacks: { onEpochBegin: () => gate },
  });
  await new Promise((r) => setTimeout(r, 50));
  const holder = JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as {
    pid: number;
    host: string;
    startedAt: string;
  };
  assert.equal(holder.pid, process.pid);
  assert.equal(holder.host, os.hostname());
  await assert.rejects(fit(other, blobs(32, 2), { epochs: 1, checkpoint: dir, progress: 'none' }), (err: Error) => {
    assert.ok(err instanceof CheckpointError, `${err.name}: ${err.message}`);
    assert.equal(err.dir, dir);
    assert.match(
      err.message,
      new RegExp(
        `checkpoint folder ${dir} is in use by another run \\(pid ${process.pid} on ${os.hostname()}, started ${holder.startedAt.replace(/\./g, '\\.')}`,
      ),
    );
    return true;
  });
  release();
  const result = await first;
  assert.equal(readCheckpointMetadata(path.join(dir, 'last')).epoch, 2, 'the first run finished untouched');
  assert.deepEqual(result.notes, []);
  assert.ok(!fs.existsSync(path.join(dir, LOCK_FILE)), 'released at the end');
  // A live process of another program holding the lock also refuses.
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    fs.writeFileSync(
      path.join(dir, LOCK_FILE),
      JSON.stringify({ pid: sleeper.pid, host: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' }),
    );
    assert.throws(
      () => lockRunFolder(dir),
      /in use by another run \(pid \d+ on .*, started 2026-01-01T00:00:00\.000Z\)/,
    );
  } finally {
    sleeper.kill('SIGKILL');
  }
  await new Promise((r) => sleeper.once('exit', r));
  // Now its holder is gone: the next run takes the lock over and says so.
  const third = denseModel({ prefix: 'lockA' });
  const taken = await fit(third, blobs(32, 1), { epochs: 3, checkpoint: dir, resume: true, progress: 'none' });
  assert.equal(taken.notes.length, 1);
  assert.match(
    taken.notes[0],
    new RegExp(
      `checkpoint folder ${dir}: took over a stale lock \\(pid ${sleeper.pid} on .*; process ${sleeper.pid} is gone\\)`,
    ),
  );
  assert.ok(!fs.existsSync(path.join(dir, LOCK_FILE)));
  [slow, other, third].forEach((m) => m.dispose());
});

test("stale temp and version folders of dead processes are removed by the next save; epoch-NNN is this run's own save", async () => {
  const dir = tempDir('stale');
  const dead = deadPid();
  const leftovers = [
    `.last.tmp-${dead}-0badf00d`,
    `.last.v-${dead}-0badf00d`,
    `.best.tmp-${dead}-12345678`,
    `.epoch-001.tmp-${dead}-abcdef01`,
    `.last.link-${dead}-00000000`,
  ];
  fs.mkdirSync(dir, { recursive: true });
  for (const name of leftovers) {
    if (name.includes('.link-')) fs.symlinkSync('nowhere', path.join(dir, name));
    else {
      fs.mkdirSync(path.join(dir, name));
      fs.writeFileSync(path.join(dir, name, 'weights.bin'), Buffer.alloc(1024));
    }
  }
  const live = `.last.tmp-${process.ppid}-0000beef`; // a live process's work in progress is left alone
  fs.mkdirSync(path.join(dir, live));
  const model = denseModel({ prefix: 'stale' });
  await fit(model, blobs(32, 1), {
    epochs: 2,
    validation: blobs(16, 2),
    monitor: 'val_loss',
    checkpoint: { dir, keepEveryEpoch: true },
    progress: 'none',
  });
  const names = fs.readdirSync(dir);
  for (const name of leftovers) assert.ok(!names.includes(name), `${name} removed; left: ${names}`);
  assert.ok(names.includes(live));
  assert.deepEqual(
    names.filter((n) => /tmp-|link-/.test(n)),
    [live],
  );
  for (const epoch of [1, 2]) {
    const meta = readCheckpointMetadata(path.join(dir, `epoch-00${epoch}`));
    assert.equal(meta.epoch, epoch);
  }
  model.dispose();
});

test('last/ never goes missing while it is replaced: a reader polling it during 40 saves never misses it', async () => {
  const dir = tempDir('window');
  const model = denseModel({ prefix: 'window' });
  const meta: CheckpointMetadata = {
    format: 'lessonkit-checkpoint/1',
    epoch: 0,
    interrupted: false,
    batchesIntoNextEpoch: 0,
    history: [],
    monitor: { metric: 'train_loss', mode: 'min', best: null, bestEpoch: null },
    groups: [],
    savedAt: '',
    tfjsVersion: tf.version_core,
  };
  await saveCheckpoint(path.join(dir, 'last'), model, meta);
  const poller = spawn(
    process.execPath,
    [
      '-e',
      `
    const fs = require('fs'); const f = process.argv[1]; let misses = 0, reads = 0;
    process.stdin.on('data', () => { process.stdout.write(JSON.stringify({ misses, reads })); process.exit(0); });
    (function loop() { for (let i = 0; i < 200; i++) { reads++; try { JSON.parse(fs.readFileSync(f, 'utf8')); } catch { misses++; } } setImmediate(loop); })();
  `,
      path.join(dir, 'last', 'metadata.json'),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let out = '';
  poller.stdout.on('data', (d) => (out += d));
  await new Promise((r) => setTimeout(r, 200));
  for (let i = 1; i <= 40; i++) await saveCheckpoint(path.join(dir, 'last'), model, { ...meta, epoch: i });
  poller.stdin.write('stop\n');
  await new Promise((r) => poller.once('exit', r));
  const { misses, reads } = JSON.parse(out) as { misses: number; reads: number };
  assert.ok(reads > 1000, `the poller read ${reads} times`);
  assert.equal(misses, 0, `${misses} of ${reads} reads found last/metadata.json missing or partial`);
  assert.equal(readCheckpointMetadata(path.join(dir, 'last')).epoch, 40);
  // Replaced versions stay for a grace period (readers that resolved the old link are still walking into them).
  await new Promise((r) => setTimeout(r, RETIRE_GRACE_MS + 200));
  assert.equal(fs.readdirSync(dir).filter((n) => n.startsWith('.last.')).length, 1, 'one version folder remains');
  model.dispose();
});

test('an old plain last/ folder is replaced by the linked layout and still loads', async () => {
  const dir = tempDir('old-layout');
  const model = denseModel({ prefix: 'old' });
  await fit(model, blobs(32, 1), { epochs: 1, checkpoint: dir, progress: 'none' });
  // Turn last/ into the earlier layout: a plain folder.
  const real = fs.realpathSync(path.join(dir, 'last'));
  fs.rmSync(path.join(dir, 'last'));
  fs.renameSync(real, path.join(dir, 'last'));
  assert.ok(fs.lstatSync(path.join(dir, 'last')).isDirectory());
  const resumed = await fit(model, blobs(32, 1), { epochs: 2, checkpoint: dir, resume: true, progress: 'none' });
  assert.equal(resumed.resumed?.metadata.epoch, 1);
  assert.ok(fs.lstatSync(path.join(dir, 'last')).isSymbolicLink());
  assert.equal(readCheckpointMetadata(path.join(dir, 'last')).epoch, 2);
  model.dispose();
});

test('damaged checkpoint files: errors name the folder and the file (truncated weights, broken JSON)', async () => {
  const dir = tempDir('damaged');
  const model = denseModel({ prefix: 'dmg' });
  await fit(model, blobs(32, 1), { epochs: 1, checkpoint: dir, progress: 'none' });
  const copy = (name: string) => {
    const to = path.join(dir, name);
    fs.cpSync(fs.realpathSync(path.join(dir, 'last')), to, { recursive: true });
    return to;
  };
  const truncated = copy('truncated');
  const bin = path.join(truncated, 'weights.bin');
  fs.truncateSync(bin, Math.floor(fs.statSync(bin).size / 2));
  await assert.rejects(restoreCheckpoint(truncated, model), (err: Error) => {
    assert.ok(err instanceof CheckpointError, `${err.name}: ${err.message}`);
    assert.match(
      err.message,
      new RegExp(
        `^checkpoint ${truncated}: model\\.json \\+ weights\\.bin do not fit together \\(.*\\)\\. Found: .*weights\\.bin \\d+ bytes.*The checkpoint is damaged`,
      ),
    );
    return true;
  });
  await assert.rejects(loadCheckpointModel(truncated), CheckpointError);
  const badMeta = copy('bad-meta');
  fs.writeFileSync(path.join(badMeta, 'metadata.json'), '{"format": "lessonkit-checkpoint/1", "epoch');
  await assert.rejects(
    restoreCheckpoint(badMeta, model),
    new RegExp(`^CheckpointError: checkpoint ${badMeta}: ${path.join(badMeta, 'metadata.json')} is not valid JSON \\(`),
  );
  const badModel = copy('bad-model');
  fs.writeFileSync(path.join(badModel, 'model.json'), '{"modelTopology": {"class_name": "Mod');
  await assert.rejects(
    loadCheckpointModel(badModel),
    new RegExp(`${path.join(badModel, 'model.json')} is not valid JSON .*expected a tfjs model\\.json`),
  );
  await assert.rejects(
    restoreCheckpoint(badModel, model),
    new RegExp(`${path.join(badModel, 'model.json')} is not valid JSON`),
  );
  const badOpt = copy('bad-opt');
  fs.writeFileSync(path.join(badOpt, 'optimizer-default.json'), '{"className": "Adam", "spe');
  await assert.rejects(
    restoreCheckpoint(badOpt, model, [{ name: 'default', optimizer: tf.train.adam() }]),
    new RegExp(`${path.join(badOpt, 'optimizer-default.json')} is not valid JSON .*expected saved optimizer state`),
  );
  model.dispose();
});

test("progress: 'off' and false are silent like 'none'; an unknown value is an OptionError naming the option", async () => {
  const writes: string[] = [];
  const stream = Object.assign(
    new (require('node:stream').Writable)({
      write: (c: Buffer, _e: string, cb: () => void) => (writes.push(String(c)), cb()),
    }),
    { isTTY: false },
  );
  for (const mode of ['off', false] as const) {
    const bar = new ProgressBar(3, { mode: mode as 'off', stream });
    bar.update(1);
    bar.close({ loss: 1 });
  }
  assert.deepEqual(writes, []);
  const logBar = new ProgressBar(3, { mode: 'log', stream });
  logBar.close();
  assert.equal(writes.length, 1, 'the same stream does receive a log line');
  const model = denseModel({ prefix: 'prog' });
  await assert.rejects(fit(model, blobs(16, 1), { epochs: 1, progress: 'quiet' as never }), (err: Error) => {
    assert.ok(err instanceof OptionError);
    assert.equal(err.option, 'progress');
    assert.match(
      err.message,
      /fit options\.progress: expected progress to be one of 'auto', 'notebook', 'terminal', 'log', 'none', 'off' \(or false for none\)\. Received: "quiet"/,
    );
    return true;
  });
  // 'off' runs a whole fit without writing to stderr.
  const child = spawnSync(
    process.execPath,
    [
      '-e',
      `
    const { fit } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'train', 'fit.js'))});
    const { blobs, denseModel } = require(${JSON.stringify(path.join(__dirname, 'helpers.js'))});
    fit(denseModel(), blobs(32, 1), { epochs: 2, progress: 'off' }).then((r) => console.log('epochs', r.epochsCompleted));
  `,
    ],
    { encoding: 'utf8' },
  );
  assert.match(child.stdout, /epochs 2/);
  assert.doesNotMatch(child.stderr, /epoch 1\/2|loss=/, child.stderr);
  model.dispose();
});

test('early stopping on a metric the run does not have is refused up front (it used to stop with "best null at epoch null")', async () => {
  const model = denseModel({ prefix: 'early' });
  await assert.rejects(
    fit(model, blobs(32, 1), { epochs: 5, earlyStopping: { monitor: 'val_loss', patience: 1 }, progress: 'none' }),
    (err: Error) =>
      err instanceof OptionError &&
      err.option === 'earlyStopping.monitor' &&
      /^fit: options\.earlyStopping\.monitor is val_loss but no options\.validation was given$/.test(err.message),
  );
  await assert.rejects(
    fit(model, blobs(32, 1), { epochs: 5, loss: 'mse', earlyStopping: { monitor: 'train_acc' }, progress: 'none' }),
    /options\.earlyStopping\.monitor is train_acc, but loss 'mse' has no accuracy/,
  );
  model.dispose();
});
