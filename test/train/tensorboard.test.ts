/**
 * The `TensorBoard` callback, read back by TensorBoard's own reader (EventAccumulator) in the Python environment
 * (`LESSONKIT_PYTHON`, else .venv/bin/python); where the `tensorboard` package is missing, by TensorFlow's reader of the
 * same files; SKIPPED with the reason where neither is importable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fit, TensorBoard } from 'lessonkit/train';
import { ensureEngine } from '../../src/engine';
import { blobs, denseModel, tempDir } from './helpers';

ensureEngine();

const REPO = path.resolve(__dirname, '..', '..', '..');
const PYTHON = process.env.LESSONKIT_PYTHON ?? path.join(REPO, '.venv', 'bin', 'python');
const READER = path.join(REPO, 'test', 'train', 'fixtures', 'read-tensorboard.py');

interface RunEvents {
  scalars: Record<string, [number, number][]>;
  histograms: Record<string, number[]>;
}

/** The event files of `logDir` as the Python reader sees them, or the reason it cannot read them. */
function readEvents(logDir: string): { reader: string; runs: Record<string, RunEvents> } | string {
  if (!fs.existsSync(PYTHON)) return `no Python at ${PYTHON} (set LESSONKIT_PYTHON or create .venv)`;
  const r = spawnSync(PYTHON, [READER, logDir], { encoding: 'utf8', timeout: 300_000 });
  if (r.status === 3) return r.stderr.trim();
  assert.equal(r.status, 0, `the reader failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { reader: string; runs: Record<string, RunEvents> };
}

test('TensorBoard: per-epoch scalars (loss, acc, val_loss, val_acc, learning rate) and histograms, read back equal to the history', async (t) => {
  const logDir = tempDir('tensorboard');
  const model = denseModel({ prefix: 'tb' });
  const { history } = await fit(model, blobs(64, 31), {
    epochs: 2,
    validation: blobs(32, 32),
    optimizer: 'sgd',
    learningRate: 0.05,
    schedule: { kind: 'step', stepSize: 1, gamma: 0.5 },
    progress: 'none',
    callbacks: [new TensorBoard({ logDir, histogramFreq: 1 })],
  });
  const weightNames = model.weights.map((w) => w.originalName ?? w.name);
  model.dispose();
  assert.deepEqual(fs.readdirSync(logDir).sort(), ['train', 'validation']);
  const events = readEvents(logDir);
  if (typeof events === 'string') {
    fs.rmSync(logDir, { recursive: true, force: true });
    return t.skip(`SKIPPED: ${events}`);
  }
  t.diagnostic(`read by ${events.reader}`);
  const h = history.records;
  const steps = h.map((r) => r.epoch);
  const expected = (values: (number | null)[]) => values.map((v, i) => [steps[i], v]);
  // Event files store float32: compare at float32 precision.
  const f32 = (pairs: [number, number | null][]) => pairs.map(([s, v]) => [s, Math.fround(v ?? NaN)]);
  const { train, validation } = events.runs;
  assert.deepEqual(Object.keys(train.scalars).sort(), ['epoch_acc', 'epoch_learning_rate', 'epoch_loss']);
  assert.deepEqual(Object.keys(validation.scalars).sort(), ['epoch_acc', 'epoch_loss']);
  assert.deepEqual(train.scalars.epoch_loss, f32(expected(h.map((r) => r.train_loss)) as [number, number][]));
  assert.deepEqual(train.scalars.epoch_acc, f32(expected(h.map((r) => r.train_acc)) as [number, number][]));
  assert.deepEqual(train.scalars.epoch_learning_rate, f32(expected(h.map((r) => r.lr)) as [number, number][]));
  assert.deepEqual(validation.scalars.epoch_loss, f32(expected(h.map((r) => r.val_loss)) as [number, number][]));
  assert.deepEqual(validation.scalars.epoch_acc, f32(expected(h.map((r) => r.val_acc)) as [number, number][]));
  assert.deepEqual(
    h.map((r) => r.lr),
    [0.05, 0.025],
  );
  assert.deepEqual(Object.keys(train.histograms).sort(), [...weightNames].sort());
  for (const name of weightNames) assert.deepEqual(train.histograms[name], steps, name);
  assert.deepEqual(validation.histograms, {});
  fs.rmSync(logDir, { recursive: true, force: true });
});
