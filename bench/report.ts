/** The benchmark's results as a markdown table, and the BENCHMARKS.md section that holds it. */
import * as fs from 'node:fs';
import { writeFileAtomic } from '../src/io';
import type { MachineInfo } from './machine';
import { median } from './timing';
import { WORKLOADS } from './workloads';

/** `lessonkit-graph`: our fast path's step through the graph path (one native call per step; `--variant graph`). */
export type Framework = 'lessonkit' | 'lessonkit-graph' | 'torch' | 'keras';
export const FRAMEWORKS: readonly Framework[] = ['lessonkit', 'lessonkit-graph', 'torch', 'keras'];

/** One framework on one workload: the worker's JSON line, or why there is none. */
export interface Measurement {
  framework: Framework;
  workload: string;
  items_per_s: number[];
  peak_rss_mb?: number;
  versions?: Record<string, string>;
  settings?: Record<string, unknown>;
  /** Set when the framework does not run this workload (e.g. Keras has no end-to-end row). */
  skipped?: string;
  /** Set when the process failed. */
  error?: string;
  wall_s?: number;
}

export interface BenchRun {
  command: string;
  startedAt: string;
  wallSeconds: number;
  quick: boolean;
  threads: number;
  machine: MachineInfo;
  loadAverageAtEnd: number;
  versions: Record<string, string>;
  results: Measurement[];
  /** Human-readable lines from bench/data.js (the data benchmark), when it ran. */
  dataLines?: string[];
  /** The engine's oneDNN self-test on this machine: whether oneDNN may run, and the phrase that says why. */
  onednn?: { safe: boolean; summary: string };
}

export const TABLE_START = '<!-- bench:table:start -->';
export const TABLE_END = '<!-- bench:table:end -->';

const fmtRate = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3));
const fmtRatio = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : '–');

function cell(m: Measurement | undefined): string {
  if (!m) return 'not run';
  if (m.skipped) return 'n/a';
  if (m.error) return 'failed';
  if (m.items_per_s.length === 0) return '–';
  return `${fmtRate(median(m.items_per_s))} (${fmtRate(Math.min(...m.items_per_s))})`;
}

const rateOf = (m: Measurement | undefined) =>
  m && !m.error && !m.skipped && m.items_per_s.length ? median(m.items_per_s) : Number.NaN;
const rss = (m: Measurement | undefined) =>
  m?.peak_rss_mb !== undefined && !m.skipped ? `${Math.round(m.peak_rss_mb)}` : '–';

/** The markdown table: one row per workload that ran. */
export function markdownTable(run: BenchRun): string {
  const lines = [
    '| Workload | ours items/s, median (min) | PyTorch | Keras | peak RSS MiB ours / PyTorch / Keras | ours ÷ PyTorch | ours ÷ Keras | ours ÷ faster |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const w of WORKLOADS) {
    const by = Object.fromEntries(
      FRAMEWORKS.map((f) => [f, run.results.find((r) => r.workload === w.name && r.framework === f)]),
    ) as Record<Framework, Measurement | undefined>;
    if (!by.lessonkit && !by.torch && !by.keras) continue;
    const ours = rateOf(by.lessonkit);
    const torch = rateOf(by.torch);
    const keras = rateOf(by.keras);
    const peers = [torch, keras].filter(Number.isFinite);
    const faster = peers.length ? Math.max(...peers) : Number.NaN;
    lines.push(
      `| ${w.description} | ${cell(by.lessonkit)} | ${cell(by.torch)} | ${cell(by.keras)} | ${rss(by.lessonkit)} / ${rss(by.torch)} / ${rss(by.keras)} | ` +
        `${fmtRatio(ours / torch)} | ${fmtRatio(ours / keras)} | ${fmtRatio(ours / faster)} |`,
    );
  }
  return lines.join('\n');
}

/**
 * The graph path beside the eager one, same run: one row per workload where `lessonkit-graph` ran. The lever shows
 * as "graph ÷ eager"; "graph ÷ faster" is the graph path against the faster peer.
 */
