/** PNG encoding through the native engine (`tf.node.encodePng`), and reading a PNG's size back. */
import type * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../engine';

type NodeImageApi = { node: { encodePng(image: tf.Tensor3D, compression?: number): Promise<Uint8Array> } };

/** Encodes an int32/uint8 `[h, w, 1 | 3 | 4]` tensor with values 0..255 as PNG bytes. */
export async function encodePng(image: tf.Tensor3D): Promise<Uint8Array> {
  const info = ensureEngine();
  const native = require(require.resolve(info.packageName, { paths: [__dirname] })) as NodeImageApi;
  return native.node.encodePng(image);
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || signature.some((b, i) => bytes[i] !== b))
    throw new Error('pngSize: the bytes are not a PNG (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
