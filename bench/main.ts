/**
 * `npm run bench`: every workload in this kit, PyTorch and Keras, interleaved in one run (for each workload the three
 * frameworks run back to back, in a rotating order), each in its own process with the same thread count. Prints a
 * markdown table of rates and ratios, writes the JSON to bench/results/, and with `--write-md` rewrites the table
 * section of BENCHMARKS.md.
 *
 *   node dist/bench/main.js [--quick] [--only name,name] [--frameworks lessonkit,lessonkit-graph,torch,keras] [--threads N]
 *                           [--repeats R] [--warmup W] [--write-md] [--no-data] [--graph-layout auto|default|recurrent]
 *
 * `--quick`: 1 warm-up and 2 repeats, a 256-sample end-to-end subset, no batch-128 ResNet-50 (it checks that the
 * benchmark runs; CI uses it). `--graph-layout` sets the graph path's thread layout (bench/tfjs-worker.ts; default
 * `auto`, the per-workload choice), for the same-run A/B of the layouts. The Python side is `.venv/bin/python` (or `$LESSONKIT_PYTHON`).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decideOneDnn } from '../src/engine';
import { bindingPath } from '../src/engine/probe';
import { writeFileAtomic } from '../src/io';
import { machineInfo } from './machine';
import {
  FRAMEWORKS,
  markdownSection,
  writeMarkdownSection,
  type BenchRun,
  type Framework,
  type Measurement,
} from './report';
import { E2E_SAMPLES, E2E_SAMPLES_QUICK, WORKLOADS, type Workload } from './workloads';

const ROOT = path.resolve(__dirname, '..', '..');

export interface MainOptions {
  quick: boolean;
  only?: string[];
  frameworks: Framework[];
  threads: number;
  warmup: number;
  repeats: number;
  writeMd: boolean;
  data: boolean;
  graphLayout: string;
  /** False where the engine's oneDNN self-test crashed: every TensorFlow worker then runs with oneDNN off. */
  onednnSafe?: boolean;
  /** 1x1 conv shapes our engine computes as matrix products because they crash oneDNN here. */
  onednnRerouted?: string[];
}

function parseArgs(argv: string[]): MainOptions {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (flag: string, dflt: number) => {
    const raw = get(flag);
    const v = raw === undefined ? dflt : Number(raw);
    if (!Number.isInteger(v) || v < 1) throw new Error(`bench: ${flag} expects a positive integer. Received: ${raw}.`);
    return v;
  };
  const quick = argv.includes('--quick');
  const only = get('--only')?.split(',').filter(Boolean);
  for (const name of only ?? []) {
    if (!WORKLOADS.some((w) => w.name === name))
      throw new Error(
        `bench: --only: unknown workload ${name}; expected some of ${WORKLOADS.map((w) => w.name).join(', ')}.`,
      );
  }
  const frameworks = (get('--frameworks')?.split(',') ?? [...FRAMEWORKS]) as Framework[];
  for (const f of frameworks)
    if (!FRAMEWORKS.includes(f))
      throw new Error(`bench: --frameworks: unknown ${f}; expected some of ${FRAMEWORKS.join(', ')}.`);
  return {
    quick,
    only,
    frameworks,
    threads: int('--threads', os.cpus().length),
    warmup: int('--warmup', quick ? 1 : 2),
    repeats: int('--repeats', quick ? 2 : 7),
    writeMd: argv.includes('--write-md'),
    data: !argv.includes('--no-data'),
    graphLayout: (() => {
      const v = get('--graph-layout') ?? 'auto';
      if (!['auto', 'default', 'recurrent'].includes(v))
        throw new Error(`bench: --graph-layout expects auto, default or recurrent. Received: ${v}.`);
      return v;
    })(),
  };
}

function python(): string {
  if (process.env.LESSONKIT_PYTHON) return process.env.LESSONKIT_PYTHON;
  const venv = path.join(ROOT, '.venv', 'bin', 'python');
  return fs.existsSync(venv) ? venv : 'python3';
}

/** The last line of stdout that parses as JSON. */
function lastJson(stdout: string): Record<string, unknown> | undefined {
  for (const line of stdout.trim().split('\n').reverse()) {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      // not the result line
    }
  }
  return undefined;
}

