/**
 * Graph-compiled training steps on top of the recorder: the first eager step(s) run as usual while being recorded,
 * and later steps with the same input shapes (and the same learning rates) run as ONE native call.
 *
 * - `GraphStepCompiler`: the cache of compiled functions for one step function, keyed by input shapes and a caller
 *   key; it records a step, compiles it, and runs the compiled function, falling back to eager for good when a step
 *   cannot be recorded or a compiled function fails.
 * - `GraphStepCompiler.step(...)`: one whole step (forward, loss, gradients, optimizer update) through a compiler.
 * - `fitGraphStep(model, optimizers)`: the two-part step (compute, then apply) that `fit`'s graph `TrainStep`
 *   (src/train/graph-step.ts) runs; `null` when the model is not covered (`graphPathFor`).
 * - `graphForward(f)`: an inference function through a compiler (evaluate, cacheFeatures).
 */
import * as tf from '@tensorflow/tfjs';
import { setting } from '../../io';
import { assignUpdates, graphBackend, Recording, type CompiledGraph, type GraphBackend } from './recorder';

export interface GraphStepInfo {
  /** Steps that ran as one native call. */
  graphSteps: number;
  /** Steps that ran eagerly (recording or not). */
  eagerSteps: number;
  /** Functions compiled. */
  compiled: number;
  /** Why the graph path is off for this step function, once it is. */
  disabledReason?: string;
  /** Op nodes in the most recent compiled function. */
  nodes?: number;
}

type Optimizers = readonly tf.Optimizer[];

/** Process-wide counts (all compilers): how many steps ran as one native call, and functions compiled. */
export const graphTotals = { graphSteps: 0, compiled: 0, disabled: 0 };

function iterationsOf(optimizers: Optimizers): number[] {
  return optimizers.map((o) => o.iterations);
}

function bumpIterations(optimizers: Optimizers, delta: number[]): void {
  optimizers.forEach((o, i) => {
    if (delta[i]) (o as unknown as { iterations_: number }).iterations_ += delta[i];
  });
}

function learningRateKey(optimizers: Optimizers): string {
  return optimizers.map((o) => String((o as unknown as { learningRate?: unknown }).learningRate)).join(',');
}

export interface GraphStepCompilerOptions {
  /** The optimizers the step updates (their learning rates are part of the cache key, their iteration counts advance). */
  optimizers?: Optimizers;
  /** More of the cache key (anything the step reads from JavaScript state). */
  key?: () => string;
  /** Compiled shapes to keep at most (e.g. the full batch and the last, smaller one). Default: 4. */
  maxGraphs?: number;
}

/** Records, compiles and runs one kind of step. Not for steps whose JavaScript state changes other than through variables. */
export class GraphStepCompiler {
  readonly info: GraphStepInfo = { graphSteps: 0, eagerSteps: 0, compiled: 0 };
  private readonly graphs = new Map<string, CompiledGraph>();
  private readonly iterationDelta = new Map<string, number[]>();
  private readonly optimizers: Optimizers;
  private invalidations = 0;

  constructor(
    private readonly backend: GraphBackend,
    private readonly options: GraphStepCompilerOptions = {},
  ) {
    this.optimizers = options.optimizers ?? [];
  }

  get enabled(): boolean {
    return this.info.disabledReason === undefined;
  }

  keyFor(inputs: tf.Tensor[]): string {
    return `${inputs.map((t) => `${t.dtype}[${t.shape}]`).join(';')}|${learningRateKey(this.optimizers)}|${this.options.key?.() ?? ''}`;
  }

  /** The compiled function for these inputs, if any. */
  lookup(inputs: tf.Tensor[]): { graph: CompiledGraph; key: string } | undefined {
    if (!this.enabled) return undefined;
    const key = this.keyFor(inputs);
    const graph = this.graphs.get(key);
    return graph ? { graph, key } : undefined;
  }

  /** Runs a compiled step; on failure the graph path turns off and undefined says "run it eagerly". */
  runCompiled(
    hit: { graph: CompiledGraph; key: string },
    inputs: tf.Tensor[],
  ): { outputs: tf.Tensor[]; apply: () => void; discard: () => void } | undefined {
    let result: ReturnType<CompiledGraph['run']>;
    try {
      result = hit.graph.run(inputs);
    } catch (err) {
      const message = (err as Error).message;
      // A captured tensor was freed (e.g. SGD re-creates its learning-rate scalar every epoch): record again, a few
      // times at most; anything else turns the graph path off.
      if (/not referenced/.test(message) && ++this.invalidations <= 8) {
        this.graphs.get(hit.key)?.dispose();
        this.graphs.delete(hit.key);
        return undefined;
      }
      this.disable(`the compiled step failed: ${message}`);
      return undefined;
    }
    this.info.graphSteps += 1;
    graphTotals.graphSteps += 1;
    const delta = this.iterationDelta.get(hit.key) ?? [];
    return {
      outputs: result.outputs,
      apply: () => {
        assignUpdates(result.updates);
        bumpIterations(this.optimizers, delta);
      },
      discard: () => tf.dispose(result.updates.map(([, t]) => t)),
    };
  }

