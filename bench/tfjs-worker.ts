/**
 * Our side of the benchmark: one workload per process (so peak memory is per workload), printing one JSON line with
 * the same shape as bench/peers.py:
 *
 *     node dist/bench/tfjs-worker.js --workload NAME --threads N --warmup W --repeats R
 *          [--onednn on|off|auto] [--variant fast|layers] [--e2e-samples N]
 *
 * `--onednn auto` (default) takes the per-workload choice in ONEDNN_CHOICE, measured as documented in BENCHMARKS.md;
 * it is applied before TensorFlow loads. `--variant layers` times the plain tfjs-layers path instead of the fast one
 * (folded BatchNorm + fused convs for a frozen or evaluated backbone), for the record of what each lever gives.
 * `--variant graph` times the fast path's step through the graph path (src/engine/graph): the step is recorded once
 * and then runs as ONE native TensorFlow function call; the worker warms up until the function is compiled.
 * `--variant graph-layers` (recurrent rows) records the plain tfjs-layers model instead of the fused layers.
 * `--layout auto|default|recurrent`: TensorFlow's thread layout (`LESSONKIT_THREADS`, src/engine/tf-config.ts) with the
 * same thread count; `auto` (default) takes THREAD_LAYOUT_GRAPH for the graph variant, `default` otherwise.
 */
import * as tf from '@tensorflow/tfjs';
import { configureTensorFlow, ensureEngine, threadLayoutConfig, type ThreadLayout } from '../src/engine';
import {
  FusedGRU,
  FusedLSTM,
  FusedSimpleRNN,
  applyFreezeStrategy,
  cacheFeatures,
  compileFrozenBackbone,
  recurrentModel,
  replaceHead,
  resnet34,
  resnet50,
  splitBackboneHead,
  trainableVariables,
} from '../src/models';
import { computeLoss } from '../src/train/losses';
import { makeOptimizer } from '../src/train/optimizer';
import { graphStepCompiler, type GraphStepCompiler, type GraphStepInfo } from '../src/engine/graph';
import type { Batch } from '../src/data';
import { peakRssMb, timeRepeats, timeRepeatsAsync } from './timing';
import { CLASSES, E2E_EPOCHS, E2E_SAMPLES, HIDDEN, RNN_FEATURES, workloadByName, type Workload } from './workloads';

export type Variant = 'fast' | 'layers' | 'graph' | 'graph-layers';

/** The graph variant's compiler of the current workload (for the result line's settings). */
let graphCompiler: GraphStepCompiler | undefined;

function requireGraph(): GraphStepCompiler {
  const c = graphStepCompiler();
  if (!c)
    throw new Error(
      'tfjs-worker: --variant graph needs the native CPU backend with the patched binding (npm run setup).',
    );
  graphCompiler = c;
  return c;
}

/** Runs `step` through the compiler (graph variant) or as is. */
function through(c: GraphStepCompiler | undefined, inputs: tf.Tensor[], step: () => tf.Tensor[]): tf.Tensor[] {
  return c ? c.step(inputs, step) : step();
}

/**
 * oneDNN per workload, chosen by measurement on 2 cores (BENCHMARKS.md, "Engine settings"): Eigen (off) wins for the
 * small 32x32 convs of a folded frozen or evaluated ResNet-34; oneDNN (on) wins for conv backprop, for the large
 * 224x224 convs of ResNet-50, and for the RNNs' matmuls.
 */
export const ONEDNN_CHOICE: Readonly<Record<string, 'on' | 'off'>> = {
  'resnet34-frozen': 'off',
  'resnet34-finetune': 'on',
  'resnet34-eval': 'off',
  'resnet50-frozen-224-b32': 'on',
  'resnet50-frozen-224-b128': 'on',
  simplernn: 'on',
  lstm: 'on',
  gru: 'on',
  bilstm: 'on',
  'e2e-strategy3': 'off',
};

/**
 * oneDNN for the graph variant, measured the same way (BENCHMARKS.md, "Graph path"): inside one graph oneDNN keeps its
 * blocked layouts across ops, and it wins (or ties) on every row, the small 32x32 convs included.
 */
export const ONEDNN_CHOICE_GRAPH: Readonly<Record<string, 'on' | 'off'>> = Object.fromEntries(
  Object.keys(ONEDNN_CHOICE).map((k) => [k, 'on']),
);

