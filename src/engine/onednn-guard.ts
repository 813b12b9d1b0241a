/**
 * Decides, before TensorFlow loads, whether oneDNN is safe on this machine.
 *
 * TF 2.21 with oneDNN on dies with SIGFPE in primitive creation on some CPUs and VMs (an integer division by a cache
 * size it could not read): a plain 1x1 convolution of 256 input and 1,024 output channels is enough. The process
 * cannot catch that, so the test runs in a child process (`src/selftest/onednn-child.ts`) with oneDNN forced on; if the
 * child dies by a signal, this process loads TensorFlow with oneDNN off and every description of the engine says so.
 *
 * The verdict is cached once per machine in `<cache>/engine/onednn-selftest.json`, keyed by the CPU model and flags,
 * the TensorFlow library and the binding, so the self-test (about a second) runs only on first use or after one of
 * them changes.
 *
 * `LESSONKIT_ONEDNN` overrides it: `auto` (default: test, then follow the verdict), `on` (no test; at your own risk),
 * `off` (the fallback, forced). An explicit `TF_ENABLE_ONEDNN_OPTS=0` (set by a user or by `configureTensorFlow`)
 * is honoured without a test; `1` or unset is what the test guards.
 */
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheRoot, setting, writeFileAtomic } from '../io';
import type { EnginePackage } from './select';
import { canReroute, parseConvRouteKey } from './conv-reroute';

export type OneDnnOverride = 'auto' | 'on' | 'off';

/** What the self-test found. `crashed`: the child died by a signal. `failed`: it exited with an error (no verdict). */
export type SelfTestOutcome = 'passed' | 'crashed' | 'failed';

export interface SelfTestRecord {
  /** Hash of `keyParts`; a record whose key differs from this machine's is ignored and replaced. */
  key: string;
  keyParts: Record<string, string>;
  outcome: SelfTestOutcome;
  /** The signal that killed the child (`SIGFPE`, `SIGSEGV`, ...), when it crashed. */
  signal?: string;
  exitCode?: number | null;
  /** The last step the child started before it ended (it names the op and shape that crashed). */
  lastStep?: string;
  durationMs: number;
  testedAt: string;
  /** Why a `failed` run gave no verdict (the child's last stderr lines). */
  error?: string;
  /**
   * The 1x1 convolutions that crashed oneDNN and are computed as matrix products instead (`1x1 256->1024 s1`); the
   * outcome is then `passed`, because the workload passed with them rerouted.
   */
  rerouted?: string[];
  /** How many children ran (one, plus one per rerouted shape). */
  childRuns?: number;
}

export interface OneDnnDecision {
  /** The value given to TF_ENABLE_ONEDNN_OPTS before TensorFlow loads. */
  enabled: boolean;
  /** One phrase for `describeEngine`, e.g. `oneDNN on (self-test passed, cached)`. */
  summary: string;
  /** The self-test record behind the decision, when one was consulted. */
  selfTest?: SelfTestRecord;
  /** True when this call ran the self-test (first use, or the key changed). */
  ranSelfTest: boolean;
  /** The 1x1 convolution shapes to compute as matrix products (oneDNN on, these crash it). */
  rerouted: string[];
}

export interface OneDnnGuardOptions {
  /** The engine package the child loads. Default `@tensorflow/tfjs-node`. */
  packageName?: EnginePackage;
  /** The native binding file (part of the cache key). */
  bindingFile?: string;
  /** The self-test script. Default: `LESSONKIT_ONEDNN_SELFTEST_SCRIPT`, else the kit's own workload. Tests inject one. */
  script?: string;
  /** The cache file. Default `<cache>/engine/onednn-selftest.json`. */
  cacheFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Seconds before a silent child is killed (no verdict). Default 120. */
  timeoutSeconds?: number;
}

const DEFAULT_SCRIPT = path.join(__dirname, '..', 'selftest', 'onednn-child.js');
/** The reroute is part of the workload: a change to it re-runs the self-test. */
const REROUTE_SCRIPT = path.join(__dirname, 'conv-reroute.js');

export function parseOneDnnOverride(value: string | undefined): OneDnnOverride {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'auto') return 'auto';
  if (v === 'on' || v === 'off') return v;
  throw new Error(`LESSONKIT_ONEDNN must be one of auto, on, off; found ${JSON.stringify(value)}.`);
}

export function selfTestCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheRoot(env), 'engine', 'onednn-selftest.json');
}

function fileFingerprint(file: string | undefined): string {
  if (!file) return 'none';
  try {
    const st = fs.statSync(file);
    return `${path.resolve(file)}:${st.size}:${Math.floor(st.mtimeMs)}`;
  } catch {
    return `${file}:missing`;
  }
}

/** The workload's content (a rebuild that changes nothing keeps the verdict). */
function contentHash(file: string | undefined): string {
  if (!file) return 'none';
  try {
    return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16);
  } catch {
    return `${file}:missing`;
  }
}

