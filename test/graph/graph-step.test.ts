/**
 * Graph–eager equivalence of the graph path (src/engine/graph): the same model trained by the same Adam, once
 * eagerly and once through `GraphStepCompiler` (record, compile, then one native call per step), must give the
 * same losses, weights and optimizer slots within float32 tolerance, step by step; and the compiled function must
 * actually have run. Plus the fallbacks: an uncovered model gets no graph path, and a step that cannot be recorded
 * turns the path off and still trains correctly.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../src/engine';
import {
  graphStepCompiler,
  graphPathFor,
  onGraphCompiled,
  uncoveredReason,
  type CompiledGraphDescription,
  type GraphStepCompiler,
} from '../../src/engine/graph';
import {
  FusedGRU,
  FusedLSTM,
  FusedSimpleRNN,
  applyFreezeStrategy,
  compileFrozenBackbone,
  recurrentModel,
  replaceHead,
  resnet18,
  splitBackboneHead,
  trainableVariables,
} from '../../src/models';
import { chainCount } from '../../src/models/recurrent/graph-recurrent';
import { computeLoss } from '../../src/train/losses';

ensureEngine();

const STEPS = 5;
const FEATURES = 4;
const UNITS = 6;
const CLASSES = 3;
/** 64 samples: two parallel chains of 32 in the recorded recurrent layers (graph-recurrent.ts) on 2 or more cores. */
const BATCH = 64;

type Kind = 'simplernn' | 'lstm' | 'gru' | 'bilstm' | 'layers-lstm' | 'layers-gru';

function build(kind: Kind): tf.LayersModel {
  if (kind === 'layers-lstm' || kind === 'layers-gru') {
    return recurrentModel({
      cell: kind === 'layers-lstm' ? 'lstm' : 'gru',
      inputShape: [STEPS, FEATURES],
      outputUnits: CLASSES,
      units: UNITS,
      seed: 3,
    });
  }
  const input = tf.input({ shape: [STEPS, FEATURES] });
  const args = { units: UNITS, seed: 3, name: 'rnn' };
  let h: tf.SymbolicTensor;
  if (kind === 'simplernn') h = new FusedSimpleRNN(args).apply(input) as tf.SymbolicTensor;
  else if (kind === 'gru') h = new FusedGRU(args).apply(input) as tf.SymbolicTensor;
  else {
    h = new FusedLSTM(args).apply(input) as tf.SymbolicTensor;
    if (kind === 'bilstm') {
      const back = new FusedLSTM({ units: UNITS, seed: 4, goBackwards: true, name: 'rnn_back' }).apply(
        input,
      ) as tf.SymbolicTensor;
      h = tf.layers.concatenate().apply([h, back]) as tf.SymbolicTensor;
    }
  }
  return tf.model({
    inputs: input,
    outputs: tf.layers
      .dense({ units: CLASSES, name: 'fc', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) })
      .apply(h) as tf.SymbolicTensor,
  });
}

function batches(n: number): Array<{ x: tf.Tensor; y: tf.Tensor }> {
  return Array.from({ length: n }, (_, i) => ({
    x: tf.randomNormal([BATCH, STEPS, FEATURES], 0, 1, 'float32', 10 + i),
    y: tf.randomUniform([BATCH], 0, CLASSES, 'int32', 20 + i),
  }));
}

function close(a: tf.Tensor, b: tf.Tensor, what: string, tol = 2e-4): void {
  const da = a.dataSync();
  const db = b.dataSync();
  assert.equal(da.length, db.length, `${what}: sizes`);
  let worst = 0;
  // Relative, with a floor of 0.01 in the scale: near-zero values (fresh biases) compare absolutely at tol / 100.
  for (let i = 0; i < da.length; i++) worst = Math.max(worst, Math.abs(da[i] - db[i]) / (1e-2 + Math.abs(db[i])));
  assert.ok(worst <= tol, `${what}: relative difference ${worst} > ${tol}`);
}

