/**
 * Records one eager step of tfjs on the native backend and turns it into ONE TensorFlow function.
 *
 * How: every tfjs op on tfjs-node ends in `backend.binding.executeOp(name, attrs, inputIds, numOutputs)`, and every
 * JS-side tensor reaches the native side through `binding.createTensor(shape, dtype, values)`. While a Recording is
 * active, the backend's `binding` is a thin wrapper that runs those calls as usual and writes them down: ops become
 * graph nodes, JS-side tensors become constants, and the native tensors the step reads without having made them are
 * the function's inputs (the step's inputs, the variables it reads, and any other tensor it captured). The variables
 * whose value the step replaced (weights, optimizer slots, BatchNorm statistics) are found by comparing their native
 * tensor ids before and after; their new values become outputs. The trace is written as a FunctionDef
 * (function-def.ts) and registered in the binding's own eager context (the patched binding's `registerFunction`),
 * so that `executeOp(functionName, [], ids, n)` then runs the whole step as one native call, on the same tensor
 * handles, with no copies.
 *
 * What makes a step unrecordable (the caller falls back to eager): a read-back of a tensor in the middle of the
 * step (the JS side might branch on it), a stateful op (random numbers, I/O), an op with no outputs, string tensors,
 * a FunctionDef that TensorFlow rejects. Variables created during the step (optimizer slots on the first step) make
 * the recording retryable: the next step records again.
 */
import * as tf from '@tensorflow/tfjs';
import { functionDef, type TraceConst, type TraceNode } from './function-def';
import { OpRegistry } from './op-defs';
import { setting } from '../../io';

export interface GraphBinding {
  executeOp(
    name: string,
    attrs: unknown[],
    ids: number[],
    numOutputs: number,
  ): Array<{ id: number; shape: number[]; dtype: number }>;
  createTensor(shape: number[], dtype: number, values: unknown): number;
  tensorDataSync(id: number): ArrayBufferView;
  registerFunction(bytes: Uint8Array): void;
  removeFunction(name: string): void;
  opList(): Uint8Array;
  isUsingGpuDevice(): boolean;
  TF_FLOAT: number;
  TF_INT32: number;
  TF_INT64: number;
  TF_BOOL: number;
  TF_STRING: number;
}

export interface GraphBackend {
  binding: GraphBinding;
  getInputTensorIds(tensors: tf.Tensor[]): number[];
  createOutputTensor(meta: { id: number; shape: number[]; dtype: number }): tf.Tensor;
}

let registry: OpRegistry | undefined;
let functionCounter = 0;

/** What a compiled step holds, for profiling (bench/profile.ts): its FunctionDef and its arguments' shapes. */
export interface CompiledGraphDescription {
  name: string;
  /** The serialized FunctionDef, as registered. */
  functionDef: Uint8Array;
  /**
   * The function's arguments in call order (TF DataType, shape; a captured tensor's shape is [] or its length, and
   * its values when it has at most 16, e.g. BlockLSTM's sequence length).
   */
  args: Array<{ dtype: number; shape: number[]; kind: 'input' | 'variable' | 'captured'; values?: number[] }>;
  /** Recorded op nodes per op type (before TensorFlow's own optimization). */
  opCounts: Record<string, number>;
}

let compileListener: ((d: CompiledGraphDescription) => void) | undefined;

/** Calls `listener` with every function compiled from now on (undefined: stop). For profiling only. */
export function onGraphCompiled(listener: ((d: CompiledGraphDescription) => void) | undefined): void {
  compileListener = listener;
}
/** Recordings in progress (active, not paused). */
let activeRecordings = 0;

/**
 * True while a step is being recorded for the graph path. Layers may then build the formulation that is fastest
 * as a graph (many small ops, which a graph runs cheaply) instead of the one fastest eagerly (few big native ops);
 * both compute the same function, which test/graph checks.
 */
export function isRecordingGraph(): boolean {
  return activeRecordings > 0;
}

/**
 * The active backend when the graph path can run on it: tfjs-node's native backend, with the patched binding
 * (`registerFunction`), on CPU (the GPU package keeps the eager path until measured there), and not switched off
 * with LESSONKIT_GRAPH=off. Else undefined.
 */