/**
 * The thread layout for the graph variant, measured the same way (BENCHMARKS.md, "Recurrent rows"): the recurrent
 * steps' parallel chains run fastest with one thread per op and one op per thread; the convolutions want every
 * thread on one op.
 */
export const THREAD_LAYOUT_GRAPH: Readonly<Record<string, ThreadLayout>> = {
  simplernn: 'recurrent',
  lstm: 'recurrent',
  gru: 'recurrent',
  bilstm: 'recurrent',
};

interface Args {
  layout: ThreadLayout | 'auto';
  workload: Workload;
  threads: number;
  warmup: number;
  repeats: number;
  onednn: 'on' | 'off' | 'auto';
  variant: Variant;
  e2eSamples: number;
}

function parseArgs(argv: string[]): Args {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (flag: string, dflt: number): number => {
    const raw = get(flag);
    const v = raw === undefined ? dflt : Number(raw);
    if (!Number.isInteger(v) || v < 0)
      throw new Error(`tfjs-worker: ${flag} expects a non-negative integer. Received: ${raw}.`);
    return v;
  };
  const name = get('--workload');
  if (!name) throw new Error('tfjs-worker: --workload NAME is required.');
  const onednn = (get('--onednn') ?? 'auto') as Args['onednn'];
  if (!['on', 'off', 'auto'].includes(onednn))
    throw new Error(`tfjs-worker: --onednn expects on, off or auto. Received: ${onednn}.`);
  const variant = (get('--variant') ?? 'fast') as Variant;
  if (!['fast', 'layers', 'graph', 'graph-layers'].includes(variant))
    throw new Error(`tfjs-worker: --variant expects fast, layers, graph or graph-layers. Received: ${variant}.`);
  const layout = (get('--layout') ?? 'auto') as Args['layout'];
  if (!['auto', 'default', 'recurrent'].includes(layout))
    throw new Error(`tfjs-worker: --layout expects auto, default or recurrent. Received: ${layout}.`);
  return {
    layout,
    workload: workloadByName(name),
    threads: int('--threads', 2),
    warmup: int('--warmup', 2),
    repeats: Math.max(1, int('--repeats', 5)),
    onednn,
    variant,
    e2eSamples: int('--e2e-samples', E2E_SAMPLES),
  };
}

/** The kit's Adam (`fit`'s `'adam'`: src/train/adam.ts), PyTorch's and Keras's defaults. */
const adam = () => makeOptimizer({ name: 'adam', learningRate: 1e-3, epsilon: 1e-8 });

async function buildResNet(w: Workload): Promise<tf.LayersModel> {
  const build = w.arch === 'resnet50' ? resnet50 : resnet34;
  const base = await build({ includeTop: false, pooling: 'avg', inputShape: [w.size, w.size, 3], seed: 0 });
  const model = replaceHead(base, { classes: CLASSES }, { seed: 0 });
  if (w.trains === 'head') applyFreezeStrategy(model, { strategy: 3 });
  return model;
}

function syntheticImages(n: number, size: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return {
    x: tf.randomNormal([n, size, size, 3], 0, 1, 'float32', 0) as tf.Tensor4D,
    y: tf.randomUniform([n], 0, CLASSES, 'int32', 1) as tf.Tensor1D,
  };
}

/** One train step: the loss scalar is read back, so the timing covers the whole step. */
function trainStep(optimizer: tf.Optimizer, vars: tf.Variable[], loss: () => tf.Scalar): void {
  const cost = optimizer.minimize(loss, true, vars);
  cost?.dataSync();
  cost?.dispose();
}

/** The same step through a graph compiler (recorded once, then one native call). */
function graphTrainStep(
  c: GraphStepCompiler,
  inputs: tf.Tensor[],
  optimizer: tf.Optimizer,
  vars: tf.Variable[],
  loss: () => tf.Scalar,
): void {
  const [cost] = c.step(inputs, () => [optimizer.minimize(loss, true, vars) as tf.Scalar]);
  cost.dataSync();
  cost.dispose();
}

