/**
 * `fit`, `evaluate` and `cacheFeatures` through the graph path give what they give eagerly (LESSONKIT_GRAPH=off):
 * the same history and weights after training (Adam, SGD with momentum and clipping, parameter groups, a learning-rate
 * schedule that recompiles, a recurrent model), the same evaluation and the same cached features; and the graph path
 * actually ran (the process-wide counters moved). A model with Dropout trains eagerly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../src/engine';
import { NonFiniteLossError } from '../../src/errors';
import { graphTotals } from '../../src/engine/graph';
import { FusedLSTM, cacheFeatures, resnet18, splitBackboneHead } from '../../src/models';
import { evaluate } from '../../src/train/evaluate';
import { fit, type FitOptions } from '../../src/train/fit';
import { ArraySource, blobs, denseModel, maxAbsDiff, weightValues } from '../train/helpers';

ensureEngine();

async function bothWays<T>(run: () => Promise<T>): Promise<{ eager: T; graph: T; graphSteps: number }> {
  process.env.LESSONKIT_GRAPH = 'off';
  let eager: T;
  try {
    eager = await run();
  } finally {
    delete process.env.LESSONKIT_GRAPH;
  }
  const before = graphTotals.graphSteps;
  const graph = await run();
  return { eager, graph, graphSteps: graphTotals.graphSteps - before };
}

function closeHistories(a: { records: readonly object[] }, b: { records: readonly object[] }, what: string): void {
  assert.equal(a.records.length, b.records.length, what);
  a.records.forEach((r, i) => {
    for (const k of ['train_loss', 'train_acc', 'val_loss', 'val_acc', 'lr']) {
      const x = (r as Record<string, number | null>)[k];
      const y = (b.records[i] as Record<string, number | null>)[k];
      if (x === null || y === null) assert.equal(x, y, `${what} epoch ${i + 1} ${k}`);
      else
        assert.ok(Math.abs(x - y) <= 1e-4 * (1 + Math.abs(y)), `${what} epoch ${i + 1} ${k}: graph ${x} vs eager ${y}`);
    }
  });
}

const CASES: Array<{ name: string; options: (m: tf.LayersModel) => FitOptions }> = [
  { name: 'adam', options: () => ({ optimizer: 'adam' }) },
  { name: 'sgd+momentum, clipNorm', options: () => ({ optimizer: 'sgd', clipNorm: 0.5 }) },
  {
    name: 'parameter groups',
    options: (m) => ({
      optimizer: 'adam',
      paramGroups: [{ name: 'head', variables: m.layers[m.layers.length - 1].trainableWeights, learningRate: 0.003 }],
    }),
  },
  {
    name: 'step schedule (recompiles per learning rate)',
    options: () => ({ optimizer: 'adam', learningRate: 0.01, schedule: { kind: 'step', stepSize: 1, gamma: 0.5 } }),
  },
];

for (const c of CASES) {
  test(`fit through the graph path equals eager fit: ${c.name}`, async () => {
    const { eager, graph, graphSteps } = await bothWays(async () => {
      const model = denseModel({ prefix: `g_${c.name.replace(/\W+/g, '_')}`, seed: 4 });
      // 70 samples in batches of 16: the last batch (6) is another shape, compiled separately.
      const result = await fit(model, blobs(70, 8), {
        epochs: 3,
        validation: blobs(32, 9),
        progress: 'none',
        ...c.options(model),
      });
      const weights = weightValues(model);
      model.dispose();
      return { history: result.history, weights };
    });
    closeHistories(graph.history, eager.history, c.name);
    assert.ok(
      maxAbsDiff(graph.weights, eager.weights) < 1e-4,
      `${c.name}: weights differ by ${maxAbsDiff(graph.weights, eager.weights)}`,
    );
    assert.ok(graphSteps >= 8, `${c.name}: only ${graphSteps} steps ran as one native call`);
  });
}

test('fit through the graph path equals eager fit: a recurrent model (fused LSTM)', async () => {
  const n = 48;
  const steps = 6;
  const features = new Float32Array(n * steps * 3).map((_, i) => Math.sin(i * 0.37));
  const labels = new Int32Array(n).map((_, i) => i % 3);
  const source = () => {
    const flat = new ArraySource(features, labels, steps * 3, 16);
    return {
      length: flat.length,
      *[Symbol.iterator]() {
        for (const b of flat) yield { ...b, x: b.x.reshape([-1, steps, 3]) };
      },
    };
  };
  const { eager, graph, graphSteps } = await bothWays(async () => {
    const input = tf.input({ shape: [steps, 3] });
    const h = new FusedLSTM({ units: 8, seed: 2 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({
      inputs: input,
      outputs: tf.layers
        .dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })
        .apply(h) as tf.SymbolicTensor,
    });
    const result = await fit(model, source(), { epochs: 3, progress: 'none', learningRate: 0.01 });
    const weights = weightValues(model);
    model.dispose();
    return { history: result.history, weights };
  });
  closeHistories(graph.history, eager.history, 'lstm');
  assert.ok(maxAbsDiff(graph.weights, eager.weights) < 1e-4);
  assert.ok(graphSteps >= 6, `only ${graphSteps} graph steps`);
});

test('a non-finite loss on a compiled step: fit stops and the weights stay as after the last finite batch', async () => {
  // 6 batches of 4: batches 0 and 1 are recorded (Adam makes its slots in the first), 2 to 4 run compiled, and
  // batch 5 (huge inputs, an infinite loss) runs compiled too; check(loss) must see it before anything is assigned.
  const base = blobs(20, 3, 4);
  const features = new Float32Array(24 * 4).fill(-3e38);
  features.set(base.features);
  const labels = Int32Array.from({ length: 24 }, (_, i) => (i < 20 ? base.labels[i] : i % 3));
  const model = denseModel({ prefix: 'g_nan', seed: 5 });
  let lastFinite: Float32Array[] = [];
  const before = graphTotals.graphSteps;
  await assert.rejects(
    fit(model, new ArraySource(features, labels, 4, 4), {
      epochs: 1,
      progress: 'none',
      callbacks: { onBatchEnd: () => void (lastFinite = weightValues(model).map((w) => w.slice())) },
    }),
    (err: Error) => err instanceof NonFiniteLossError && /batch 5/.test(err.message),
  );
  assert.ok(graphTotals.graphSteps - before >= 4, `only ${graphTotals.graphSteps - before} graph steps`);
  assert.equal(lastFinite.length, model.weights.length);
  weightValues(model).forEach((w, i) => assert.deepEqual(w, lastFinite[i]));
  model.dispose();
});

test('a model with Dropout trains eagerly (no graph step)', async () => {
  const input = tf.input({ shape: [4] });
  const h = tf.layers
    .dropout({ rate: 0.5, seed: 1 })
    .apply(tf.layers.dense({ units: 8 }).apply(input)) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 3 }).apply(h) as tf.SymbolicTensor });
  const before = graphTotals.graphSteps;
  await fit(model, blobs(64, 1), { epochs: 2, progress: 'none' });
  assert.equal(graphTotals.graphSteps, before);
  model.dispose();
});

test('evaluate and cacheFeatures (a ResNet-18 backbone, BatchNorm in inference mode) through the graph path equal eager', async () => {
  const model = await resnet18({ includeTop: true, classes: 5, inputShape: [32, 32, 3], seed: 1 });
  const n = 40;
  const images = tf.randomNormal([n, 32, 32, 3], 0, 1, 'float32', 3);
  const source = () => {
    const out: Array<{ x: tf.Tensor; y: tf.Tensor; indices: Int32Array }> = [];
    for (let i = 0; i < n; i += 16) {
      const k = Math.min(16, n - i);
      out.push({
        x: images.slice(i, k),
        y: tf.tensor1d(
          Array.from({ length: k }, (_, j) => (i + j) % 5),
          'int32',
        ),
        indices: Int32Array.from({ length: k }, (_, j) => i + j),
      });
    }
    return out;
  };
  const ev = await bothWays(async () => {
    const r = await evaluate(model, source());
    return { loss: r.loss, accuracy: r.accuracy };
  });
  assert.ok(
    Math.abs(ev.graph.loss - ev.eager.loss) < 1e-4 * (1 + ev.eager.loss),
    `evaluate loss ${ev.graph.loss} vs ${ev.eager.loss}`,
  );
  assert.equal(ev.graph.accuracy, ev.eager.accuracy);
  assert.ok(ev.graphSteps >= 1, 'evaluate ran compiled batches');
  const { backbone } = splitBackboneHead(model);
  const cf = await bothWays(async () => {
    const cache = await cacheFeatures(backbone, source());
    const all = cache.concat();
    const values = Float32Array.from(all.x.dataSync());
    cache.dispose();
    tf.dispose([all.x, all.y]);
    return values;
  });
  assert.ok(maxAbsDiff([cf.graph], [cf.eager]) < 1e-4, `features differ by ${maxAbsDiff([cf.graph], [cf.eager])}`);
  assert.ok(cf.graphSteps >= 1, 'cacheFeatures ran compiled batches');
  images.dispose();
  model.dispose();
});
