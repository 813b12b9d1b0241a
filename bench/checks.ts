/**
 * Cost of fit's reliability checks (issue 13), measured on this machine:
 *  1. the per-batch label check (reads the batch's labels, one number per sample) against a training step;
 *  2. the per-epoch weight check before a checkpoint (one isFinite reduction per weight) on ResNet-18/50;
 *  3. TensorDataset's one-time NaN check on a [10000, 512] feature set (cached backbone features).
 *
 * Usage: node dist/bench/checks.js
 */
import * as tf from '@tensorflow/tfjs';
import { TensorDataset } from '../src/data/tensor-dataset';
import { ensureEngine } from '../src/engine';
import { resnet18, resnet50 } from '../src/models';
import { checkLabels, fit, nonFiniteWeights } from '../src/train/fit';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeMs(fn: () => unknown | Promise<unknown>, repeats: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function main(): Promise<void> {
  ensureEngine();
  // 1. Label check per batch of 128, and a dense net's training step on the same batch for scale.
  const y = tf.tensor1d(
    Array.from({ length: 128 }, (_, i) => i % 10),
    'int32',
  );
  const labelMs = await timeMs(() => checkLabels(y, 10, undefined, 1, 0), 2000);
  const input = tf.input({ shape: [784] });
  const out = tf.layers
    .dense({ units: 10 })
    .apply(tf.layers.dense({ units: 128, activation: 'relu' }).apply(input)) as tf.SymbolicTensor;
  const dense = tf.model({ inputs: input, outputs: out });
  const x = tf.randomNormal([128, 784]);
  const batches = Array.from({ length: 50 }, () => ({ x, y, indices: new Int32Array(128) }));
  // A source whose tensors outlive the batch (fit never disposes batches; loaders do).
  await fit(dense, batches, { epochs: 1, progress: 'none' });
  const epochMs = await timeMs(() => fit(dense, batches, { epochs: 1, progress: 'none' }), 5);
  console.log(
    `label check, batch of 128: ${(labelMs * 1000).toFixed(1)} us; a dense 784-128-10 step at batch 128: ${(epochMs / 50).toFixed(2)} ms ` +
      `(check = ${((labelMs / (epochMs / 50)) * 100).toFixed(2)}% of the step)`,
  );
  // 2. Weight check before each checkpoint.
  for (const [name, build] of [
    ['resnet18', resnet18],
    ['resnet50', resnet50],
  ] as const) {
    const model = await build({ inputShape: [32, 32, 3], classes: 10 });
    const vars = model.weights.map((w) => w.read() as tf.Variable);
    nonFiniteWeights(vars);
    const ms = await timeMs(() => nonFiniteWeights(vars), 10);
    const params = model.countParams();
    console.log(
      `weight check before a checkpoint, ${name} (${(params / 1e6).toFixed(1)}M parameters): ${ms.toFixed(1)} ms per epoch`,
    );
    model.dispose();
  }
  // 3. TensorDataset's one-time check.
  const fx = tf.randomNormal([10000, 512]);
  const fy = tf.tensor1d(
    Array.from({ length: 10000 }, (_, i) => i % 10),
    'int32',
  );
  const buildMs = await timeMs(() => new TensorDataset(fx, fy), 10);
  console.log(`TensorDataset NaN check, [10000, 512] float32 features: ${buildMs.toFixed(1)} ms once`);
  tf.dispose([x, y, fx, fy]);
  dense.dispose();
}

void main();
