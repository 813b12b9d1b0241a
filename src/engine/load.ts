/**
 * Loads the native TensorFlow engine once per process and reports what it chose.
 *
 * Library code imports ops from `@tensorflow/tfjs` (the same module instance that tfjs-node extends) and calls
 * `ensureEngine()` before it computes. Nothing happens at import time.
 */
import * as tf from '@tensorflow/tfjs';
import { chooseEngine, parseDeviceRequest, type DeviceRequest, type EnginePackage } from './select';
import { bindingPath, probeEngine, type ProbeOptions } from './probe';
import { decideOneDnn, type OneDnnGuardOptions } from './onednn-guard';
import { installConvReroute } from './conv-reroute';
import { setting } from '../io';
import { tensorFlowEnv, threadChoice, type TensorFlowConfig, type ThreadLayout } from './tf-config';

export interface EngineOptions extends ProbeOptions {
  /** Which device to use. Default: the `LESSONKIT_DEVICE` environment variable, else `auto`. */
  device?: DeviceRequest;
  /** Options of the oneDNN self-test (tests inject a crashing script or a cache file). */
  onednnGuard?: Pick<OneDnnGuardOptions, 'script' | 'cacheFile'>;
}

export interface EngineInfo {
  /** The tfjs backend name; always `tensorflow` (the native backend). */
  backend: string;
  packageName: EnginePackage;
  device: 'cpu' | 'gpu';
  /** Version of the TensorFlow C library the binding is linked against. */
  tensorflowVersion: string;
  tfjsVersion: string;
  /** Why this engine was chosen. */
  reason: string;
  /** Whether TensorFlow loaded with its oneDNN kernels (`on`) or its Eigen kernels (`off`). */
  onednn: 'on' | 'off';
  /** Why, e.g. `oneDNN on (cached self-test passed)` or `oneDNN OFF: its self-test crashed with SIGFPE ...`. */
  onednnReason: string;
  /** The 1x1 convolution shapes computed as matrix products because they crash oneDNN here (`1x1 256->1024 s1`). */
  reroutedConvs: string[];
  /** `LESSONKIT_THREADS`: TensorFlow's thread layout (tf-config.ts), and a phrase for describeEngine. */
  threads: { layout: ThreadLayout; summary: string };
}

let current: EngineInfo | undefined;

/** Loads the engine (first call) or returns the one already loaded. Throws a clear error when none can load. */
export function ensureEngine(options: EngineOptions = {}): EngineInfo {
  if (current) return current;
  const request = options.device ?? parseDeviceRequest(setting('LESSONKIT_DEVICE'));
  const choice = chooseEngine(request, probeEngine(options));
  // TensorFlow's C++ start-up chatter (CPU feature notices) is noise for learners; errors still show.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  // oneDNN can kill the process on some CPUs (SIGFPE); decide before TensorFlow loads (see onednn-guard.ts).
  const onednn = decideOneDnn({
    packageName: choice.packageName,
    bindingFile: bindingPath(choice.packageName, options),
    ...options.onednnGuard,
  });
  if (!onednn.enabled) process.env.TF_ENABLE_ONEDNN_OPTS = '0';
  const threads = threadChoice(setting('LESSONKIT_THREADS'));
  Object.assign(process.env, threads.env);
  try {
    const resolved = require.resolve(choice.packageName, { paths: options.resolveFrom ?? [__dirname] });
    require(resolved);
  } catch (err) {
    throw new Error(
      `Loading ${choice.packageName} failed, so there is no native TensorFlow backend: ${(err as Error).message}\n` +
        'Run `npm run setup` to rebuild the binding (see README "Troubleshooting"). ' +
        'The pure-JS cpu and wasm backends are never used as a fallback.',
    );
  }
  if (tf.getBackend() !== 'tensorflow') {
    throw new Error(
      `${choice.packageName} loaded, but the active tfjs backend is "${tf.getBackend()}", not "tensorflow". ` +
        'This usually means two copies of @tensorflow/tfjs are installed; run `npm ls @tensorflow/tfjs`.',
    );
  }
  if (onednn.rerouted.length) installConvReroute(onednn.rerouted);
  const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean; binding?: { TF_Version?: string } };
  current = {
    backend: tf.getBackend(),
    packageName: choice.packageName,
    device: backend.isUsingGpuDevice ? 'gpu' : 'cpu',
    tensorflowVersion: backend.binding?.TF_Version ?? 'unknown',
    tfjsVersion: tf.version_core,
    reason: choice.reason,
    onednn: onednn.enabled ? 'on' : 'off',
    onednnReason: onednn.summary,
    reroutedConvs: onednn.rerouted,
    threads: { layout: threads.layout, summary: threads.summary },
  };
  return current;
}

/** The engine already loaded, if any (does not load one). */
export function currentEngine(): EngineInfo | undefined {
  return current;
}

/**
 * One line for logs and notebook headers, e.g.
 * `tensorflow backend (TF 2.21.0, cpu) via @tensorflow/tfjs-node; LESSONKIT_DEVICE=auto: no GPU package built; oneDNN on (cached self-test passed)`.
 * With `{ brief: true }`, the few words a lesson's first cell needs: `tensorflow backend (TF 2.21.0, cpu), oneDNN on`
 * (the handout header has the same short line and the whole one collapsed beneath it).
 * Without an argument it describes the current engine, loading it first if no engine is loaded yet.
 */
export function describeEngine(info: EngineInfo = ensureEngine(), options: { brief?: boolean } = {}): string {
  if (options.brief) {
    const n = info.reroutedConvs.length;
    const rerouted = n ? `, ${n} conv shape${n === 1 ? '' : 's'} as MatMul` : '';
    const threads = info.threads.layout === 'default' ? '' : `, ${info.threads.layout} threads`;
    return `${info.backend} backend (TF ${info.tensorflowVersion}, ${info.device}), oneDNN ${info.onednn}${rerouted}${threads}`;
  }
  const threads = info.threads.layout === 'default' ? '' : `; ${info.threads.summary}`;
  return `${info.backend} backend (TF ${info.tensorflowVersion}, ${info.device}) via ${info.packageName}; ${info.reason}; ${info.onednnReason}${threads}`;
}

/**
 * Sets TensorFlow's load-time variables (tf-config.ts) in this process. Call before `ensureEngine()`; throws once the
 * engine is loaded.
 */
export function configureTensorFlow(config: TensorFlowConfig): Record<string, string> {
  const env = tensorFlowEnv(config);
  if (current) {
    throw new Error(
      'configureTensorFlow: TensorFlow is already loaded in this process, so thread and oneDNN settings can no longer ' +
        'change. Call it before ensureEngine() (or set the variables before starting the process).',
    );
  }
  Object.assign(process.env, env);
  return env;
}