/** The TensorFlow C library the binding links against: its folder's fingerprint (the binding stamp records the TF version). */
function tensorflowFingerprint(bindingFile: string | undefined): string {
  if (!bindingFile) return 'none';
  const libDir = path.dirname(path.dirname(bindingFile));
  const stamp = path.join(libDir, '.lessonkit-build.json');
  try {
    const parsed = JSON.parse(fs.readFileSync(stamp, 'utf8')) as { tf?: string; key?: unknown };
    return `${parsed.tf ?? 'unknown'}:${crypto
      .createHash('sha256')
      .update(JSON.stringify(parsed.key ?? ''))
      .digest('hex')
      .slice(0, 12)}`;
  } catch {
    const dir = path.dirname(bindingFile);
    const libs = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.startsWith('libtensorflow')) : [];
    return libs.map((f) => fileFingerprint(path.join(dir, f))).join(',') || 'unknown';
  }
}

/** What the verdict depends on: the CPU (model and flags), the TensorFlow library, the binding, the workload. */
export function selfTestKey(options: { bindingFile?: string; script?: string; cpuinfo?: string } = {}): {
  key: string;
  parts: Record<string, string>;
} {
  let cpuinfo = options.cpuinfo;
  if (cpuinfo === undefined) {
    try {
      cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      cpuinfo = '';
    }
  }
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(cpuinfo!)?.[1]?.trim() ?? '';
  const flags = field('flags');
  const parts: Record<string, string> = {
    cpuModel: field('model name') || os.cpus()[0]?.model || 'unknown',
    cpuFamily: `${field('cpu family')}/${field('model')}/${field('stepping')}`,
    cpuFlags: crypto.createHash('sha256').update(flags).digest('hex').slice(0, 16),
    cores: String(os.cpus().length),
    cache: field('cache size') || 'unreported',
    tensorflow: tensorflowFingerprint(options.bindingFile),
    binding: fileFingerprint(options.bindingFile),
    workload: `${contentHash(options.script)}+${contentHash(REROUTE_SCRIPT)}`,
    platform: `${process.platform}-${process.arch}`,
  };
  const key = crypto.createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24);
  return { key, parts };
}

export function readSelfTestRecord(file: string): SelfTestRecord | undefined {
  try {
    const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as SelfTestRecord;
    return typeof rec.key === 'string' && typeof rec.outcome === 'string' ? rec : undefined;
  } catch {
    return undefined;
  }
}

/** How one child run ended. */
interface ChildRun {
  outcome: SelfTestOutcome;
  signal?: string;
  exitCode: number | null;
  /** The last step the child announced: its index, its conv key (if any) and its name. */
  last?: { index?: number; key?: string; name: string };
  error?: string;
}

