/**
 * Settings TensorFlow reads once, when it loads: thread pools and the oneDNN switch. They are environment variables
 * of the process, so they must be set before `ensureEngine()` loads the native backend; changing them later has no
 * effect, and `configureTensorFlow` refuses rather than pretend.
 *
 * Measured on 2 CPU cores (see BENCHMARKS.md): oneDNN off (TF's Eigen kernels) is faster for eager inference and
 * frozen-backbone steps (oneDNN reorders tensor layouts around every op when ops run one at a time), but much slower
 * for full backpropagation through convolutions (Eigen's conv backprop). No single setting wins, so the choice is
 * per process: a benchmark worker, or a notebook kernel, picks it for its workload.
 */
import { currentEngine } from './load';

/** `on`: TF's oneDNN kernels (TF's default on x86). `off`: TF's Eigen kernels. `default`: leave the variable alone. */
export type OneDnnSetting = 'on' | 'off' | 'default';

export interface TensorFlowConfig {
  /** oneDNN kernels. Default: `'default'` (whatever the environment says; TF's own default is on). */
  onednn?: OneDnnSetting;
  /** Threads for one op (intra-op pool). Default: unset (TF uses every core). */
  intraOpThreads?: number;
  /** Ops run at once (inter-op pool). Default: unset (TF's choice). */
  interOpThreads?: number;
}

/** The environment variables a config sets; exported for child processes (`spawn(..., { env })`). */
export function tensorFlowEnv(config: TensorFlowConfig): Record<string, string> {
  const env: Record<string, string> = {};
  const onednn = config.onednn ?? 'default';
  if (!['on', 'off', 'default'].includes(onednn)) {
    throw new Error(
      `configureTensorFlow: onednn must be 'on', 'off' or 'default'. Received: ${JSON.stringify(onednn)}.`,
    );
  }
  if (onednn !== 'default') env.TF_ENABLE_ONEDNN_OPTS = onednn === 'on' ? '1' : '0';
  for (const [key, value] of [
    ['intraOpThreads', config.intraOpThreads],
    ['interOpThreads', config.interOpThreads],
  ] as const) {
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`configureTensorFlow: ${key} must be a positive integer. Received: ${value}.`);
  }
  if (config.intraOpThreads !== undefined) {
    env.TF_NUM_INTRAOP_THREADS = String(config.intraOpThreads);
    // oneDNN's own OpenMP pool follows OMP_NUM_THREADS, not TF's intra-op setting.
    env.OMP_NUM_THREADS = String(config.intraOpThreads);
  }
  if (config.interOpThreads !== undefined) env.TF_NUM_INTEROP_THREADS = String(config.interOpThreads);
  return env;
}

/** Sets the variables in this process. Call before `ensureEngine()`; throws once the engine is loaded. */
export function configureTensorFlow(config: TensorFlowConfig): Record<string, string> {
  const env = tensorFlowEnv(config);
  if (currentEngine()) {
    throw new Error(
      'configureTensorFlow: TensorFlow is already loaded in this process, so thread and oneDNN settings can no longer ' +
        'change. Call it before ensureEngine() (or set the variables before starting the process).',
    );
  }
  Object.assign(process.env, env);
  return env;
}