export async function cnnStep(w: Workload, variant: Variant): Promise<() => void> {
  const model = await buildResNet(w);
  const { x, y } = syntheticImages(w.batch, w.size);
  const fast = variant !== 'layers' && w.trains !== 'all';
  const graph = variant === 'graph' ? requireGraph() : undefined;
  const backbone = fast ? compileFrozenBackbone(model) : undefined;
  const { head } = splitBackboneHead(model);
  if (w.trains === 'eval') {
    return () => {
      const [out] = through(graph, [x], () => [
        tf.tidy(() => (backbone ? (head.apply(backbone.features(x)) as tf.Tensor) : (model.predict(x) as tf.Tensor))),
      ]);
      out.dataSync();
      out.dispose();
    };
  }
  const optimizer = adam();
  if (backbone) {
    const vars = trainableVariables(head);
    // The frozen backbone runs outside the gradient tape: nothing in it needs a gradient.
    const step = () => {
      const features = backbone.features(x);
      const cost = optimizer.minimize(
        () => computeLoss('cross-entropy', head.apply(features, { training: true }) as tf.Tensor, y),
        true,
        vars,
      ) as tf.Scalar;
      features.dispose();
      return [cost];
    };
    return () => {
      const [cost] = through(graph, [x, y], step);
      cost.dataSync();
      cost.dispose();
    };
  }
  const vars = trainableVariables(model);
  const loss = () => computeLoss('cross-entropy', model.apply(x, { training: true }) as tf.Tensor, y);
  if (graph) return () => graphTrainStep(graph, [x, y], optimizer, vars, loss);
  return () => trainStep(optimizer, vars, loss);
}

/** The kit's builder (`recurrentModel`, tfjs layers), or with `fast` the fused LSTM, GRU and SimpleRNN. */
function rnnModel(w: Workload, variant: Variant): tf.LayersModel {
  const fused = variant === 'fast' || variant === 'graph';
  if (fused && (w.arch === 'gru' || w.arch === 'simplernn')) {
    const input = tf.input({ shape: [w.size, RNN_FEATURES] });
    const args = { units: HIDDEN, seed: 0, name: 'rnn.0' };
    const h = (w.arch === 'gru' ? new FusedGRU(args) : new FusedSimpleRNN(args)).apply(input) as tf.SymbolicTensor;
    return tf.model({
      inputs: input,
      outputs: tf.layers.dense({ units: CLASSES, name: 'fc' }).apply(h) as tf.SymbolicTensor,
    });
  }
  if (!fused) {
    const cell = w.arch === 'simplernn' ? 'simple' : w.arch === 'gru' ? 'gru' : 'lstm';
    return recurrentModel({
      cell,
      inputShape: [w.size, RNN_FEATURES],
      outputUnits: CLASSES,
      units: HIDDEN,
      bidirectional: w.arch === 'bilstm',
      seed: 0,
    });
  }
  const input = tf.input({ shape: [w.size, RNN_FEATURES] });
  // The two directions of the bidirectional LSTM run side by side and share the threads (parallelLayers).
  const parallelLayers = w.arch === 'bilstm' ? 2 : 1;
  let h = new FusedLSTM({ units: HIDDEN, seed: 0, name: 'rnn.0', parallelLayers }).apply(input) as tf.SymbolicTensor;
  if (w.arch === 'bilstm') {
    const back = new FusedLSTM({
      units: HIDDEN,
      seed: 1,
      goBackwards: true,
      name: 'rnn.0.backward',
      parallelLayers,
    }).apply(input) as tf.SymbolicTensor;
    h = tf.layers.concatenate().apply([h, back]) as tf.SymbolicTensor;
  }
  return tf.model({
    inputs: input,
    outputs: tf.layers.dense({ units: CLASSES, name: 'fc' }).apply(h) as tf.SymbolicTensor,
  });
}

export function rnnStep(w: Workload, variant: Variant): () => void {
  const model = rnnModel(w, variant);
  const x = tf.randomNormal([w.batch, w.size, RNN_FEATURES], 0, 1, 'float32', 0);
  const y = tf.randomUniform([w.batch], 0, CLASSES, 'int32', 1);
  const optimizer = adam();
  const vars = trainableVariables(model);
  const loss = () => computeLoss('cross-entropy', model.apply(x, { training: true }) as tf.Tensor, y);
  if (variant === 'graph' || variant === 'graph-layers') {
    const graph = requireGraph();
    return () => graphTrainStep(graph, [x, y], optimizer, vars, loss);
  }
  return () => trainStep(optimizer, vars, loss);
}

