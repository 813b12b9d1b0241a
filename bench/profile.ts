/**
 * Profiles one benchmark workload on our side (BENCHMARKS.md, "What bounds the rows that still miss"): resident
 * memory at each stage of the process, the tensors kept across steps, the step time, what the graph path recorded
 * (op nodes per op type, and so the time budget per op), and for the ResNet rows the FLOPs of a step and the rate
 * they run at against the machine's large-matmul rate. The step is the benchmark worker's own (bench/tfjs-worker.ts).
 *
 *     npm run build
 *     node dist/bench/profile.js --workload lstm [--variant graph|fast] [--steps 10] [--threads 2] [--onednn on|off]
 *                                [--dump DIR] [--peak] [--recurrent block]
 *
 * `--dump DIR` writes each compiled function (`NAME.fdef`, a serialized FunctionDef, and `NAME.json`, its arguments'
 * shapes) for `bench/profile-peers.py graph` (op-level times of the same graph under TensorFlow's Python runtime).
 * `--recurrent block` records the fused LSTM / GRU with their block ops (BlockLSTM, GRUBlockCell) instead of the
 * small-op formulation the graph path uses (the A/B of the two inside a graph). `--peak` also times a 2048x2048 matmul (the machine's practical FLOP rate, same threads). Prints readable lines,
 * then one JSON line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { configureTensorFlow, ensureEngine } from '../src/engine';
import { graphTotals, onGraphCompiled, type CompiledGraphDescription } from '../src/engine/graph';
import * as recorder from '../src/engine/graph/recorder';
import { resnet34, resnet50 } from '../src/models';
import { median } from './timing';
import { ONEDNN_CHOICE, ONEDNN_CHOICE_GRAPH, cnnStep, rnnStep, type Variant } from './tfjs-worker';
import { workloadByName, type Workload } from './workloads';

const MiB = 2 ** 20;

function rssNow(): number {
  return process.memoryUsage.rss() / MiB;
}

function maxRss(): number {
  return process.resourceUsage().maxRSS / 1024;
}

interface Stage {
  stage: string;
  rss_mb: number;
  max_rss_mb: number;
  tensors?: number;
  tensor_mb?: number;
}

/** Forward FLOPs per sample of a layers model: 2 x MACs of every Conv2D / DepthwiseConv2D / Dense, nested models too. */
export function forwardFlops(model: tf.LayersModel): { total: number; conv: number; dense: number } {
  let conv = 0;
  let dense = 0;
  const walk = (layers: tf.layers.Layer[]): void => {
    for (const layer of layers) {
      const nested = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
      if (nested) {
        walk(nested);
        continue;
      }
      const cls = layer.getClassName();
      const weights = layer.getWeights();
      if (cls === 'Conv2D' && weights.length > 0) {
        const [kh, kw, cin, cout] = weights[0].shape;
        const out = layer.outputShape as number[];
        conv += 2 * out[1] * out[2] * kh * kw * cin * cout;
      } else if (cls === 'Dense' && weights.length > 0) {
        const [cin, cout] = weights[0].shape;
        dense += 2 * cin * cout;
      }
    }
  };
  walk(model.layers);
  return { total: conv + dense, conv, dense };
}

