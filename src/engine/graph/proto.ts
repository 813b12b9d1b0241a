/**
 * A minimal protobuf wire-format writer and reader, enough for TensorFlow's FunctionDef, NodeDef, AttrValue,
 * TensorProto (writing) and OpList / OpDef (reading). Field numbers are those of tensorflow/core/framework/*.proto.
 */

/** Growable byte buffer with the protobuf primitives. */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** An unsigned varint; negative numbers are written as 64-bit two's complement (int64 fields). */
  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    this.ensure(10);
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
    return this;
  }

  private tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }

  /** A varint field (int32, int64, uint32, enum, bool). Zero values are written too (callers skip defaults). */
  int(field: number, value: number | bigint | boolean): this {
    return this.tag(field, 0).varint(typeof value === 'boolean' ? (value ? 1 : 0) : value);
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, value, true);
    this.len += 4;
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2).varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.len);
    this.len += value.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** An embedded message written by `fill`. */
  message(field: number, fill: (w: ProtoWriter) => void): this {
    const w = new ProtoWriter();
    fill(w);
    return this.bytes(field, w.finish());
  }

  /** A packed repeated varint field. */
  packedInts(field: number, values: ReadonlyArray<number | bigint>): this {
    const w = new ProtoWriter();
    for (const v of values) w.varint(v);
    return this.bytes(field, w.finish());
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: ReadonlyArray<number>): this {
    const data = new Uint8Array(values.length * 4);
    const view = new DataView(data.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.bytes(field, data);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** One decoded field: the number, the wire type, and its value (a number/bigint for varints, bytes otherwise). */
export interface ProtoField {
  field: number;
  wire: number;
  /** Varint (as bigint), fixed32/fixed64 raw bytes, or length-delimited bytes. */
  value: bigint | Uint8Array;
}

/** Iterates the top-level fields of one message. */
export function* protoFields(bytes: Uint8Array): Generator<ProtoField> {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= bytes.length) throw new Error('proto: truncated varint');
      const b = bytes[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
  };
  while (pos < bytes.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) yield { field, wire, value: varint() };
    else if (wire === 1) {
      yield { field, wire, value: bytes.subarray(pos, pos + 8) };
      pos += 8;
    } else if (wire === 5) {
      yield { field, wire, value: bytes.subarray(pos, pos + 4) };
      pos += 4;
    } else if (wire === 2) {
      const n = Number(varint());
      yield { field, wire, value: bytes.subarray(pos, pos + n) };
      pos += n;
    } else throw new Error(`proto: unsupported wire type ${wire}`);
  }
}

export function protoString(value: bigint | Uint8Array): string {
  return new TextDecoder().decode(value as Uint8Array);
}