/**
 * Strategy 3 end to end: fold the frozen backbone, compute every sample's features once (the feature cache), then
 * train the head for E2E_EPOCHS epochs on shuffled cached features. All of it is inside the timed run.
 */
async function e2eRun(w: Workload, samples: number, variant: Variant): Promise<() => Promise<void>> {
  const model = await buildResNet(w);
  const { backbone, head } = splitBackboneHead(model);
  const { x, y } = syntheticImages(samples, w.size);
  return async () => {
    const folded = compileFrozenBackbone(model);
    const batches: Batch[] = [];
    for (let i = 0; i < samples; i += w.batch) {
      const n = Math.min(w.batch, samples - i);
      batches.push({ x: x.slice(i, n), y: y.slice(i, n), indices: Int32Array.from({ length: n }, (_, k) => i + k) });
    }
    const forwardGraph = variant === 'graph' ? requireGraph() : undefined;
    const cache = await cacheFeatures(backbone, batches, {
      forward: (b) => through(forwardGraph, [b], () => [folded.features(b as tf.Tensor4D)])[0],
    });
    forwardGraph?.dispose();
    folded.dispose();
    tf.dispose(batches.flatMap((b) => [b.x, b.y]));
    const all = cache.concat();
    cache.dispose();
    const optimizer = adam();
    const vars = trainableVariables(head);
    const headGraph = variant === 'graph' ? requireGraph() : undefined;
    for (let epoch = 0; epoch < E2E_EPOCHS; epoch++) {
      const order = tf.util.createShuffledIndices(samples);
      for (let i = 0; i < samples; i += w.batch) {
        const idx = tf.tensor1d(Array.from(order.subarray(i, i + w.batch)), 'int32');
        const fx = tf.gather(all.x, idx);
        const fy = tf.gather(all.y, idx);
        // No read-back inside the epoch loop: the loss stays on the native side.
        const out = through(headGraph, [fx, fy], () => {
          optimizer.minimize(
            () => computeLoss('cross-entropy', head.apply(fx, { training: true }) as tf.Tensor, fy),
            false,
            vars,
          );
          return [];
        });
        tf.dispose([idx, fx, fy, ...out]);
      }
    }
    (head.getWeights()[0] as tf.Tensor).dataSync();
    headGraph?.dispose();
    optimizer.dispose();
    tf.dispose([all.x, all.y]);
  };
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const w = a.workload;
  const graphVariant = a.variant === 'graph' || a.variant === 'graph-layers';
  const choice = graphVariant ? ONEDNN_CHOICE_GRAPH : ONEDNN_CHOICE;
  const onednn = a.onednn === 'auto' ? (choice[w.name] ?? 'on') : a.onednn;
  const layout = a.layout === 'auto' ? (graphVariant && THREAD_LAYOUT_GRAPH[w.name]) || 'default' : a.layout;
  // The same thread count either way: `recurrent` gives them to ops at once instead of to one op.
  configureTensorFlow({ onednn, ...threadLayoutConfig(layout, a.threads) });
  const engine = ensureEngine();
  let rates: number[];
  if (w.kind === 'e2e') {
    const run = await e2eRun(w, a.e2eSamples, a.variant);
    rates = await timeRepeatsAsync(run, a.e2eSamples * E2E_EPOCHS, 0, Math.max(1, Math.floor(a.repeats / 3)));
  } else {
    const step = w.kind === 'cnn' ? await cnnStep(w, a.variant) : rnnStep(w, a.variant);
    // The graph variant: eager steps until the function is compiled (Adam's slots appear on the first step).
    for (let i = 0; graphCompiler && graphCompiler.info.compiled === 0 && graphCompiler.enabled && i < 3; i++) step();
    rates = timeRepeats(step, w.batch, a.warmup, a.repeats);
  }
  const result = {
    framework: 'lessonkit',
    workload: w.name,
    threads: a.threads,
    items_per_s: rates,
    peak_rss_mb: peakRssMb(),
    versions: { tfjs: engine.tfjsVersion, tensorflow: engine.tensorflowVersion, node: process.versions.node },
    settings: {
      onednn: engine.onednn,
      onednnRequested: onednn,
      variant: a.variant,
      threadLayout: layout,
      numTensors: tf.memory().numTensors,
      ...(graphCompiler ? { graph: { ...(graphCompiler.info as GraphStepInfo) } } : {}),
    },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