export function graphTable(run: BenchRun): string | undefined {
  const find = (w: string, f: Framework) => run.results.find((r) => r.workload === w && r.framework === f);
  const rows: string[] = [];
  for (const w of WORKLOADS) {
    const graph = find(w.name, 'lessonkit-graph');
    if (!graph) continue;
    const eager = find(w.name, 'lessonkit');
    const peers = [rateOf(find(w.name, 'torch')), rateOf(find(w.name, 'keras'))].filter(Number.isFinite);
    const faster = peers.length ? Math.max(...peers) : Number.NaN;
    const info = (graph.settings?.graph ?? {}) as { graphSteps?: number; disabledReason?: string };
    const layout = graph.settings?.threadLayout === 'recurrent' ? ', threads 1 per op' : '';
    const note = info.disabledReason
      ? `eager fallback: ${info.disabledReason}`
      : info.graphSteps
        ? `${info.graphSteps} graph steps${layout}`
        : '';
    rows.push(
      `| ${w.description} | ${cell(eager)} | ${cell(graph)} | ${fmtRatio(rateOf(graph) / rateOf(eager))} | ${fmtRatio(rateOf(eager) / faster)} | ` +
        `${fmtRatio(rateOf(graph) / faster)} | ${rss(eager)} / ${rss(graph)} | ${note} |`,
    );
  }
  if (rows.length === 0) return undefined;
  return [
    '| Workload | ours eager, items/s median (min) | ours graph | graph ÷ eager | eager ÷ faster peer | graph ÷ faster peer | peak RSS MiB eager / graph | graph path |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
  ].join('\n');
}

/** What the oneDNN self-test allowed, for the table's header. */
export function oneDnnLine(o: { safe: boolean; summary: string }): string {
  return o.safe
    ? `oneDNN: ${o.summary}; our per-workload oneDNN choices (BENCHMARKS.md) and Keras's default (on) apply` +
        (/rerouted/.test(o.summary) ? ' (Keras runs ResNet-50 with oneDNN off: it has no reroute)' : '')
    : `oneDNN: ${o.summary}. Ours and Keras (same TensorFlow) ran every row with oneDNN off; PyTorch keeps its own oneDNN build`;
}

/** The table with the machine, versions and command, as it goes into BENCHMARKS.md. */
export function markdownSection(run: BenchRun): string {
  const m = run.machine;
  const versions = Object.entries(run.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const failures = run.results
    .filter((r) => r.error)
    .map((r) => `- ${r.framework} ${r.workload}: ${r.error?.split('\n')[0]}`);
  return [
    `Run of ${run.startedAt}${run.quick ? ' (--quick: fewer repeats, smaller end-to-end subset, no batch-128 ResNet-50)' : ''}, ` +
      `${run.wallSeconds.toFixed(0)} s wall.`,
    '',
    `- Command: \`${run.command}\``,
    `- Machine: ${m.cpuModel}, ${m.cores} logical CPUs, ${m.memoryGiB} GiB RAM, ${m.platform}; ${run.threads} threads in every framework`,
    `- Load average (1 min) at start / end: ${m.loadAverageAtStart} / ${run.loadAverageAtEnd}` +
      (Math.max(m.loadAverageAtStart, run.loadAverageAtEnd) > m.cores
        ? ' (above the core count: other work shared the CPUs, numbers are noisy)'
        : ''),
    `- Versions: ${versions}`,
    ...(run.onednn ? [`- ${oneDnnLine(run.onednn)}`] : []),
    '',
    markdownTable(run),
    ...((g) =>
      g
        ? [
            '',
            'Graph path (src/engine/graph: each step recorded once, then one native TensorFlow call), same run:',
            '',
            g,
          ]
        : [])(graphTable(run)),
    ...(failures.length ? ['', 'Failures:', ...failures] : []),
    ...(run.dataLines?.length ? ['', 'Data loading (bench/data.ts):', '', ...run.dataLines.map((l) => `- ${l}`)] : []),
  ].join('\n');
}

/** Replaces the section between the markers in BENCHMARKS.md (the markers are added at the end if missing). */
export function writeMarkdownSection(file: string, section: string): void {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const block = `${TABLE_START}\n${section}\n${TABLE_END}`;
  const start = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END);
  const next =
    start >= 0 && end > start
      ? text.slice(0, start) + block + text.slice(end + TABLE_END.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileAtomic(file, next);
}