  /** Starts recording an eager step on these inputs (undefined when the graph path is off). */
  begin(inputs: tf.Tensor[]): { recording: Recording; key: string; iterations: number[] } | undefined {
    if (!this.enabled) return undefined;
    return {
      recording: new Recording(this.backend, inputs),
      key: this.keyFor(inputs),
      iterations: iterationsOf(this.optimizers),
    };
  }

  /** Ends a recording begun with `begin`, after the eager step ran; `outputs` as the step returned them. */
  end(rec: { recording: Recording; key: string; iterations: number[] }, outputs: tf.Tensor[]): void {
    const result = rec.recording.finish(outputs);
    if ('graph' in result) {
      const after = iterationsOf(this.optimizers);
      this.iterationDelta.set(
        rec.key,
        after.map((n, i) => n - rec.iterations[i]),
      );
      this.graphs.get(rec.key)?.dispose();
      this.graphs.set(rec.key, result.graph);
      this.info.compiled += 1;
      graphTotals.compiled += 1;
      this.info.nodes = result.graph.nodeCount;
      const max = this.options.maxGraphs ?? 4;
      while (this.graphs.size > max) {
        const [oldest] = this.graphs.keys();
        this.graphs.get(oldest)?.dispose();
        this.graphs.delete(oldest);
      }
    } else if (!result.retry) {
      this.disable(result.reason);
    }
  }

  disable(reason: string): void {
    if (this.info.disabledReason === undefined) {
      graphTotals.disabled += 1;
      if (setting('LESSONKIT_GRAPH_DEBUG')) console.warn(`[graph] falling back to eager: ${reason}`);
    }
    this.info.disabledReason ??= reason;
    this.dispose();
  }

  dispose(): void {
    for (const g of this.graphs.values()) g.dispose();
    this.graphs.clear();
  }

  /**
   * One whole step: `eager()` runs the step eagerly (forward, loss, gradients, optimizer update) and returns its
   * outputs (e.g. the loss); they are returned as they are, or as computed by the compiled function.
   */
  step(inputs: tf.Tensor[], eager: () => tf.Tensor[]): tf.Tensor[] {
    const hit = this.lookup(inputs);
    if (hit) {
      const ran = this.runCompiled(hit, inputs);
      if (ran) {
        ran.apply();
        return ran.outputs;
      }
    }
    this.info.eagerSteps += 1;
    const rec = this.begin(inputs);
    if (!rec) return eager();
    let outputs: tf.Tensor[];
    try {
      outputs = eager();
    } catch (err) {
      rec.recording.cancel();
      throw err;
    }
    this.end(rec, outputs);
    return outputs;
  }
}

/** A compiler for a step on the active backend, or null when the graph path cannot run here (see `graphBackend`). */
export function graphStepCompiler(options: GraphStepCompilerOptions = {}): GraphStepCompiler | null {
  const backend = graphBackend();
  return backend ? new GraphStepCompiler(backend, options) : null;
}

/** Layers whose training-mode output draws random numbers in JavaScript: a recorded graph would freeze them. */
const RANDOM_LAYERS = new Set([
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'SpatialDropout3D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
]);

/** Why the graph path does not cover `model`, or undefined when it does. */
export function uncoveredReason(model: tf.LayersModel): string | undefined {
  let reason: string | undefined;
  const walk = (node: unknown, where: string): void => {
    if (reason || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n) => walk(n, where));
    const o = node as Record<string, unknown>;
    const cls = o.class_name ?? o.className;
    if (typeof cls === 'string' && RANDOM_LAYERS.has(cls)) {
      reason = `layer ${cls} draws random numbers in training`;
      return;
    }
    for (const [k, v] of Object.entries(o)) {
      if (/dropout$/i.test(k) && typeof v === 'number' && v > 0) {
        reason = `${k} = ${v} draws random numbers in training`;
        return;
      }
      walk(v, where);
    }
  };
  for (const layer of model.layers) {
    if (RANDOM_LAYERS.has(layer.getClassName()))
      return `layer ${layer.name} (${layer.getClassName()}) draws random numbers in training`;
    try {
      walk(layer.getConfig(), layer.name);
    } catch {
      // a layer without a serializable config: judged by its class only
    }
    if (reason) return `layer ${layer.name}: ${reason}`;
  }
  return undefined;
}