function runOne(framework: Framework, w: Workload, o: MainOptions): Measurement {
  const common = [
    '--workload',
    w.name,
    '--threads',
    String(o.threads),
    '--warmup',
    String(o.warmup),
    '--repeats',
    String(o.repeats),
  ];
  const e2e = ['--e2e-samples', String(o.quick ? E2E_SAMPLES_QUICK : E2E_SAMPLES)];
  const [cmd, args] =
    framework === 'lessonkit' || framework === 'lessonkit-graph'
      ? [
          process.execPath,
          [
            path.join(ROOT, 'dist', 'bench', 'tfjs-worker.js'),
            ...common,
            ...e2e,
            ...(framework === 'lessonkit-graph' ? ['--variant', 'graph', '--layout', o.graphLayout] : []),
          ],
        ]
      : [python(), [path.join(ROOT, 'bench', 'peers.py'), '--framework', framework, ...common, ...e2e]];
  const threads = String(o.threads);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OMP_NUM_THREADS: threads,
    MKL_NUM_THREADS: threads,
    TF_CPP_MIN_LOG_LEVEL: '2',
  };
  // Where oneDNN crashes this machine, both TensorFlow users (ours and Keras) run with it off.
  if (o.onednnSafe === false) {
    env.TF_ENABLE_ONEDNN_OPTS = '0';
    if (framework.startsWith('lessonkit')) env.LESSONKIT_ONEDNN = 'off';
  }
  // Where only some 1x1 convs crash, ours reroutes them and keeps oneDNN; Keras cannot, so it runs a workload whose
  // model has such a conv (ResNet-50; ResNet-34 has none) with oneDNN off.
  if (o.onednnSafe && o.onednnRerouted?.length && framework === 'keras' && w.name.startsWith('resnet50'))
    env.TF_ENABLE_ONEDNN_OPTS = '0';
  const t = Date.now();
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: (o.quick ? 240 : 900) * 1000,
    maxBuffer: 64 * 2 ** 20,
  });
  const wall_s = (Date.now() - t) / 1000;
  const parsed = r.status === 0 ? lastJson(r.stdout) : undefined;
  if (!parsed) {
    const why = r.error
      ? r.error.message
      : `exit ${r.status ?? r.signal}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`;
    return { framework, workload: w.name, items_per_s: [], error: why, wall_s };
  }
  return { ...(parsed as unknown as Measurement), framework, workload: w.name, wall_s };
}

function collectVersions(results: Measurement[]): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const r of results) {
    for (const [k, v] of Object.entries(r.versions ?? {}))
      versions[k === 'tensorflow' && r.framework === 'lessonkit' ? 'TensorFlow (tfjs-node binding)' : k] = v;
  }
  return versions;
}

/** Runs bench/data.js (another helper's data benchmark) when it is built, and keeps its printed lines. */
function runDataBench(o: MainOptions): string[] | undefined {
  const script = path.join(ROOT, 'dist', 'bench', 'data.js');
  if (!fs.existsSync(script)) return undefined;
  const args = o.quick ? ['--skip-cifar', '--epoch-images', '1280'] : [];
  const r = spawnSync(process.execPath, [script, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: (o.quick ? 120 : 900) * 1000,
  });
  const lines = (r.stdout ?? '').trim().split('\n').filter(Boolean);
  if (r.status !== 0)
    lines.push(`data benchmark failed: ${r.error?.message ?? (r.stderr ?? '').trim().split('\n').slice(-1)[0]}`);
  return lines;
}

export async function runBench(o: MainOptions, command: string): Promise<BenchRun> {
  const machine = machineInfo();
  // The engine's oneDNN self-test, once, before any worker loads TensorFlow (cached per machine).
  const guard = decideOneDnn({
    bindingFile: bindingPath('@tensorflow/tfjs-node'),
    env: { ...process.env, TF_ENABLE_ONEDNN_OPTS: '1' },
  });
  o = { ...o, onednnSafe: guard.enabled, onednnRerouted: guard.rerouted };
  process.stderr.write(`[bench] ${guard.summary}\n`);
  const startedAt = new Date().toISOString();
  const t = Date.now();
  const workloads = WORKLOADS.filter((w) => (o.only ? o.only.includes(w.name) : !(o.quick && w.heavy)));
  const results: Measurement[] = [];
  workloads.forEach((w, i) => {
    // Rotate the order so that no framework always runs first (on a warm or a cold machine).
    const order = o.frameworks.map((_, k) => o.frameworks[(k + i) % o.frameworks.length]);
    for (const f of order) {
      const m = runOne(f, w, o);
      results.push(m);
      const summary = m.error
        ? `FAILED ${m.error}`
        : m.skipped
          ? `skipped (${m.skipped})`
          : `${m.items_per_s.map((v) => v.toFixed(1)).join(', ')} items/s`;
      process.stderr.write(`[bench] ${w.name} ${f}: ${summary} (${m.wall_s?.toFixed(1)} s)\n`);
    }
  });
  const dataLines = o.data && !o.only ? runDataBench(o) : undefined;
  return {
    command,
    startedAt,
    wallSeconds: (Date.now() - t) / 1000,
    quick: o.quick,
    threads: o.threads,
    machine,
    loadAverageAtEnd: Math.round(os.loadavg()[0] * 100) / 100,
    versions: { node: process.versions.node, ...collectVersions(results) },
    results,
    dataLines,
    onednn: { safe: guard.enabled, summary: guard.summary },
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const o = parseArgs(argv);
  const command = ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' ');
  const run = await runBench(o, command);
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${run.startedAt.replace(/[:.]/g, '-')}${o.quick ? '-quick' : ''}.json`);
  writeFileAtomic(file, `${JSON.stringify(run, null, 2)}\n`);
  process.stdout.write(`${markdownSection(run)}\n\nJSON: ${path.relative(ROOT, file)}\n`);
  if (o.writeMd) writeMarkdownSection(path.join(ROOT, 'BENCHMARKS.md'), markdownSection(run));
  // The benchmark fails only when our side failed; a missing peer is reported in the table.
  if (run.results.some((r) => r.framework.startsWith('lessonkit') && r.error)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
