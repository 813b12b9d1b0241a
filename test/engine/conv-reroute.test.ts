/**
 * The per-convolution oneDNN decision: crashing 1x1 convolutions are computed as matrix products, everything else
 * keeps oneDNN. The crash is simulated with an injected list (LESSONKIT_ONEDNN_CRASH_LIST), so these tests check the
 * routing on any CPU; on a CPU where oneDNN really crashes, the real shapes are rerouted as well.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../src/engine';
import {
  canReroute,
  conv1x1AsMatMul,
  convRerouteStatus,
  convRouteKey,
  installConvReroute,
  parseConvRouteKey,
} from '../../src/engine/conv-reroute';
import { decideOneDnn } from '../../src/engine/onednn-guard';
import { bindingPath } from '../../src/engine/probe';
import { onGraphCompiled, type CompiledGraphDescription } from '../../src/engine/graph/recorder';
import { graphStepCompiler } from '../../src/engine/graph/step';

function tmp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lessonkit-${prefix}-`));
}

function maxRel(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / Math.max(1e-30, tf.max(tf.abs(b)).dataSync()[0]));
}

/** Runs `fn` with `keys` rerouted on top of what the engine already reroutes, then restores the engine's set. */
function withRerouted<T>(keys: string[], fn: () => T): T {
  const engineKeys = convRerouteStatus().keys;
  installConvReroute([...new Set([...engineKeys, ...keys])]);
  try {
    return fn();
  } finally {
    installConvReroute(engineKeys);
  }
}

test('conv keys name a shape and only 1x1 convolutions can be rerouted', () => {
  assert.equal(convRouteKey({ kernel: 1, inChannels: 256, outChannels: 1024, stride: 1 }), '1x1 256->1024 s1');
  assert.deepEqual(parseConvRouteKey('1x1 512->1024 s2'), { kernel: 1, inChannels: 512, outChannels: 1024, stride: 2 });
  assert.ok(canReroute(parseConvRouteKey('1x1 512->1024 s2')));
  assert.ok(!canReroute(parseConvRouteKey('3x3 64->64 s1')));
  assert.throws(() => parseConvRouteKey('conv 256 1024'), /Not a convolution key: "conv 256 1024"; expected e\.g\./);
  ensureEngine();
  assert.throws(() => installConvReroute(['3x3 64->64 s1']), /only 1x1 convolutions .* found "3x3 64->64 s1"/);
});

for (const [cin, cout, stride, size] of [
  [8, 24, 1, 5],
  [8, 24, 2, 5],
  [8, 24, 2, 6],
  [16, 32, 3, 7],
] as const) {
  test(`a rerouted 1x1 conv ${cin}->${cout} stride ${stride} at ${size}x${size} equals the native conv, forward and gradients (plain and fused)`, () => {
    ensureEngine();
    const key = convRouteKey({ kernel: 1, inChannels: cin, outChannels: cout, stride });
    const x = tf.randomNormal([2, size, size, cin], 0, 1, 'float32', 1);
    const w = tf.randomNormal([1, 1, cin, cout], 0, 0.2, 'float32', 2);
    const b = tf.randomNormal([cout], 0, 1, 'float32', 3);
    const plain = (a: tf.Tensor, k: tf.Tensor) =>
      tf
        .conv2d(a as tf.Tensor4D, k as tf.Tensor4D, stride, 'same')
        .square()
        .sum();
    const fused = (a: tf.Tensor, k: tf.Tensor) =>
      tf.fused
        .conv2d({
          x: a as tf.Tensor4D,
          filter: k as tf.Tensor4D,
          strides: stride,
          pad: 'valid',
          bias: b,
          activation: 'relu',
        })
        .square()
        .sum();
    const run = () =>
      [plain, fused].flatMap((f) => {
        const [gx, gw] = tf.grads(f)([x, w]);
        return [f(x, w), gx, gw];
      });
    const native = run();
    const before = convRerouteStatus().calls[key] ?? 0;
    const rerouted = withRerouted([key], run);
    const calls = (convRerouteStatus().calls[key] ?? 0) - before;
    assert.ok(calls >= 8, `the rerouted kernels ran (${calls} calls)`);
    native.forEach((t, i) => {
      const d = maxRel(rerouted[i], t);
      assert.ok(d <= 1e-5, `output ${i}: relative difference ${d} > 1e-5`);
    });
    assert.deepEqual(
      rerouted.map((t) => t.shape),
      native.map((t) => t.shape),
    );
    tf.dispose([...native, ...rerouted, x, w, b]);
  });
}

