/**
 * Writes float32 tensors in the safetensors format (the reader's counterpart), so weights can go back to PyTorch
 * (`safetensors.torch.load_file`) and tests can build small files. Header padded with spaces to a multiple of 8, as
 * the reference implementation does.
 */

export interface Float32Record {
  shape: number[];
  data: Float32Array;
}

/** Encodes named float32 tensors (in the given order) plus optional string metadata. */
export function encodeSafetensors(
  tensors: Record<string, Float32Record>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new Error(
        `encodeSafetensors: tensor "${name}" has shape [${t.shape}] (${count} values) but ${t.data.length} values.`,
      );
    }
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of Object.values(tensors)) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
