/**
 * The kit's Adam (src/train/adam.ts): the same numbers as tf.train.adam, bit for bit, with each variable's update
 * temporaries freed before the next variable's (the eager step's peak tensor memory).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../src/engine';
import { LeanAdamOptimizer, leanAdam } from '../../src/train/adam';
import { makeOptimizer } from '../../src/train/optimizer';

ensureEngine();

let made = 0;

/** Fresh variables (unique names: tfjs registers variables by name), seeded. */
function variables(seed: number, sizes: number[]): tf.Variable[] {
  const set = made++;
  return sizes.map((n, i) => tf.variable(tf.randomNormal([n], 0, 1, 'float32', seed + i), true, `adam-${set}-${i}`));
}

function train(opt: tf.Optimizer, vars: tf.Variable[], steps: number): Float32Array[] {
  for (let s = 0; s < steps; s++) {
    opt.minimize(
      () => tf.addN(vars.map((v, i) => tf.sum(tf.mul(tf.sin(tf.mul(v, i + 1 + s)), v)))) as tf.Scalar,
      false,
      vars,
    );
  }
  return vars.map((v) => v.dataSync() as Float32Array);
}

test("leanAdam gives tf.train.adam's weights and moments bit for bit, and the same state layout", async () => {
  const sizes = [7, 300, 1];
  const a = variables(1, sizes);
  const b = variables(1, sizes);
  b.forEach((v, i) => v.assign(a[i]));
  const reference = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
  const lean = leanAdam(0.01, 0.9, 0.999, 1e-8);
  const ra = train(reference, a, 5);
  const rb = train(lean, b, 5);
  ra.forEach((w, i) => assert.deepEqual(Array.from(rb[i]), Array.from(w), `variable ${i}`));
  const [wa, wb] = [await reference.getWeights(), await lean.getWeights()];
  assert.deepEqual(
    wb.map((w) => w.name.replace(/adam-\d+-/, '')),
    wa.map((w) => w.name.replace(/adam-\d+-/, '')),
  );
  wa.forEach((w, i) => assert.deepEqual(Array.from(wb[i].tensor.dataSync()), Array.from(w.tensor.dataSync())));
  assert.equal(lean.iterations, 5);
  reference.dispose();
  lean.dispose();
  tf.dispose([...a, ...b]);
});

test('leanAdam frees each variable update before the next: peak tensor memory of applying the gradients', async () => {
  const count = 20;
  const size = 50_000; // 20 variables of 200 kB
  const variableBytes = size * 4;
  const peakOf = async (opt: tf.Optimizer) => {
    const vars = variables(
      10,
      Array.from({ length: count }, () => size),
    );
    const loss = () => tf.addN(vars.map((v) => tf.sum(tf.square(v)))) as tf.Scalar;
    opt.minimize(loss, false, vars); // creates the moments
    const { grads, value } = opt.computeGradients(loss, vars);
    const before = tf.memory().numBytes;
    const info = await tf.profile(() => opt.applyGradients(grads));
    tf.dispose([value, ...Object.values(grads), ...vars]);
    opt.dispose();
    return info.peakBytes - before;
  };
  const reference = await peakOf(tf.train.adam(1e-3));
  const lean = await peakOf(makeOptimizer('adam'));
  // tf.train.adam holds about a dozen temporaries of every variable at once; leanAdam one variable's.
  assert.ok(reference > 8 * count * variableBytes, `tf.train.adam: ${reference} bytes above the start`);
  assert.ok(lean < 16 * variableBytes, `leanAdam: ${lean} bytes above the start, expected under ${16 * variableBytes}`);
  assert.ok(makeOptimizer('adam') instanceof LeanAdamOptimizer);
});