/**
 * The graph path for `fit`'s step on `model`: null when it does not apply (not the native CPU backend, an unpatched
 * binding, LESSONKIT_GRAPH=off, or a model with random training-time layers), else a compiler whose cache key
 * follows the optimizers' learning rates.
 */
export function graphPathFor(model: tf.LayersModel, optimizers: Optimizers): GraphStepCompiler | null {
  if (uncoveredReason(model) !== undefined) return null;
  return graphStepCompiler({ optimizers });
}

/**
 * `fit`'s two-part step through the graph path: `compute` (loss, correct count, gradient norm; nothing applied) and
 * `apply` (the update), with the loss read back in between. The eager halves are passed in, so that `fit` keeps
 * its own step code: `compute` records it or runs the compiled function, `apply` assigns the new values. A step
 * that is never applied (a non-finite loss) leaves the weights as they were, as in the eager path.
 */
export class FitGraphStep<S extends { loss: tf.Scalar; correct?: tf.Scalar; norm?: tf.Scalar }> {
  private pending?: { apply: () => void; discard: () => void };
  private recording?: { rec: NonNullable<ReturnType<GraphStepCompiler['begin']>>; step: S };
  private readonly layouts = new Map<string, Array<'loss' | 'correct' | 'norm'>>();

  constructor(readonly compiler: GraphStepCompiler) {}

  get info(): GraphStepInfo {
    return this.compiler.info;
  }

  compute(x: tf.Tensor, y: tf.Tensor, eager: () => S): S {
    this.pending?.discard();
    this.pending = undefined;
    this.recording?.rec.recording.cancel();
    this.recording = undefined;
    const hit = this.compiler.lookup([x, y]);
    const layout = hit ? this.layouts.get(hit.key) : undefined;
    if (hit && layout) {
      const ran = this.compiler.runCompiled(hit, [x, y]);
      if (ran) {
        this.pending = ran;
        const named: Record<string, tf.Tensor> = {};
        layout.forEach((k, i) => (named[k] = ran.outputs[i]));
        // The gradients never leave the function: nothing for the caller to apply or free.
        return { ...named, grads: {} } as unknown as S;
      }
    }
    this.compiler.info.eagerSteps += 1;
    const rec = this.compiler.begin([x, y]);
    if (!rec) return eager();
    let step: S;
    try {
      step = eager();
    } catch (err) {
      rec.recording.cancel();
      throw err;
    }
    rec.recording.pause();
    this.recording = { rec, step };
    return step;
  }

  apply(step: S, eager: () => void): void {
    if (this.pending) {
      this.pending.apply();
      this.pending = undefined;
      return;
    }
    const recording = this.recording;
    this.recording = undefined;
    if (!recording || recording.step !== step) return eager();
    recording.rec.recording.resume();
    try {
      eager();
    } catch (err) {
      recording.rec.recording.cancel();
      throw err;
    }
    const layout = (['loss', 'correct', 'norm'] as const).filter((k) => step[k] !== undefined);
    this.layouts.set(recording.rec.key, [...layout]);
    this.compiler.end(
      recording.rec,
      layout.map((k) => step[k] as tf.Scalar),
    );
  }

  dispose(): void {
    this.pending?.discard();
    this.pending = undefined;
    this.recording?.rec.recording.cancel();
    this.recording = undefined;
    this.compiler.dispose();
  }
}

/**
 * The entry point for `fit`: a two-part graph step for `model` trained by `optimizers`, or null when the graph path
 * does not cover it (then `fit` runs its eager step). See `graphPathFor`.
 */
export function fitGraphStep<S extends { loss: tf.Scalar; correct?: tf.Scalar; norm?: tf.Scalar }>(
  model: tf.LayersModel,
  optimizers: Optimizers,
): FitGraphStep<S> | null {
  const compiler = graphPathFor(model, optimizers);
  return compiler ? new FitGraphStep<S>(compiler) : null;
}

/** A one-input function (inference: `x => output`) with its compiled graphs, and `dispose` to unregister them. */
export interface GraphForward {
  (x: tf.Tensor): tf.Tensor;
  readonly info?: GraphStepInfo;
  dispose(): void;
}

/**
 * `f` through the graph path: the first call per input shape runs `f` eagerly while recording it, later calls run
 * the compiled function (one native call). Without the graph path (or once a call could not be recorded) it is `f`.
 * For inference functions of the input alone (evaluate, cacheFeatures): `f` must not draw random numbers in
 * JavaScript (inference-mode Dropout does not).
 */
export function graphForward(f: (x: tf.Tensor) => tf.Tensor): GraphForward {
  const compiler = graphStepCompiler();
  if (!compiler) return Object.assign((x: tf.Tensor) => f(x), { dispose: () => undefined });
  return Object.assign((x: tf.Tensor) => compiler.step([x], () => [f(x)])[0], {
    info: compiler.info,
    dispose: () => compiler.dispose(),
  });
}
