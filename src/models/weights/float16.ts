/**
 * Half-precision decoding for checkpoint files: IEEE float16 (`F16`) and bfloat16 (`BF16`) to float32.
 * Both read little-endian 16-bit words, as safetensors stores them.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** One IEEE 754 half (sign 1, exponent 5, mantissa 10 bits) as a JS number; subnormals, infinities and NaN included. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Little-endian float16 words → float32. */
export function decodeFloat16(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.byteLength / 2);
  for (let i = 0; i < out.length; i++) out[i] = halfToFloat(bytes[2 * i] | (bytes[2 * i + 1] << 8));
  return out;
}

/** Little-endian bfloat16 words → float32 (a bfloat16 is the top half of a float32, so this is exact). */
export function decodeBfloat16(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.byteLength / 2);
  for (let i = 0; i < out.length; i++) {
    u32[0] = ((bytes[2 * i] | (bytes[2 * i + 1] << 8)) << 16) >>> 0;
    out[i] = f32[0];
  }
  return out;
}