export function graphBackend(): GraphBackend | undefined {
  const env = (setting('LESSONKIT_GRAPH') ?? '').toLowerCase();
  if (env === 'off' || env === '0' || env === 'false') return undefined;
  if (tf.getBackend() !== 'tensorflow') return undefined;
  const b = tf.backend() as unknown as Partial<GraphBackend> & { isUsingGpuDevice?: boolean };
  const binding = b.binding as Partial<GraphBinding> | undefined;
  if (!binding || typeof binding.registerFunction !== 'function' || typeof binding.opList !== 'function')
    return undefined;
  if (typeof b.getInputTensorIds !== 'function' || typeof b.createOutputTensor !== 'function') return undefined;
  if (b.isUsingGpuDevice || binding.isUsingGpuDevice?.()) return undefined;
  return b as GraphBackend;
}

function ops(binding: GraphBinding): OpRegistry {
  registry ??= new OpRegistry(binding.opList());
  return registry;
}

const TF_DTYPE: Record<string, number> = { float32: 1, int32: 3, bool: 10 };

/** A compiled step: one registered function and how to call it. */
export class CompiledGraph {
  private disposed = false;
  constructor(
    private readonly backend: GraphBackend,
    readonly functionName: string,
    /** How many leading arguments are the step's own inputs. */
    readonly inputCount: number,
    /** Variables passed (by their current value) after the inputs. */
    readonly readVariables: tf.Variable[],
    /** Native ids of other captured tensors, passed last. */
    readonly captured: number[],
    /** How many leading outputs are the step's own outputs. */
    readonly outputCount: number,
    /** Variables whose new values follow the step's outputs. */
    readonly updatedVariables: tf.Variable[],
    /** Op nodes in the function (before TensorFlow's own optimization). */
    readonly nodeCount: number,
  ) {}

  /** Runs the step as one native call. Nothing is assigned: `updates` pairs each variable with its new value. */
  run(inputs: tf.Tensor[]): { outputs: tf.Tensor[]; updates: Array<[tf.Variable, tf.Tensor]> } {
    if (this.disposed) throw new Error(`graph: ${this.functionName} was disposed`);
    if (inputs.length !== this.inputCount)
      throw new Error(`graph: ${this.functionName} takes ${this.inputCount} inputs, got ${inputs.length}`);
    const ids = [...this.backend.getInputTensorIds([...inputs, ...this.readVariables]), ...this.captured];
    const metas = this.backend.binding.executeOp(
      this.functionName,
      [],
      ids,
      this.outputCount + this.updatedVariables.length,
    );
    const tensors = metas.map((m) => this.backend.createOutputTensor(m));
    return {
      outputs: tensors.slice(0, this.outputCount),
      updates: this.updatedVariables.map((v, i) => [v, tensors[this.outputCount + i]] as [tf.Variable, tf.Tensor]),
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    try {
      this.backend.binding.removeFunction(this.functionName);
    } catch {
      // already gone with the context
    }
  }
}

/** Assigns the new values `run` returned and frees them (the variables keep them). */
export function assignUpdates(updates: Array<[tf.Variable, tf.Tensor]>): void {
  for (const [v, t] of updates) {
    v.assign(t);
    t.dispose();
  }
}

/** BatchMatMulV2's attributes (T, adj_x, adj_y) as MatMul's (T, transpose_a, transpose_b). */
function matMulAttrs(attrs: TraceNode['attrs']): TraceNode['attrs'] {
  const rename: Record<string, string> = { adj_x: 'transpose_a', adj_y: 'transpose_b' };
  return attrs.map((a) => (rename[a.name] ? { ...a, name: rename[a.name] } : a));
}

/** Thrown inside a recording when the step does something a graph cannot hold. */
class Unrecordable extends Error {}

export type RecordResult = { graph: CompiledGraph } | { reason: string; retry: boolean };

/** One eager step being recorded. Construct it just before the step, call `finish` right after. */
export class Recording {
  private readonly original: GraphBinding;
  private readonly nodes: TraceNode[] = [];
  private readonly consts = new Map<number, TraceConst>();
  private readonly produced = new Set<number>();
  private readonly external = new Set<number>();
  private readonly inputIds: number[];
  private readonly variablesBefore: Map<tf.Variable, number>;
  private activeFlag = false;
  private done = false;
  private abortReason?: string;

  constructor(
    private readonly backend: GraphBackend,
    private readonly inputs: tf.Tensor[],
  ) {
    this.original = backend.binding;
    // Upload what is still JS-side now, so that only tensors made during the step count as constants.
    this.inputIds = backend.getInputTensorIds(inputs);
    const vars = Object.values(tf.engine().registeredVariables);
    this.variablesBefore = new Map(vars.map((v) => [v, backend.getInputTensorIds([v])[0]]));
    backend.binding = this.reinstall(Object.create(this.original) as GraphBinding);
    this.active = true;
  }

