/**
 * The signatures of TensorFlow's registered ops (OpDef: argument names, type attributes, defaults, statefulness),
 * read from the native library's `TF_GetAllOpList()` through the patched binding's `opList()`. The FunctionDef
 * writer needs them: a function body names an op's outputs by argument name, and a graph node must carry the type
 * attributes that eager execution infers from the inputs.
 */
import { protoFields, protoString } from './proto';

export interface ArgDef {
  name: string;
  /** A fixed DataType, or 0 when a type attribute decides. */
  type: number;
  typeAttr: string;
  numberAttr: string;
  typeListAttr: string;
}

export interface AttrDef {
  name: string;
  type: string;
  /** The serialized AttrValue of the default, when there is one. */
  defaultValue?: Uint8Array;
}

export interface OpDef {
  name: string;
  inputs: ArgDef[];
  outputs: ArgDef[];
  attrs: AttrDef[];
  stateful: boolean;
}

function decodeArg(bytes: Uint8Array): ArgDef {
  const a: ArgDef = { name: '', type: 0, typeAttr: '', numberAttr: '', typeListAttr: '' };
  for (const f of protoFields(bytes)) {
    if (f.field === 1) a.name = protoString(f.value);
    else if (f.field === 3) a.type = Number(f.value);
    else if (f.field === 4) a.typeAttr = protoString(f.value);
    else if (f.field === 5) a.numberAttr = protoString(f.value);
    else if (f.field === 6) a.typeListAttr = protoString(f.value);
  }
  return a;
}

function decodeAttr(bytes: Uint8Array): AttrDef {
  const a: AttrDef = { name: '', type: '' };
  for (const f of protoFields(bytes)) {
    if (f.field === 1) a.name = protoString(f.value);
    else if (f.field === 2) a.type = protoString(f.value);
    else if (f.field === 3) a.defaultValue = (f.value as Uint8Array).slice();
  }
  return a;
}

export function decodeOpDef(bytes: Uint8Array): OpDef {
  const op: OpDef = { name: '', inputs: [], outputs: [], attrs: [], stateful: false };
  for (const f of protoFields(bytes)) {
    if (f.field === 1) op.name = protoString(f.value);
    else if (f.field === 2) op.inputs.push(decodeArg(f.value as Uint8Array));
    else if (f.field === 3) op.outputs.push(decodeArg(f.value as Uint8Array));
    else if (f.field === 4) op.attrs.push(decodeAttr(f.value as Uint8Array));
    else if (f.field === 17) op.stateful = f.value !== 0n;
  }
  return op;
}

/** OpDefs by name, decoded on first use from one `opList()` buffer. */
export class OpRegistry {
  private readonly raw = new Map<string, Uint8Array>();
  private readonly decoded = new Map<string, OpDef>();

  constructor(opList: Uint8Array) {
    for (const f of protoFields(opList)) {
      if (f.field !== 1) continue;
      const bytes = f.value as Uint8Array;
      for (const g of protoFields(bytes)) {
        if (g.field === 1) {
          this.raw.set(protoString(g.value), bytes);
          break;
        }
      }
    }
  }

  get size(): number {
    return this.raw.size;
  }

  get(name: string): OpDef | undefined {
    let op = this.decoded.get(name);
    if (op) return op;
    const bytes = this.raw.get(name);
    if (!bytes) return undefined;
    op = decodeOpDef(bytes);
    this.decoded.set(name, op);
    return op;
  }
}