function runChild(
  options: OneDnnGuardOptions & { script: string },
  env: NodeJS.ProcessEnv,
  from: number,
  rerouted: string[],
): ChildRun {
  const args = [options.script, options.packageName ?? '@tensorflow/tfjs-node'];
  if (from > 0) args.push('--from', String(from));
  if (rerouted.length) args.push('--reroute', rerouted.join(';'));
  const r = spawnSync(process.execPath, args, {
    env,
    encoding: 'utf8',
    timeout: (options.timeoutSeconds ?? 120) * 1000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const steps = (r.stderr ?? '').split('\n').filter((l) => l.startsWith('[onednn-selftest] '));
  let last: ChildRun['last'];
  if (steps.length) {
    const text = steps[steps.length - 1].slice('[onednn-selftest] '.length);
    const parts = text.split('\t');
    last =
      parts.length === 3 && /^\d+$/.test(parts[0])
        ? { index: Number(parts[0]), key: parts[1] === '-' ? undefined : parts[1], name: parts[2] }
        : { name: text };
  }
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  const outcome: SelfTestOutcome = r.signal && !timedOut ? 'crashed' : r.status === 0 ? 'passed' : 'failed';
  return {
    outcome,
    ...(r.signal && !timedOut ? { signal: r.signal } : {}),
    exitCode: r.status,
    ...(last ? { last } : {}),
    ...(outcome === 'failed'
      ? { error: (timedOut ? 'timed out; ' : '') + (r.stderr ?? '').trim().split('\n').slice(-3).join(' | ') }
      : {}),
  };
}

/** At most this many children: a CPU where more shapes crash gets the whole-process fallback. */
const MAX_CHILD_RUNS = 16;

/**
 * Runs the self-test with oneDNN forced on and reports how it ended. Never throws for a crash.
 *
 * A crash in a 1x1 convolution step is survivable: the shape is added to the reroute list and a new child starts at
 * that shape's first step with the reroute installed (so the matrix-product formulation is tested in its place).
 * A crash anywhere else (a matrix product, another conv, BatchNorm, the recurrent ops), or in a shape already
 * rerouted, is `crashed`: oneDNN off for the whole process.
 */
export function runOneDnnSelfTest(
  options: OneDnnGuardOptions & { key: string; keyParts: Record<string, string> },
): SelfTestRecord {
  const script = options.script ?? DEFAULT_SCRIPT;
  const env = {
    ...(options.env ?? process.env),
    TF_ENABLE_ONEDNN_OPTS: '1',
    TF_CPP_MIN_LOG_LEVEL: '2',
    LESSONKIT_ONEDNN_CHILD: '1',
  };
  const started = Date.now();
  const rerouted: string[] = [];
  let from = 0;
  let runs = 0;
  let run: ChildRun;
  let firstSignal: string | undefined;
  for (;;) {
    run = runChild({ ...options, script }, env, from, rerouted);
    runs++;
    firstSignal ??= run.signal;
    const key = run.last?.key;
    const reroutable =
      run.outcome === 'crashed' &&
      run.last?.index !== undefined &&
      key !== undefined &&
      key !== 'matmul' &&
      !rerouted.includes(key) &&
      isRerouteKey(key) &&
      runs < MAX_CHILD_RUNS;
    if (!reroutable) break;
    rerouted.push(key);
    // Start again at the step that crashed, now computed as matrix products.
    from = run.last!.index!;
  }
  const rec: SelfTestRecord = {
    key: options.key,
    keyParts: options.keyParts,
    outcome: run.outcome,
    ...(run.signal || (rerouted.length && firstSignal) ? { signal: run.signal ?? firstSignal } : {}),
    exitCode: run.exitCode,
    ...(run.last ? { lastStep: run.last.name } : {}),
    durationMs: Date.now() - started,
    testedAt: new Date().toISOString(),
    ...(run.error ? { error: run.error } : {}),
    ...(rerouted.length ? { rerouted } : {}),
    childRuns: runs,
  };
  return rec;
}

function isRerouteKey(key: string): boolean {
  try {
    return canReroute(parseConvRouteKey(key));
  } catch {
    return false;
  }
}

/**
 * The oneDNN setting for this process. Reads the override and TF_ENABLE_ONEDNN_OPTS, runs or reuses the self-test
 * when oneDNN would be on, and returns the decision; the caller sets TF_ENABLE_ONEDNN_OPTS before TensorFlow loads.
 */
export function decideOneDnn(options: OneDnnGuardOptions = {}): OneDnnDecision {
  const env = options.env ?? process.env;
  const override = parseOneDnnOverride(setting('LESSONKIT_ONEDNN', env));
  if (override === 'off')
    return { enabled: false, summary: 'oneDNN off (LESSONKIT_ONEDNN=off)', ranSelfTest: false, rerouted: [] };
  if (override === 'on')
    return {
      enabled: true,
      summary: 'oneDNN on (LESSONKIT_ONEDNN=on: self-test skipped)',
      ranSelfTest: false,
      rerouted: [],
    };
  const requested = (env.TF_ENABLE_ONEDNN_OPTS ?? '').trim();
  if (requested === '0' || requested.toLowerCase() === 'false') {
    return { enabled: false, summary: 'oneDNN off (TF_ENABLE_ONEDNN_OPTS=0)', ranSelfTest: false, rerouted: [] };
  }
  const script = options.script ?? setting('LESSONKIT_ONEDNN_SELFTEST_SCRIPT', env) ?? DEFAULT_SCRIPT;
  const cacheFile = options.cacheFile ?? selfTestCacheFile(env);
  const { key, parts } = selfTestKey({ bindingFile: options.bindingFile, script });
  let rec = readSelfTestRecord(cacheFile);
  let ran = false;
  if (!rec || rec.key !== key) {
    rec = runOneDnnSelfTest({ ...options, script, env, key, keyParts: parts });
    ran = true;
    // A child that failed without a signal gave no verdict (a broken binding, a missing file): not cached.
    if (rec.outcome !== 'failed') writeFileAtomic(cacheFile, `${JSON.stringify(rec, null, 2)}\n`);
  }
  const how = ran ? `self-test ${(rec.durationMs / 1000).toFixed(1)} s` : 'cached self-test';
  if (rec.outcome === 'crashed') {
    return {
      enabled: false,
      summary:
        `oneDNN OFF: its self-test crashed with ${rec.signal} on this CPU (${parts.cpuModel})` +
        `${rec.lastStep ? ` at "${rec.lastStep}"` : ''}, so TensorFlow runs its Eigen kernels (${how}; LESSONKIT_ONEDNN=on forces it)`,
      selfTest: rec,
      ranSelfTest: ran,
      rerouted: [],
    };
  }
  if (rec.outcome === 'failed') {
    return {
      enabled: true,
      summary: `oneDNN on (self-test inconclusive: the child exited with ${rec.exitCode}; not cached)`,
      selfTest: rec,
      ranSelfTest: ran,
      rerouted: [],
    };
  }
  const rerouted = rec.rerouted ?? [];
  if (rerouted.length) {
    const n = rerouted.length;
    return {
      enabled: true,
      summary:
        `oneDNN on; ${n} conv shape${n === 1 ? '' : 's'} rerouted to MatMul (${rerouted.join(', ')}: ` +
        `they crash oneDNN with ${rec.signal ?? 'a signal'} on this CPU; ${how})`,
      selfTest: rec,
      ranSelfTest: ran,
      rerouted,
    };
  }
  return { enabled: true, summary: `oneDNN on (${how} passed)`, selfTest: rec, ranSelfTest: ran, rerouted: [] };
}
