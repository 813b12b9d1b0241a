/**
 * Writes a recorded op trace (src/engine/graph/recorder.ts) as a serialized TensorFlow FunctionDef: inputs become
 * the signature's arguments, recorded JS-side constants become `Const` nodes, every recorded op becomes a NodeDef
 * whose type attributes (inferred by eager execution, but required in a graph) are filled in from the op's OpDef,
 * and the requested tensors become the return values.
 */
import { ProtoWriter } from './proto';
import type { OpRegistry } from './op-defs';

/** TF_AttrType (tensorflow/c/tf_attrtype.h). */
const ATTR = { STRING: 0, INT: 1, FLOAT: 2, BOOL: 3, TYPE: 4, SHAPE: 5 } as const;

/** One attribute as tfjs-node passes it to `executeOp`. */
export interface TraceAttr {
  name: string;
  type: number;
  value: unknown;
}

export interface TraceNode {
  op: string;
  attrs: TraceAttr[];
  /** Native tensor ids of the inputs. */
  inputs: number[];
  /** Native tensor ids of the outputs, and their TF DataTypes. */
  outputs: number[];
  outputDtypes: number[];
}

export interface TraceConst {
  shape: number[];
  dtype: number;
  /** The values as tfjs-node handed them to `createTensor` (a typed array, or a plain array). */
  values: unknown;
}

export interface TraceGraph {
  name: string;
  /** The function's inputs, in call order. */
  args: Array<{ id: number; dtype: number }>;
  nodes: TraceNode[];
  consts: Map<number, TraceConst>;
  /** Native ids to return, in order. */
  returns: number[];
}

function encodeShape(w: ProtoWriter, shape: readonly number[]): void {
  for (const d of shape) w.message(2, (dim) => dim.int(1, d));
}

/** A serialized AttrValue for one tfjs-node attribute. */
export function attrValue(a: TraceAttr): Uint8Array {
  const w = new ProtoWriter();
  const v = a.value;
  if (Array.isArray(v) && a.type !== ATTR.SHAPE) {
    w.message(1, (list) => {
      if (a.type === ATTR.STRING) for (const s of v) list.string(2, String(s));
      else if (a.type === ATTR.INT) list.packedInts(3, v as number[]);
      else if (a.type === ATTR.FLOAT) list.packedFloats(4, v as number[]);
      else if (a.type === ATTR.BOOL)
        list.packedInts(
          5,
          (v as boolean[]).map((b) => (b ? 1 : 0)),
        );
      else if (a.type === ATTR.TYPE) list.packedInts(6, v as number[]);
      else throw new Error(`graph: list attribute ${a.name} of type ${a.type} is not supported`);
    });
    return w.finish();
  }
  switch (a.type) {
    case ATTR.STRING:
      w.string(2, String(v));
      break;
    case ATTR.INT:
      w.int(3, v as number);
      break;
    case ATTR.FLOAT:
      w.float(4, v as number);
      break;
    case ATTR.BOOL:
      w.int(5, Boolean(v));
      break;
    case ATTR.TYPE:
      w.int(6, v as number);
      break;
    case ATTR.SHAPE:
      w.message(7, (s) => encodeShape(s, v as number[]));
      break;
    default:
      throw new Error(`graph: attribute ${a.name} of type ${a.type} is not supported`);
  }
  return w.finish();
}

const typeAttr = (dtype: number): Uint8Array => new ProtoWriter().int(6, dtype).finish();
const intAttr = (n: number): Uint8Array => new ProtoWriter().int(3, n).finish();
const typeListAttr = (dtypes: number[]): Uint8Array =>
  new ProtoWriter().message(1, (l) => l.packedInts(6, dtypes)).finish();

