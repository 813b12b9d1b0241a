/**
 * A reader for the safetensors format (https://github.com/huggingface/safetensors), written for this kit:
 *
 *   bytes 0..7     N, the header length, unsigned 64-bit little-endian
 *   bytes 8..8+N   a JSON object: name → {dtype, shape, data_offsets: [begin, end]}, plus an optional "__metadata__"
 *   the rest       the data buffer; offsets are relative to its start
 *
 * Every header field is checked when the file is opened (dtype known, shape of non-negative integers, offsets inside
 * the buffer, byte count = elements × dtype size, no overlaps). Tensors are decoded on demand, so a checkpoint that
 * carries an int64 `num_batches_tracked` still loads: only float tensors are ever decoded.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { decodeBfloat16, decodeFloat16 } from './float16';
import { DataFormatError } from '../../errors';

/** Bytes per element of every dtype the format defines. */
export const SAFETENSORS_DTYPE_BYTES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
} as const;

export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_BYTES;

/** The dtypes `readFloat32` converts; anything else fails with a clear error. */
export const FLOAT_DTYPES: readonly SafetensorsDtype[] = ['F32', 'F16', 'BF16'];

/** A header limit that guards against reading garbage as a length (the reference implementation uses 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Offsets into the data buffer (after the header), end exclusive. */
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  /** Where the bytes came from (for error messages). */
  source: string;
  /** Header entries by tensor name, in header order. */
  entries: Map<string, SafetensorsEntry>;
  /** The optional `__metadata__` string map. */
  metadata: Record<string, string>;
  /** Decodes one tensor to float32 (F32, F16 and BF16); throws for other dtypes or unknown names. */
  readFloat32(name: string): Float32Array;
}

/** Opens and validates a safetensors file. */
export function readSafetensorsFile(file: string): SafetensorsFile {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new DataFormatError(`safetensors file ${file}: cannot read it (${(err as Error).message}).`, file);
  }
  return parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
}

/** Validates safetensors bytes; `source` names them in errors. */
export function parseSafetensors(bytes: Uint8Array, source = '<buffer>'): SafetensorsFile {
  const fail = (what: string): never => {
    throw new DataFormatError(`safetensors file ${source}: ${what}`, source);
  };
  if (bytes.byteLength < 8)
    fail(`expected at least 8 bytes (the header length), found ${bytes.byteLength} (truncated file?).`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES))
    fail(`header length ${headerLength} is larger than ${MAX_HEADER_BYTES} (not a safetensors file?).`);
  const n = Number(headerLength);
  if (8 + n > bytes.byteLength) {
    fail(`header says ${n} header bytes, but only ${bytes.byteLength - 8} bytes follow (truncated file?).`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    fail(`header is not valid UTF-8 JSON (${(err as Error).message}).`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object.');
  const data = bytes.subarray(8 + n);
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = raw as Record<string, string>;
      continue;
    }
    entries.set(name, parseEntry(name, raw, data.byteLength, fail));
  }
  checkNoOverlap([...entries.values()], fail);
  return {
    source,
    entries,
    metadata,
    readFloat32(name: string): Float32Array {
      const entry = entries.get(name);
      if (!entry) fail(`has no tensor named "${name}".`);
      return decodeFloat32(entry!, data, source);
    },
  };
}

function parseEntry(name: string, raw: unknown, dataBytes: number, fail: (what: string) => never): SafetensorsEntry {
  const r = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof r !== 'object' || r === null) fail(`tensor "${name}": header entry is not an object.`);
  if (typeof r.dtype !== 'string' || !(r.dtype in SAFETENSORS_DTYPE_BYTES)) {
    fail(
      `tensor "${name}": unknown dtype ${JSON.stringify(r.dtype)}; expected one of ${Object.keys(SAFETENSORS_DTYPE_BYTES).join(', ')}.`,
    );
  }
  const dtype = r.dtype as SafetensorsDtype;
  if (!Array.isArray(r.shape) || !r.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`tensor "${name}": shape must be a list of non-negative integers, got ${JSON.stringify(r.shape)}.`);
  }
  const shape = r.shape as number[];
  const offsets = r.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail(
      `tensor "${name}": data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}.`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail(`tensor "${name}": data_offsets [${begin}, ${end}] has begin after end.`);
  if (end > dataBytes) {
    fail(
      `tensor "${name}": data ends at byte ${end}, but the data buffer has only ${dataBytes} bytes (truncated file?).`,
    );
  }
  const expected = shape.reduce((a, b) => a * b, 1) * SAFETENSORS_DTYPE_BYTES[dtype];
  if (end - begin !== expected) {
    fail(`tensor "${name}": ${dtype} shape [${shape}] needs ${expected} bytes, but data_offsets span ${end - begin}.`);
  }
  return { name, dtype, shape, begin, end };
}

function checkNoOverlap(entries: SafetensorsEntry[], fail: (what: string) => never): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].begin < sorted[i - 1].end)
      fail(`tensors "${sorted[i - 1].name}" and "${sorted[i].name}" overlap in the data buffer.`);
  }
}

function decodeFloat32(entry: SafetensorsEntry, data: Uint8Array, source: string): Float32Array {
  const bytes = data.subarray(entry.begin, entry.end);
  switch (entry.dtype) {
    case 'F32': {
      if (os.endianness() !== 'LE') throw new Error('safetensors reader: big-endian hosts are not supported.');
      const copy = new Uint8Array(bytes); // aligned copy, independent of the file buffer
      return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
    }
    case 'F16':
      return decodeFloat16(bytes);
    case 'BF16':
      return decodeBfloat16(bytes);
    default:
      throw new DataFormatError(
        `safetensors file ${source}: tensor "${entry.name}" has dtype ${entry.dtype}; only ${FLOAT_DTYPES.join(', ')} load as float32.`,
      );
  }
}