async function compareTraining(kind: Kind, nSteps = 5): Promise<GraphStepCompiler> {
  const eagerModel = build(kind);
  const graphModel = build(kind);
  graphModel.setWeights(eagerModel.getWeights());
  const eagerOpt = tf.train.adam(0.01);
  const graphOpt = tf.train.adam(0.01);
  const eagerVars = trainableVariables(eagerModel);
  const graphVars = trainableVariables(graphModel);
  const compiler = graphStepCompiler({ optimizers: [graphOpt] });
  assert.ok(compiler, 'the graph path is available on the CPU backend with the patched binding');
  const data = batches(nSteps);
  for (let s = 0; s < nSteps; s++) {
    const { x, y } = data[s];
    const lossOf = (m: tf.LayersModel) => () =>
      computeLoss('cross-entropy', m.apply(x, { training: true }) as tf.Tensor, y) as tf.Scalar;
    const eagerLoss = eagerOpt.minimize(lossOf(eagerModel), true, eagerVars) as tf.Scalar;
    const [graphLoss] = compiler.step([x, y], () => [
      graphOpt.minimize(lossOf(graphModel), true, graphVars) as tf.Scalar,
    ]);
    close(graphLoss, eagerLoss, `${kind} step ${s} loss`);
    tf.dispose([eagerLoss, graphLoss]);
    eagerModel.weights.forEach((w, i) =>
      close(graphModel.weights[i].read(), w.read(), `${kind} step ${s} weight ${w.name}`),
    );
  }
  // Adam's moments hold the gradients: equal slots mean equal gradients at every step.
  const [es, gs] = await Promise.all([eagerOpt.getWeights(), graphOpt.getWeights()]);
  assert.equal(es.length, gs.length);
  es.forEach((w, i) => close(gs[i].tensor, w.tensor, `${kind} optimizer slot ${w.name}`));
  assert.equal(graphOpt.iterations, eagerOpt.iterations, 'iterations advance in the graph path');
  assert.equal(compiler.info.disabledReason, undefined, `${kind}: ${compiler.info.disabledReason}`);
  assert.ok(
    compiler.info.graphSteps >= nSteps - 2,
    `${kind}: ${compiler.info.graphSteps} of ${nSteps} steps ran as one native call`,
  );
  tf.dispose(data.flatMap((d) => [d.x, d.y]));
  eagerModel.dispose();
  graphModel.dispose();
  compiler.dispose();
  return compiler;
}

for (const kind of ['simplernn', 'lstm', 'gru', 'bilstm', 'layers-lstm', 'layers-gru'] as const) {
  test(`graph path: ${kind} train step (loss, gradients via Adam slots, updated weights) matches eager`, async () => {
    await compareTraining(kind);
  });
}

test('graph path: the recorded LSTM step runs the batch as parallel chains, one LSTMBlockCell per chain and step', async (t) => {
  const chains = chainCount(BATCH);
  if (chains < 2) {
    t.skip(
      'SKIPPED: one inter-op thread here (TF_NUM_INTEROP_THREADS, else the core count), so there is no second chain',
    );
    return;
  }
  const compiled: CompiledGraphDescription[] = [];
  onGraphCompiled((d) => compiled.push(d));
  try {
    await compareTraining('lstm', 2);
  } finally {
    onGraphCompiled(undefined);
  }
  assert.ok(compiled.length >= 1);
  assert.equal(compiled[0].opCounts.LSTMBlockCell, STEPS * chains);
  assert.equal(compiled[0].opCounts.LSTMBlockCellGrad, STEPS * chains);
});

test('graph path: a model with Dropout is not covered (fit falls back to eager)', () => {
  const m = recurrentModel({
    cell: 'lstm',
    inputShape: [STEPS, FEATURES],
    outputUnits: CLASSES,
    units: UNITS,
    layers: 2,
    dropout: 0.3,
    seed: 1,
  });
  assert.match(uncoveredReason(m) ?? '', /Dropout/);
  assert.equal(graphPathFor(m, [tf.train.adam()]), null);
  assert.equal(uncoveredReason(build('lstm')), undefined);
});