  private get active(): boolean {
    return this.activeFlag;
  }

  private set active(on: boolean) {
    if (on !== this.activeFlag) activeRecordings += on ? 1 : -1;
    this.activeFlag = on;
  }

  private abort(reason: string): void {
    this.abortReason ??= reason;
  }

  private onOp(
    name: string,
    attrs: unknown[],
    ids: number[],
    metas: Array<{ id: number; dtype: number; shape: number[] }>,
  ): void {
    if (this.abortReason) return;
    const def = ops(this.original).get(name);
    if (!def) return this.abort(`op ${name} has no OpDef`);
    if (def.stateful) return this.abort(`stateful op ${name}`);
    if (metas.length === 0) return this.abort(`op ${name} has no outputs`);
    for (const id of ids) if (!this.produced.has(id)) this.external.add(id);
    for (const m of metas) {
      if (m.dtype === this.original.TF_STRING) return this.abort(`op ${name} makes a string tensor`);
      this.produced.add(m.id);
    }
    const rank2MatMul = name === 'BatchMatMulV2' && metas.length === 1 && metas[0].shape.length === 2;
    this.nodes.push({
      // tfjs runs every matmul as BatchMatMulV2; a rank-2 one is written as MatMul, the same product, which grappler
      // can fuse with a following BiasAdd and whose kernel is faster on the recurrent layers' [128, 128] shapes
      // (BENCHMARKS.md, "What bounds the rows that still miss").
      op: rank2MatMul ? 'MatMul' : name,
      attrs: rank2MatMul ? matMulAttrs(attrs as TraceNode['attrs']) : (attrs as TraceNode['attrs']),
      inputs: [...ids],
      outputs: metas.map((m) => m.id),
      outputDtypes: metas.map((m) => m.dtype),
    });
  }

  /** Stops recording (a read-back in between is allowed, e.g. the loss); `resume` continues. */
  pause(): void {
    this.active = false;
    this.backend.binding = this.original;
  }

  resume(): void {
    if (this.done) throw new Error('graph: the recording was finished');
    this.backend.binding = this.reinstall(Object.create(this.original) as GraphBinding);
    this.active = true;
  }

  /** A binding whose executeOp / createTensor / tensorDataSync record, and everything else is the original's. */
  private reinstall(base: GraphBinding): GraphBinding {
    // The native exports are read-only properties, so the wrapper defines its own rather than assigning.
    return Object.defineProperties(base, {
      executeOp: {
        value: (name: string, attrs: unknown[], ids: number[], numOutputs: number) => {
          const metas = this.original.executeOp(name, attrs, ids, numOutputs);
          if (this.active) this.onOp(name, attrs, ids, metas);
          return metas;
        },
      },
      createTensor: {
        value: (shape: number[], dtype: number, values: unknown) => {
          const id = this.original.createTensor(shape, dtype, values);
          if (this.active) {
            if (dtype === this.original.TF_STRING) this.abort('a string tensor');
            this.consts.set(id, { shape: [...shape], dtype, values });
            this.produced.add(id);
          }
          return id;
        },
      },
      tensorDataSync: {
        value: (id: number) => {
          if (this.active) this.abort('a tensor read back to JavaScript in the middle of the step');
          return this.original.tensorDataSync(id);
        },
      },
    }) as GraphBinding;
  }

  /** Drops the recording (the step failed). */
  cancel(): void {
    this.active = false;
    this.done = true;
    this.backend.binding = this.original;
  }

  /**
   * Ends the recording after the step. `outputs` are the step's results to return from the function (e.g. the loss);
   * they must still be alive. Registers the function and returns it, or why not.
   */
  finish(outputs: tf.Tensor[]): RecordResult {
    if (this.done) throw new Error('graph: the recording was finished');
    if (!this.active) {
      this.backend.binding = this.reinstall(Object.create(this.original) as GraphBinding);
      this.active = true;
    }
    let outputIds: number[];
    let varsAfter: Array<[tf.Variable, number]>;
    try {
      // Still recording: outputs or new values made JS-side become constants.
      outputIds = this.backend.getInputTensorIds(outputs);
      varsAfter = Object.values(tf.engine().registeredVariables).map((v) => [
        v,
        this.backend.getInputTensorIds([v])[0],
      ]);
    } finally {
      this.cancel();
    }
    if (this.abortReason) return { reason: this.abortReason, retry: false };
    if (varsAfter.some(([v]) => !this.variablesBefore.has(v)))
      return { reason: 'the step created variables (optimizer slots on the first step)', retry: true };
    if (this.nodes.length === 0) return { reason: 'the step ran no native ops', retry: false };
    if (new Set(this.inputIds).size !== this.inputIds.length)
      return { reason: 'the same tensor passed twice as input', retry: false };
    try {
      return { graph: this.compile(outputIds, varsAfter) };
    } catch (err) {
      if (err instanceof Unrecordable) return { reason: err.message, retry: false };
      return { reason: `TensorFlow rejected the function: ${(err as Error).message}`, retry: false };
    }
  }

