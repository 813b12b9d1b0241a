/**
 * Settings TensorFlow reads once, when it loads: thread pools and the oneDNN switch. They are environment variables
 * of the process, so they must be set before `ensureEngine()` loads the native backend; changing them later has no
 * effect, and `configureTensorFlow` refuses rather than pretend.
 *
 * Measured on 2 CPU cores (see BENCHMARKS.md): oneDNN off (TF's Eigen kernels) is faster for eager inference and
 * frozen-backbone steps (oneDNN reorders tensor layouts around every op when ops run one at a time), but much slower
 * for full backpropagation through convolutions (Eigen's conv backprop). No single setting wins, so the choice is
 * per process: a benchmark worker, or a notebook kernel, picks it for its workload. Pure mappings here; `ensureEngine`
 * and `configureTensorFlow` (load.ts) apply them.
 */
import * as os from 'node:os';

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

/**
 * How TensorFlow's threads are laid out: `default` (TF's pools: every core works on one op) or `recurrent` (one thread
 * per op, one op per core at once). A recurrent step is a long chain of small ops; on the graph path it runs as
 * parallel chains over the batch (models/recurrent/graph-recurrent.ts), and with `recurrent` each chain gets a core
 * of its own instead of both cores meeting at every small op. Measured on 2 cores (BENCHMARKS.md, "Recurrent rows"):
 * the recurrent graph steps 1.6-1.7x faster than with TF's default layout in one run. A convolution then runs on one
 * core, so the layout is for recurrent work only.
 */
export type ThreadLayout = 'default' | 'recurrent';

/** The thread counts a layout gives `threads` threads: all to one op (`default`), or one per op and `threads` ops at once. */
export function threadLayoutConfig(
  layout: ThreadLayout,
  threads: number,
): Required<Pick<TensorFlowConfig, 'intraOpThreads' | 'interOpThreads'>> {
  return layout === 'recurrent'
    ? { intraOpThreads: 1, interOpThreads: threads }
    : { intraOpThreads: threads, interOpThreads: threads };
}

export interface ThreadChoice {
  layout: ThreadLayout;
  /** The variables it sets (none for `default`, or where the environment already sets TF's thread counts). */
  env: Record<string, string>;
  /** For describeEngine: e.g. `threads: 1 per op, 2 ops at once (LESSONKIT_THREADS=recurrent)`. */
  summary: string;
}

/**
 * The thread layout a `LESSONKIT_THREADS` value asks for. Throws a clear error for any other value. Explicit
 * `TF_NUM_INTRAOP_THREADS` / `TF_NUM_INTEROP_THREADS` in `env` win over the layout (nothing is set then).
 */
export function threadChoice(
  value: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cores = os.cpus().length,
): ThreadChoice {
  const layout = (value ?? 'default') as ThreadLayout;
  if (layout !== 'default' && layout !== 'recurrent') {
    throw new Error(`LESSONKIT_THREADS: expected 'default' or 'recurrent'. Received: ${JSON.stringify(value)}.`);
  }
  if (layout === 'default') return { layout, env: {}, summary: "threads: TensorFlow's default" };
  if (env.TF_NUM_INTRAOP_THREADS || env.TF_NUM_INTEROP_THREADS) {
    return {
      layout,
      env: {},
      summary: `threads: TF_NUM_INTRAOP_THREADS=${env.TF_NUM_INTRAOP_THREADS ?? 'unset'}, TF_NUM_INTEROP_THREADS=${env.TF_NUM_INTEROP_THREADS ?? 'unset'} (set in the environment; LESSONKIT_THREADS=recurrent left them)`,
    };
  }
  return {
    layout,
    env: tensorFlowEnv(threadLayoutConfig('recurrent', Math.max(1, cores))),
    summary: `threads: 1 per op, ${Math.max(1, cores)} ops at once (LESSONKIT_THREADS=recurrent)`,
  };
}