test('the graph path records a rerouted conv as matrix products, not Conv2D, and computes the same step', () => {
  ensureEngine();
  const key = '1x1 8->24 s2';
  const compiled: CompiledGraphDescription[] = [];
  onGraphCompiled((d) => compiled.push(d));
  try {
    withRerouted([key], () => {
      const compiler = graphStepCompiler();
      assert.ok(compiler, 'the graph path is on');
      const x = tf.randomNormal([2, 6, 6, 8], 0, 1, 'float32', 4);
      const w = tf.randomNormal([1, 1, 8, 24], 0, 0.2, 'float32', 5);
      const f = () =>
        tf.grads((a: tf.Tensor, k: tf.Tensor) =>
          tf
            .conv2d(a as tf.Tensor4D, k as tf.Tensor4D, 2, 'valid')
            .square()
            .sum(),
        )([x, w]);
      const eager = f();
      const recorded = compiler.step([x, w], f);
      const ran = compiler.step([x, w], f);
      assert.equal(compiler.info.graphSteps, 1);
      assert.equal(compiled.length, 1);
      const ops = compiled[0].opCounts;
      assert.ok((ops.MatMul ?? 0) >= 3, `forward and both gradients as MatMul (${JSON.stringify(ops)})`);
      assert.ok(
        !Object.keys(ops).some((n) => n.startsWith('Conv2D')),
        `no Conv2D op recorded (${JSON.stringify(ops)})`,
      );
      eager.forEach((e, i) => assert.ok(maxRel(ran[i], e) < 1e-5, `output ${i} equals the eager step`));
      compiler.dispose();
      tf.dispose([x, w, ...eager, ...recorded, ...ran]);
    });
  } finally {
    onGraphCompiled(undefined);
  }
});

test('an injected crash in a 1x1 conv keeps oneDNN on and reroutes that shape (the real self-test child)', () => {
  ensureEngine();
  const dir = tmp('reroute-guard');
  const cacheFile = path.join(dir, 'onednn.json');
  const injected = ['1x1 64->256 s1', '1x1 512->1024 s2'];
  const env = {
    ...process.env,
    LESSONKIT_ONEDNN: '',
    TF_ENABLE_ONEDNN_OPTS: '',
    LESSONKIT_ONEDNN_CRASH_LIST: injected.join(','),
  };
  const d = decideOneDnn({ cacheFile, env, bindingFile: bindingPath('@tensorflow/tfjs-node') });
  assert.equal(d.enabled, true, d.summary);
  for (const k of injected) assert.ok(d.rerouted.includes(k), `${k} rerouted (${d.rerouted.join(', ')})`);
  assert.ok(
    d.rerouted.every((k) => canReroute(parseConvRouteKey(k))),
    'only 1x1 shapes are rerouted',
  );
  assert.match(d.summary, /^oneDNN on; \d+ conv shapes rerouted to MatMul \(/);
  assert.equal(d.selfTest?.outcome, 'passed');
  assert.ok((d.selfTest?.childRuns ?? 0) >= injected.length + 1, 'one child per crash, and one that passed');
  // Cached: the next process reuses the list without a child.
  const again = decideOneDnn({ cacheFile, env, bindingFile: bindingPath('@tensorflow/tfjs-node') });
  assert.equal(again.ranSelfTest, false);
  assert.deepEqual(again.rerouted, d.rerouted);
  fs.rmSync(dir, { recursive: true, force: true });
});

for (const [what, list] of [
  ['a matrix product', 'matmul'],
  ['a 3x3 conv', '3x3 64->64 s1'],
] as const) {
  test(`an injected crash in ${what} falls back to oneDNN off for the whole process`, () => {
    ensureEngine();
    const dir = tmp('reroute-fallback');
    const env = { ...process.env, LESSONKIT_ONEDNN: '', TF_ENABLE_ONEDNN_OPTS: '', LESSONKIT_ONEDNN_CRASH_LIST: list };
    const d = decideOneDnn({
      cacheFile: path.join(dir, 'onednn.json'),
      env,
      bindingFile: bindingPath('@tensorflow/tfjs-node'),
    });
    assert.equal(d.enabled, false, d.summary);
    assert.deepEqual(d.rerouted, []);
    assert.match(d.summary, /oneDNN OFF: its self-test crashed with SIGFPE/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

test('conv1x1AsMatMul is the 1x1 conv (direct check against a hand-computed product)', () => {
  ensureEngine();
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
  const w = tf.tensor4d([1, 0, 2, 1, 0, 1], [1, 1, 2, 3]);
  assert.deepEqual(Array.from(conv1x1AsMatMul(x, w, 2).dataSync()), [3, 0, 4]);
  tf.dispose([x, w]);
});
