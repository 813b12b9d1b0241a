/**
 * Reader for the IDX format of the MNIST files (http://yann.lecun.com/exdb/mnist/): a big-endian header
 * (magic number, then one uint32 per dimension) followed by the raw unsigned bytes. Plain or gzipped files.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { DataFormatError, OptionError } from '../errors';

/** Magic number of an IDX file of unsigned-byte images, `[n, rows, cols]` (0x00000803). */
export const IDX_IMAGES_MAGIC = 2051;
/** Magic number of an IDX file of unsigned-byte labels, `[n]` (0x00000801). */
export const IDX_LABELS_MAGIC = 2049;

const GZIP_MAGIC = [0x1f, 0x8b];

export interface IdxArray {
  /** The dimensions from the header, e.g. `[60000, 28, 28]`. */
  dims: number[];
  /** The payload, one byte per element, row-major (a view on the file's bytes). */
  data: Uint8Array;
}

/** The file's bytes, gunzipped when the file starts with the gzip magic (whatever its name). */
export function readMaybeGzipped(file: string): Buffer {
  const raw = fs.readFileSync(file);
  if (raw.length >= 2 && raw[0] === GZIP_MAGIC[0] && raw[1] === GZIP_MAGIC[1]) {
    try {
      return zlib.gunzipSync(raw);
    } catch (err) {
      throw new DataFormatError(`IDX file ${file}: gzip data is corrupt or truncated (${(err as Error).message}).`);
    }
  }
  return raw;
}

/** Parses IDX bytes; `expectedMagic` is 2051 (images) or 2049 (labels). Every header field is checked. */
export function parseIdx(bytes: Uint8Array, expectedMagic: number, name: string): IdxArray {
  const rank = expectedMagic === IDX_IMAGES_MAGIC ? 3 : expectedMagic === IDX_LABELS_MAGIC ? 1 : NaN;
  if (Number.isNaN(rank)) throw new OptionError(`parseIdx: expectedMagic must be 2051 or 2049, got ${expectedMagic}.`);
  const headerBytes = 4 + 4 * rank;
  const tooShort = () =>
    new Error(`IDX file ${name}: expected a header of ${headerBytes} bytes, found a file of ${bytes.length} bytes.`);
  if (bytes.length < 4) throw tooShort();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expectedMagic) {
    const what = magic === IDX_IMAGES_MAGIC ? ' (an image file)' : magic === IDX_LABELS_MAGIC ? ' (a label file)' : '';
    throw new DataFormatError(`IDX file ${name}: expected magic ${expectedMagic}, got ${magic}${what}.`);
  }
  if (bytes.length < headerBytes) throw tooShort();
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    if (size === 0) throw new DataFormatError(`IDX file ${name}: dimension ${d} is 0; expected a positive size.`);
    dims.push(size);
  }
  const elements = dims.reduce((a, b) => a * b, 1);
  const found = bytes.length - headerBytes;
  if (found !== elements) {
    const problem = found < elements ? 'truncated' : 'has trailing bytes';
    throw new DataFormatError(
      `IDX file ${name}: header [${dims.join(', ')}] needs ${elements} data bytes, found ${found} (file ${problem}).`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Reads an IDX image file (`[n, rows, cols]`, magic 2051). */
export function readIdxImages(file: string): IdxArray {
  return parseIdx(readMaybeGzipped(file), IDX_IMAGES_MAGIC, file);
}

/** Reads an IDX label file (`[n]`, magic 2049). */
export function readIdxLabels(file: string): IdxArray {
  return parseIdx(readMaybeGzipped(file), IDX_LABELS_MAGIC, file);
}