test('graph path: a step that reads a tensor back mid-step turns the path off and still trains eagerly', () => {
  const m = build('simplernn');
  const opt = tf.train.adam(0.01);
  const vars = trainableVariables(m);
  const compiler = graphStepCompiler({ optimizers: [opt] });
  assert.ok(compiler);
  const [{ x, y }] = batches(1);
  for (let s = 0; s < 3; s++) {
    const [loss] = compiler.step([x, y], () => [
      opt.minimize(
        () => {
          const out = m.apply(x, { training: true }) as tf.Tensor;
          out.dataSync(); // a read-back in the middle of the step: the JS side could branch on it
          return computeLoss('cross-entropy', out, y) as tf.Scalar;
        },
        true,
        vars,
      ) as tf.Scalar,
    ]);
    loss.dispose();
  }
  assert.match(compiler.info.disabledReason ?? '', /read back/);
  assert.equal(compiler.info.graphSteps, 0);
  assert.equal(compiler.info.eagerSteps, 3);
  assert.equal(opt.iterations, 3);
});

test('graph path: a rank-2 matmul is recorded as MatMul (transposes kept), a batched one stays BatchMatMulV2', () => {
  const compiled: CompiledGraphDescription[] = [];
  onGraphCompiled((d) => compiled.push(d));
  try {
    const compiler = graphStepCompiler();
    assert.ok(compiler);
    const a = tf.randomNormal([5, 3], 0, 1, 'float32', 1);
    const b = tf.randomNormal([4, 3], 0, 1, 'float32', 2);
    const p = tf.randomNormal([2, 3, 5], 0, 1, 'float32', 3);
    const q = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 4);
    const c = tf.randomNormal([3, 4], 0, 1, 'float32', 5);
    const f = () => [tf.matMul(a, b, false, true), tf.matMul(a, a, true, false), tf.matMul(a, c), tf.matMul(p, q)];
    const eager = f();
    const recorded = compiler.step([a, b, p, q, c], f);
    const ran = compiler.step([a, b, p, q, c], f);
    assert.equal(compiler.info.graphSteps, 1);
    assert.equal(compiled.length, 1);
    assert.equal(compiled[0].opCounts.MatMul, 3);
    assert.equal(compiled[0].opCounts.BatchMatMulV2, 1);
    eager.forEach((e, i) => {
      assert.deepEqual(ran[i].shape, e.shape);
      const diff = tf.max(tf.abs(tf.sub(ran[i], e))).dataSync()[0];
      assert.ok(diff < 1e-5, `output ${i}: max difference ${diff}`);
    });
    compiler.dispose();
    tf.dispose([a, b, p, q, c, ...eager, ...recorded, ...ran]);
  } finally {
    onGraphCompiled(undefined);
  }
});

test('graph path: LESSONKIT_GRAPH=off gives no compiler', () => {
  process.env.LESSONKIT_GRAPH = 'off';
  try {
    assert.equal(graphStepCompiler(), null);
  } finally {
    delete process.env.LESSONKIT_GRAPH;
  }
  assert.ok(graphStepCompiler());
});

/** Two identical ResNet-18s on 32x32 inputs with a 4-class head (`strategy` 3 freezes the backbone). */
async function resnetPair(strategy?: 3): Promise<[tf.LayersModel, tf.LayersModel]> {
  const make = async () => {
    const m = replaceHead(
      await resnet18({ includeTop: false, pooling: 'avg', inputShape: [32, 32, 3], seed: 7 }),
      { classes: 4 },
      { seed: 8 },
    );
    if (strategy) applyFreezeStrategy(m, { strategy });
    return m;
  };
  const a = await make();
  const b = await make();
  b.setWeights(a.getWeights());
  return [a, b];
}

