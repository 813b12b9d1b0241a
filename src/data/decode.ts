/**
 * Image decoding on the native backend (`tf.node.decodeImage` from the loaded tfjs-node package): JPEG, PNG, BMP
 * and GIF bytes in, uint8 pixels out. Errors name the file and say what it was expected to be.
 */
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../engine';
import { DataFormatError } from '../errors';

/** The image format named by a file's first bytes (magic numbers), or undefined. */
export function sniffImageKind(bytes: Uint8Array): 'JPEG' | 'PNG' | 'GIF' | 'BMP' | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'JPEG';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'PNG';
  if (bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46) return 'GIF';
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) return 'BMP';
  return undefined;
}

interface NodeNamespace {
  decodeImage(
    contents: Uint8Array,
    channels?: number,
    dtype?: string,
    expandAnimations?: boolean,
  ): tf.Tensor3D | tf.Tensor4D;
}

let nodeOps: NodeNamespace | undefined;

/** The `tf.node` namespace of the native package that `ensureEngine()` loaded. */
function native(): NodeNamespace {
  if (nodeOps) return nodeOps;
  const info = ensureEngine();
  const pkg = require(require.resolve(info.packageName, { paths: [__dirname] })) as { node?: NodeNamespace };
  if (!pkg.node) throw new Error(`${info.packageName} has no tf.node namespace; cannot decode images natively.`);
  nodeOps = pkg.node;
  return nodeOps;
}

export interface DecodedImage {
  /** Pixels, `height * width * channels` bytes, channels-last. */
  pixels: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

/**
 * Decodes one image file's bytes to `channels` channels (3: RGB, grayscale is replicated; 1: grayscale).
 * When `size` is given the image is resized (bilinear, half-pixel centres) to `[height, width]` on the native backend.
 */
export function decodeImageBytes(
  bytes: Uint8Array,
  file: string,
  channels: 1 | 3,
  size?: [number, number],
): DecodedImage {
  let decoded: tf.Tensor3D;
  try {
    decoded = native().decodeImage(bytes, channels, 'int32', false) as tf.Tensor3D;
  } catch (err) {
    // tfjs-node's text is "Invalid TF_Status: 3\nMessage: <TensorFlow's reason>"; the status code alone says nothing.
    const message = (err as Error).message;
    const reason = /^Message: (.*)$/m.exec(message)?.[1] ?? message.split('\n')[0];
    const kind = sniffImageKind(bytes);
    const found = kind
      ? `a damaged or truncated ${kind} file (${bytes.length} bytes)`
      : `data that is not a known image format (${bytes.length} bytes)`;
    throw new DataFormatError(`${file}: expected an image (JPEG, PNG, BMP or GIF), found ${found}: ${reason}`, file, {
      cause: err,
    });
  }
  let result = decoded;
  if (size && (decoded.shape[0] !== size[0] || decoded.shape[1] !== size[1])) {
    result = tf.tidy(
      () => tf.image.resizeBilinear(decoded, size, false, true).round().clipByValue(0, 255).toInt() as tf.Tensor3D,
    );
    decoded.dispose();
  }
  const [height, width] = result.shape;
  const pixels = Uint8Array.from(result.dataSync());
  result.dispose();
  return { pixels, height, width, channels };
}
