import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { withTimeBudget, type Batch } from '../../src/data';

const batches = (n: number): Batch[] =>
  Array.from({ length: n }, (_, i) => ({ x: tf.scalar(i), y: tf.scalar(i, 'int32'), indices: Int32Array.from([i]) }));

test('withTimeBudget repeats its source until the budget is spent, then stops and says how many batches it gave', async () => {
  const source = batches(3);
  const budget = withTimeBudget(source, 0.25);
  const seen: number[] = [];
  const t = Date.now();
  for await (const b of budget) {
    seen.push(b.indices[0]);
    await new Promise((r) => setTimeout(r, 20)); // a 20 ms "training step"
  }
  const elapsed = (Date.now() - t) / 1000;
  assert.ok(seen.length > 3, `the source was repeated: ${seen.length} batches`);
  assert.deepEqual(seen.slice(0, 6), [0, 1, 2, 0, 1, 2], 'in source order, pass after pass');
  assert.equal(budget.batches, seen.length);
  assert.ok(elapsed >= 0.25 && elapsed < 0.25 + 1, `stopped at the first batch after the budget: ${elapsed} s`);
  tf.dispose(source.flatMap((b) => [b.x, b.y]));
});

test('withTimeBudget gives at least one batch, and rejects a bad budget or an empty source', async () => {
  const source = batches(2);
  const tiny = withTimeBudget(source, 1e-9);
  let n = 0;
  for await (const b of tiny) {
    n += b.indices.length;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(n, 1);
  assert.throws(() => withTimeBudget(source, 0), /seconds must be a positive number; found 0/);
  assert.throws(() => withTimeBudget(source, Number.NaN), /found NaN/);
  await assert.rejects(async () => {
    for await (const _ of withTimeBudget([], 1)) void _;
  }, /the source gave no batches/);
  tf.dispose(source.flatMap((b) => [b.x, b.y]));
});