/** GFLOP/s of a square float32 matmul, same threads: the machine's practical peak for dense kernels. */
function matmulPeak(n = 2048, repeats = 5): number {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  const times: number[] = [];
  for (let i = 0; i < repeats + 1; i++) {
    const t = process.hrtime.bigint();
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
    if (i > 0) times.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
  tf.dispose([a, b]);
  return (2 * n ** 3) / median(times) / 1e9;
}

function get(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const w: Workload = workloadByName(get(argv, '--workload') ?? 'lstm');
  if (w.kind === 'e2e') throw new Error('profile: the end-to-end row is not profiled; pick a step workload.');
  const variant = (get(argv, '--variant') ?? 'graph') as Variant;
  const steps = Number(get(argv, '--steps') ?? 10);
  const threads = Number(get(argv, '--threads') ?? 2);
  const dump = get(argv, '--dump');
  if (get(argv, '--recurrent') === 'block') {
    // The graph records FusedLSTM / FusedGRU with their block ops (BlockLSTM, GRUBlockCell), the eager formulation,
    // instead of the small-op one they pick while a graph is recorded: the A/B of the two inside a graph.
    (recorder as unknown as { isRecordingGraph: () => boolean }).isRecordingGraph = () => false;
  }
  const graph = variant === 'graph' || variant === 'graph-layers';
  const onednn = (get(argv, '--onednn') ?? (graph ? ONEDNN_CHOICE_GRAPH : ONEDNN_CHOICE)[w.name]) as 'on' | 'off';
  const stages: Stage[] = [];
  const mark = (stage: string, withTensors = false): void => {
    const s: Stage = { stage, rss_mb: rssNow(), max_rss_mb: maxRss() };
    if (withTensors) {
      const m = tf.memory();
      s.tensors = m.numTensors;
      s.tensor_mb = m.numBytes / MiB;
    }
    stages.push(s);
  };
  mark('node + tfjs JavaScript modules');
  configureTensorFlow({ onednn, intraOpThreads: threads, interOpThreads: threads });
  const engine = ensureEngine();
  tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync());
  mark('+ libtensorflow and the binding loaded (one op run)', true);
  const compiled: CompiledGraphDescription[] = [];
  onGraphCompiled((d) => compiled.push(d));
  const step = w.kind === 'cnn' ? await cnnStep(w, variant) : rnnStep(w, variant);
  mark('+ model built, inputs made (before the first step)', true);
  step();
  mark('+ first step (eager; recorded when the graph path is on)', true);
  for (let i = 0; graph && graphTotals.compiled === 0 && i < 3; i++) step();
  step();
  mark('+ compiled, one more step', true);
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = process.hrtime.bigint();
    step();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  mark(`+ ${steps} more steps`, true);
  const stepMs = median(times);
  const last = compiled[compiled.length - 1];
  const nodes = last ? Object.values(last.opCounts).reduce((s, n) => s + n, 0) : undefined;
  const peakRss = maxRss();
  let flops: ReturnType<typeof forwardFlops> | undefined;
  let stepFlops: number | undefined;
  if (w.kind === 'cnn') {
    const build = w.arch === 'resnet50' ? resnet50 : resnet34;
    // The same architecture as the step's, built again for its layer shapes only (no weights kept).
    const m = await build({ includeTop: false, pooling: 'avg', inputShape: [w.size, w.size, 3], seed: 0 });
    flops = forwardFlops(m);
    m.dispose();
    // Training all layers: forward + input gradient + weight gradient, about 3x the forward FLOPs (the first conv's
    // input gradient is not needed, a 1-2% overcount). A frozen backbone and inference: the forward pass.
    stepFlops = w.batch * flops.total * (w.trains === 'all' ? 3 : 1);
  }
  const peak = argv.includes('--peak') ? matmulPeak() : undefined;
  if (dump) {
    fs.mkdirSync(dump, { recursive: true });
    for (const d of compiled) {
      fs.writeFileSync(path.join(dump, `${w.name}-${d.name}.fdef`), d.functionDef);
      fs.writeFileSync(
        path.join(dump, `${w.name}-${d.name}.json`),
        `${JSON.stringify({ workload: w.name, name: d.name, args: d.args, opCounts: d.opCounts }, null, 1)}\n`,
      );
    }
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`# ${w.description}: ${variant}, oneDNN ${engine.onednn}, ${threads} threads, TF ${engine.tensorflowVersion}`);
  for (const s of stages)
    out(
      `rss ${s.rss_mb.toFixed(0).padStart(5)} MiB  maxRSS ${s.max_rss_mb.toFixed(0).padStart(5)} MiB  ${s.stage}` +
        (s.tensors !== undefined ? `  (tensors: ${s.tensors}, ${s.tensor_mb?.toFixed(1)} MiB)` : ''),
    );
  out(`step: median ${stepMs.toFixed(2)} ms over ${steps} (${((w.batch * 1000) / stepMs).toFixed(0)} items/s)`);
  if (last && nodes) {
    const top = Object.entries(last.opCounts)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ');
    out(
      `graph: ${nodes} recorded op nodes, ${last.args.length} arguments; ${((stepMs * 1000) / nodes).toFixed(1)} us per node`,
    );
    out(`  ops: ${top}`);
  }
  if (flops && stepFlops)
    out(
      `FLOPs: forward ${(flops.total / 1e6).toFixed(1)} MFLOP/sample (conv ${(flops.conv / 1e6).toFixed(1)}); step ` +
        `${(stepFlops / 1e9).toFixed(1)} GFLOP -> ${(stepFlops / 1e6 / stepMs).toFixed(1)} GFLOP/s`,
    );
  if (peak) out(`matmul 2048^3 float32: ${peak.toFixed(1)} GFLOP/s (${threads} threads)`);
  out(
    JSON.stringify({
      workload: w.name,
      variant,
      onednn: engine.onednn,
      threads,
      stages,
      step_ms: stepMs,
      step_ms_all: times,
      graph: last ? { nodes, args: last.args.length, opCounts: last.opCounts } : undefined,
      forward_flops_per_sample: flops,
      step_gflop: stepFlops ? stepFlops / 1e9 : undefined,
      step_gflops_per_s: stepFlops ? stepFlops / 1e6 / stepMs : undefined,
      matmul_peak_gflops: peak,
      peak_rss_mb: peakRss,
    }),
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
