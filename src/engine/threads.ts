/**
 * TensorFlow's thread layout (`LESSONKIT_THREADS`), applied by `ensureEngine()` before TensorFlow loads.
 */
import * as os from 'node:os';

/**
 * How TensorFlow's threads are laid out: `default` (TF's pools: every core works on one op) or `recurrent` (one thread
 * per op, one op per core at once). A recurrent step is a long chain of small ops; on the graph path it runs as
 * parallel chains over the batch (models/recurrent/graph-recurrent.ts), and with `recurrent` each chain gets a core
 * of its own instead of both cores meeting at every small op. Measured on 2 cores (BENCHMARKS.md, "Recurrent rows"):
 * the recurrent graph steps 1.6-1.7x faster than with TF's default layout in one run. A convolution then runs on one
 * core, so the layout is for recurrent work only.
 */
export type ThreadLayout = 'default' | 'recurrent';

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
    // What `tensorFlowEnv({ intraOpThreads: 1, interOpThreads: cores })` sets (tf-config.ts; not imported: it imports
    // load.ts, which imports this file).
    env: { TF_NUM_INTRAOP_THREADS: '1', OMP_NUM_THREADS: '1', TF_NUM_INTEROP_THREADS: String(Math.max(1, cores)) },
    summary: `threads: 1 per op, ${Math.max(1, cores)} ops at once (LESSONKIT_THREADS=recurrent)`,
  };
}
