import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeSafetensors, parseSafetensors } from '../../src/models';
import { halfToFloat } from '../../src/models/weights/float16';

/** A safetensors file from a header object and raw data bytes (for malformed and non-F32 cases). */
function rawFile(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const u16 = (...words: number[]) => new Uint8Array(new Uint16Array(words).buffer);

test('F32 tensors round-trip through encodeSafetensors and parseSafetensors', () => {
  const bytes = encodeSafetensors(
    {
      a: { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      b: { shape: [1], data: Float32Array.from([-0.5]) },
    },
    { format: 'pt' },
  );
  const file = parseSafetensors(bytes, 'roundtrip');
  assert.deepEqual([...file.entries.keys()], ['a', 'b']);
  assert.deepEqual(file.entries.get('a')!.shape, [2, 3]);
  assert.deepEqual([...file.readFloat32('a')], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...file.readFloat32('b')], [-0.5]);
  assert.deepEqual(file.metadata, { format: 'pt' });
});

test('F16 and BF16 load as float32 with the exact values', () => {
  // F16: 1.0 = 0x3C00, -2.0 = 0xC000, 0.5 = 0x3800, smallest subnormal = 0x0001; BF16: 1.0 = 0x3F80, -2.0 = 0xC000, 3.140625 = 0x4049
  const f16 = u16(0x3c00, 0xc000, 0x3800, 0x0001);
  const bf16 = u16(0x3f80, 0xc000, 0x4049);
  const file = parseSafetensors(
    rawFile(
      {
        h: { dtype: 'F16', shape: [4], data_offsets: [0, 8] },
        b: { dtype: 'BF16', shape: [3], data_offsets: [8, 14] },
      },
      new Uint8Array([...f16, ...bf16]),
    ),
  );
  assert.deepEqual([...file.readFloat32('h')], [1, -2, 0.5, 2 ** -24]);
  assert.deepEqual([...file.readFloat32('b')], [1, -2, 3.140625]);
  assert.equal(halfToFloat(0x7c00), Infinity);
  assert.ok(Number.isNaN(halfToFloat(0x7e00)));
});

test('an I64 tensor opens (num_batches_tracked) but reading it as float fails clearly', () => {
  const file = parseSafetensors(
    rawFile({ n: { dtype: 'I64', shape: [], data_offsets: [0, 8] } }, new Uint8Array(8)),
    'ckpt.safetensors',
  );
  assert.equal(file.entries.get('n')!.dtype, 'I64');
  assert.throws(
    () => file.readFloat32('n'),
    /ckpt\.safetensors: tensor "n" has dtype I64; only F32, F16, BF16 load as float32/,
  );
  assert.throws(() => file.readFloat32('missing'), /has no tensor named "missing"/);
});

test('truncated files fail with a message that says so', () => {
  const good = encodeSafetensors({ w: { shape: [4], data: Float32Array.from([1, 2, 3, 4]) } });
  assert.throws(() => parseSafetensors(good.subarray(0, 5), 'f'), /expected at least 8 bytes.*truncated/);
  assert.throws(
    () => parseSafetensors(good.subarray(0, 20), 'f'),
    /header says \d+ header bytes, but only 12 bytes follow \(truncated/,
  );
  assert.throws(
    () => parseSafetensors(good.subarray(0, good.length - 4), 'f'),
    /tensor "w": data ends at byte 16, but the data buffer has only 12 bytes \(truncated/,
  );
});

test('bad headers fail: unknown dtype, wrong byte count, overlaps, bad shape, not JSON', () => {
  const data = new Uint8Array(16);
  assert.throws(
    () => parseSafetensors(rawFile({ a: { dtype: 'F99', shape: [1], data_offsets: [0, 4] } }, data)),
    /unknown dtype "F99"/,
  );
  assert.throws(
    () => parseSafetensors(rawFile({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data)),
    /needs 12 bytes, but data_offsets span 8/,
  );
  assert.throws(
    () =>
      parseSafetensors(
        rawFile(
          {
            a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
          },
          data,
        ),
      ),
    /overlap/,
  );
  assert.throws(
    () => parseSafetensors(rawFile({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, data)),
    /shape must be a list of non-negative integers/,
  );
  const notJson = rawFile({}, data);
  notJson[8] = 0x7b + 1;
  assert.throws(() => parseSafetensors(notJson), /header is not valid UTF-8 JSON/);
});