/** Raw little-endian bytes of a recorded constant, for TensorProto.tensor_content. */
function constBytes(c: TraceConst): Uint8Array {
  const v = c.values;
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
  if (Array.isArray(v)) {
    if (c.dtype === 1) return new Uint8Array(Float32Array.from(v as number[]).buffer);
    if (c.dtype === 3) return new Uint8Array(Int32Array.from(v as number[]).buffer);
    if (c.dtype === 10) return Uint8Array.from((v as unknown[]).map((b) => (b ? 1 : 0)));
  }
  throw new Error(`graph: constant of dtype ${c.dtype} with ${typeof v} values is not supported`);
}

/** True when every `width`-byte element of `bytes` equals the first. */
function isUniform(bytes: Uint8Array, width: number): boolean {
  for (let i = width; i < bytes.length; i++) if (bytes[i] !== bytes[i % width]) return false;
  return true;
}

function writeAttrMap(w: ProtoWriter, field: number, attrs: Map<string, Uint8Array>): void {
  for (const [k, val] of [...attrs].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    w.message(field, (e) => e.string(1, k).bytes(2, val));
  }
}

/** Serializes `g` as a FunctionDef. Throws (with the op's name) when a node cannot be written. */
export function functionDef(g: TraceGraph, ops: OpRegistry): Uint8Array {
  const ref = new Map<number, string>();
  const dtypeOf = new Map<number, number>();
  g.args.forEach((a, i) => {
    ref.set(a.id, `a${i}`);
    dtypeOf.set(a.id, a.dtype);
  });
  const nodeDefs: Uint8Array[] = [];
  const addNode = (name: string, op: string, inputs: string[], attrs: Map<string, Uint8Array>): void => {
    const w = new ProtoWriter();
    w.string(1, name).string(2, op);
    for (const i of inputs) w.string(3, i);
    writeAttrMap(w, 5, attrs);
    nodeDefs.push(w.finish());
  };
  let k = 0;
  const constNode = (name: string, dtype: number, shape: readonly number[], content: Uint8Array): void => {
    const tensor = new ProtoWriter()
      .int(1, dtype)
      .message(2, (s) => encodeShape(s, shape))
      .bytes(4, content)
      .finish();
    addNode(
      name,
      'Const',
      [],
      new Map([
        ['dtype', typeAttr(dtype)],
        ['value', new ProtoWriter().bytes(8, tensor).finish()],
      ]),
    );
  };
  for (const [id, c] of g.consts) {
    const name = `c${k++}`;
    const content = constBytes(c);
    const width = c.dtype === 9 ? 8 : c.dtype === 10 ? 1 : 4;
    const count = content.length / width;
    if (count >= 64 && isUniform(content, width)) {
      // A filled tensor (zeros, ones: tfjs makes them in JavaScript) as Fill(shape, value): no big constant.
      constNode(`${name}_dims`, 3, [c.shape.length], new Uint8Array(Int32Array.from(c.shape).buffer));
      constNode(`${name}_value`, c.dtype, [], content.slice(0, width));
      addNode(
        name,
        'Fill',
        [`${name}_dims:output:0`, `${name}_value:output:0`],
        new Map([
          ['T', typeAttr(c.dtype)],
          ['index_type', typeAttr(3)],
        ]),
      );
    } else {
      constNode(name, c.dtype, c.shape, content);
    }
    ref.set(id, `${name}:output:0`);
    dtypeOf.set(id, c.dtype);
  }
  g.nodes.forEach((n, index) => {
    const def = ops.get(n.op);
    if (!def) throw new Error(`graph: op ${n.op} is not registered in this TensorFlow`);
    const attrs = new Map<string, Uint8Array>();
    const ints = new Map<string, number>();
    const listLengths = new Map<string, number>();
    for (const a of n.attrs) {
      attrs.set(a.name, attrValue(a));
      if (a.type === ATTR.INT && typeof a.value === 'number') ints.set(a.name, a.value);
      if (a.type === ATTR.TYPE && Array.isArray(a.value)) listLengths.set(a.name, a.value.length);
    }
    const argCount = (arg: (typeof def.inputs)[number]): number | undefined =>
      arg.numberAttr ? ints.get(arg.numberAttr) : arg.typeListAttr ? listLengths.get(arg.typeListAttr) : 1;
    const counts = def.inputs.map(argCount);
    const unknown = counts.map((c, i) => (c === undefined ? i : -1)).filter((i) => i >= 0);
    if (unknown.length > 1) throw new Error(`graph: cannot split the inputs of ${n.op} among its list arguments`);
    if (unknown.length === 1) counts[unknown[0]] = n.inputs.length - counts.reduce<number>((s, c) => s + (c ?? 0), 0);
    if (counts.reduce<number>((s, c) => s + (c ?? 0), 0) !== n.inputs.length) {
      throw new Error(`graph: ${n.op} got ${n.inputs.length} inputs, its OpDef takes ${counts.join('+')}`);
    }
    const inputRefs: string[] = [];
    let pos = 0;
    def.inputs.forEach((arg, i) => {
      const ids = n.inputs.slice(pos, pos + (counts[i] as number));
      pos += counts[i] as number;
      const dtypes = ids.map((id) => {
        const d = dtypeOf.get(id);
        if (d === undefined) throw new Error(`graph: input ${id} of ${n.op} was not recorded`);
        return d;
      });
      if (arg.numberAttr && !attrs.has(arg.numberAttr)) {
        attrs.set(arg.numberAttr, intAttr(ids.length));
        ints.set(arg.numberAttr, ids.length);
      }
      if (arg.typeAttr && !attrs.has(arg.typeAttr) && dtypes.length > 0) attrs.set(arg.typeAttr, typeAttr(dtypes[0]));
      if (arg.typeListAttr && !attrs.has(arg.typeListAttr)) {
        attrs.set(arg.typeListAttr, typeListAttr(dtypes));
        listLengths.set(arg.typeListAttr, dtypes.length);
      }
      for (const id of ids) inputRefs.push(ref.get(id) as string);
    });
    for (const a of def.attrs) if (!attrs.has(a.name) && a.defaultValue) attrs.set(a.name, a.defaultValue);
    const name = `n${index}`;
    let flat = 0;
    for (const arg of def.outputs) {
      const count = arg.numberAttr
        ? ints.get(arg.numberAttr)
        : arg.typeListAttr
          ? listLengths.get(arg.typeListAttr)
          : 1;
      if (count === undefined) throw new Error(`graph: cannot count the outputs of ${n.op} (${arg.name})`);
      for (let j = 0; j < count; j++, flat++) {
        if (flat < n.outputs.length) {
          ref.set(n.outputs[flat], `${name}:${arg.name}:${j}`);
          dtypeOf.set(n.outputs[flat], n.outputDtypes[flat]);
        }
      }
    }
    if (flat !== n.outputs.length)
      throw new Error(`graph: ${n.op} recorded ${n.outputs.length} outputs, its OpDef gives ${flat}`);
    addNode(name, n.op, inputRefs, attrs);
  });
  const rets: Array<[string, string]> = [];
  g.returns.forEach((id, i) => {
    let r = ref.get(id);
    const dtype = dtypeOf.get(id);
    if (r === undefined || dtype === undefined)
      throw new Error(`graph: return value ${i} (tensor ${id}) was not recorded`);
    if (!r.includes(':') || r.startsWith('c')) {
      // An argument or a constant returned as is: through an Identity node.
      const name = `r${i}_identity`;
      addNode(name, 'Identity', [r], new Map([['T', typeAttr(dtype)]]));
      r = `${name}:output:0`;
    }
    rets.push([`r${i}`, r]);
  });
  const w = new ProtoWriter();
  w.message(1, (sig) => {
    sig.string(1, g.name);
    g.args.forEach((a, i) => sig.message(2, (arg) => arg.string(1, `a${i}`).int(3, a.dtype)));
    g.returns.forEach((id, i) => sig.message(3, (arg) => arg.string(1, `r${i}`).int(3, dtypeOf.get(id) as number)));
  });
  for (const nd of nodeDefs) w.bytes(3, nd);
  for (const [key, value] of rets) w.message(4, (e) => e.string(1, key).string(2, value));
  return w.finish();
}