test('graph path: ResNet-18 fine-tuning step (BatchNorm in training mode, moving statistics) matches eager', async () => {
  const [eagerModel, graphModel] = await resnetPair();
  const eagerOpt = tf.train.adam(1e-3);
  const graphOpt = tf.train.adam(1e-3);
  const compiler = graphStepCompiler({ optimizers: [graphOpt] });
  assert.ok(compiler);
  for (let s = 0; s < 4; s++) {
    const x = tf.randomNormal([6, 32, 32, 3], 0, 1, 'float32', 40 + s);
    const y = tf.randomUniform([6], 0, 4, 'int32', 50 + s);
    const lossOf = (m: tf.LayersModel) => () =>
      computeLoss('cross-entropy', m.apply(x, { training: true }) as tf.Tensor, y) as tf.Scalar;
    const eagerLoss = eagerOpt.minimize(lossOf(eagerModel), true, trainableVariables(eagerModel)) as tf.Scalar;
    const [graphLoss] = compiler.step([x, y], () => [
      graphOpt.minimize(lossOf(graphModel), true, trainableVariables(graphModel)) as tf.Scalar,
    ]);
    close(graphLoss, eagerLoss, `fine-tune step ${s} loss`, 1e-4);
    tf.dispose([x, y, eagerLoss, graphLoss]);
  }
  // Every weight, the BatchNorm moving mean and variance included (non-trainable, updated by the step).
  eagerModel.weights.forEach((w, i) =>
    close(graphModel.weights[i].read(), w.read(), `fine-tune weight ${w.name}`, 1e-3),
  );
  assert.equal(compiler.info.disabledReason, undefined, compiler.info.disabledReason);
  assert.ok(compiler.info.graphSteps >= 2, `${compiler.info.graphSteps} graph steps`);
  compiler.dispose();
  eagerModel.dispose();
  graphModel.dispose();
});

test('graph path: strategy-3 head step on the BatchNorm-folded backbone, and folded inference, match eager', async () => {
  const [eagerModel, graphModel] = await resnetPair(3);
  const eagerBackbone = compileFrozenBackbone(eagerModel);
  const graphBackbone = compileFrozenBackbone(graphModel);
  const eagerHead = splitBackboneHead(eagerModel).head;
  const graphHead = splitBackboneHead(graphModel).head;
  const eagerOpt = tf.train.adam(1e-2);
  const graphOpt = tf.train.adam(1e-2);
  const compiler = graphStepCompiler({ optimizers: [graphOpt] });
  const inference = graphStepCompiler();
  assert.ok(compiler && inference);
  for (let s = 0; s < 4; s++) {
    const x = tf.randomNormal([6, 32, 32, 3], 0, 1, 'float32', 60 + s) as tf.Tensor4D;
    const y = tf.randomUniform([6], 0, 4, 'int32', 70 + s);
    const headStep = (backbone: typeof eagerBackbone, head: tf.LayersModel, opt: tf.Optimizer) => () => {
      const f = backbone.features(x);
      const loss = opt.minimize(
        () => computeLoss('cross-entropy', head.apply(f, { training: true }) as tf.Tensor, y) as tf.Scalar,
        true,
        trainableVariables(head),
      ) as tf.Scalar;
      f.dispose();
      return loss;
    };
    const eagerLoss = headStep(eagerBackbone, eagerHead, eagerOpt)();
    const [graphLoss] = compiler.step([x, y], () => [headStep(graphBackbone, graphHead, graphOpt)()]);
    close(graphLoss, eagerLoss, `head step ${s} loss`, 1e-4);
    const eagerOut = tf.tidy(() => eagerHead.apply(eagerBackbone.features(x)) as tf.Tensor);
    const [graphOut] = inference.step([x], () => [
      tf.tidy(() => graphHead.apply(graphBackbone.features(x)) as tf.Tensor),
    ]);
    close(graphOut, eagerOut, `folded inference ${s}`, 1e-4);
    tf.dispose([x, y, eagerLoss, graphLoss, eagerOut, graphOut]);
  }
  eagerModel.weights.forEach((w, i) =>
    close(graphModel.weights[i].read(), w.read(), `head-step weight ${w.name}`, 1e-3),
  );
  assert.ok(
    compiler.info.graphSteps >= 2 && inference.info.graphSteps >= 3,
    JSON.stringify([compiler.info, inference.info]),
  );
  compiler.dispose();
  inference.dispose();
  eagerBackbone.dispose();
  graphBackbone.dispose();
  eagerModel.dispose();
  graphModel.dispose();
});