  private compile(outputIds: number[], varsAfter: Array<[tf.Variable, number]>): CompiledGraph {
    const b = this.original;
    const idToVariable = new Map<number, tf.Variable>();
    for (const [v, id] of this.variablesBefore) idToVariable.set(id, v);
    const args: Array<{ id: number; dtype: number }> = this.inputs.map((t, i) => ({
      id: this.inputIds[i],
      dtype: this.dtypeOfTensor(t),
    }));
    const inputSet = new Set(this.inputIds);
    const readVariables: tf.Variable[] = [];
    const captured: number[] = [];
    const capture = (id: number): void => {
      if (inputSet.has(id) || this.produced.has(id) || args.some((a) => a.id === id)) return;
      const v = idToVariable.get(id);
      if (v) {
        readVariables.push(v);
        return;
      }
      captured.push(id);
    };
    for (const id of this.external) capture(id);
    const updated = varsAfter.filter(([v, id]) => this.variablesBefore.get(v) !== id);
    const returns = [...outputIds, ...updated.map(([, id]) => id)];
    for (const id of returns) capture(id);
    for (const v of readVariables)
      args.push({ id: this.variablesBefore.get(v) as number, dtype: this.dtypeOfTensor(v) });
    for (const id of captured) args.push({ id, dtype: this.capturedDtype(id) });
    const name = `lessonkit_step_${process.pid}_${++functionCounter}`;
    const bytes = functionDef({ name, args, nodes: this.nodes, consts: this.consts, returns }, ops(b));
    if (setting('LESSONKIT_GRAPH_DEBUG')) {
      console.warn(
        `[graph] ${name}: ${this.nodes.length} ops, ${this.consts.size} constants, ${args.length} arguments (${readVariables.length} variables, ${captured.length} captured), ${returns.length} results, FunctionDef ${(bytes.length / 2 ** 20).toFixed(2)} MiB`,
      );
    }
    b.registerFunction(bytes);
    if (compileListener) {
      const opCounts: Record<string, number> = {};
      for (const n of this.nodes) opCounts[n.op] = (opCounts[n.op] ?? 0) + 1;
      compileListener({
        name,
        functionDef: bytes,
        args: [
          ...this.inputs.map((t) => ({ dtype: this.dtypeOfTensor(t), shape: [...t.shape], kind: 'input' as const })),
          ...readVariables.map((v) => ({
            dtype: this.dtypeOfTensor(v),
            shape: [...v.shape],
            kind: 'variable' as const,
          })),
          ...captured.map((id) => {
            const data = this.original.tensorDataSync(id) as unknown as ArrayLike<number | bigint>;
            const values = Array.from(data.length <= 16 ? data : [], (v) => Number(v));
            return {
              dtype: this.capturedDtype(id),
              shape: data.length === 1 ? [] : [data.length],
              kind: 'captured' as const,
              ...(values.length ? { values } : {}),
            };
          }),
        ],
        opCounts,
      });
    }
    return new CompiledGraph(
      this.backend,
      name,
      this.inputs.length,
      readVariables,
      captured,
      outputIds.length,
      updated.map(([v]) => v),
      this.nodes.length,
    );
  }

  private dtypeOfTensor(t: tf.Tensor): number {
    const d = TF_DTYPE[t.dtype];
    if (d === undefined) throw new Unrecordable(`a ${t.dtype} input`);
    return d;
  }

  /** The native dtype of a captured tensor (it may be int64 behind an int32 label), from its data's array type. */
  private capturedDtype(id: number): number {
    const data = this.original.tensorDataSync(id);
    if (data instanceof Float32Array) return this.original.TF_FLOAT;
    if (data instanceof Int32Array) return this.original.TF_INT32;
    if (data instanceof BigInt64Array) return this.original.TF_INT64;
    if (data instanceof Uint8Array) return this.original.TF_BOOL;
    throw new Unrecordable(`a captured tensor of unsupported type ${data?.constructor?.name}`);
  }
}
