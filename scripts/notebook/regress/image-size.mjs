// @ts-check
// Width and height of an embedded image (PNG, JPEG, GIF from base64; SVG from its attributes), without decoding it.

/** @typedef {{ width: number, height: number }} ImageSize */

/**
 * `{ width, height }` of a notebook image output, or undefined when the format is not recognised.
 * @param {string} mime
 * @param {unknown} data base64 (or SVG text), as a string or a notebook's list of lines
 * @returns {ImageSize | undefined}
 */
export function imageSize(mime, data) {
  const text = Array.isArray(data) ? data.join('') : String(data);
  if (mime === 'image/svg+xml') {
    const w = /<svg\b[^>]*\bwidth="([\d.]+)/.exec(text)?.[1];
    const h = /<svg\b[^>]*\bheight="([\d.]+)/.exec(text)?.[1];
    return w && h ? { width: Number(w), height: Number(h) } : undefined;
  }
  const bytes = Buffer.from(text, 'base64');
  if (mime === 'image/png') return pngSize(bytes);
  if (mime === 'image/jpeg') return jpegSize(bytes);
  if (mime === 'image/gif')
    return bytes.length >= 10 ? { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) } : undefined;
  return undefined;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * @param {Buffer} bytes
 * @returns {ImageSize | undefined}
 */
export function pngSize(bytes) {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') {
    return undefined;
  }
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/**
 * @param {Buffer} bytes
 * @returns {ImageSize | undefined}
 */
function jpegSize(bytes) {
  let i = 2;
  while (i + 9 < bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1];
    const length = bytes.readUInt16BE(i + 2);
    // Start-of-frame markers carry the size (C0-CF except C4 DHT, C8 JPG, CC DAC).
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { width: bytes.readUInt16BE(i + 7), height: bytes.readUInt16BE(i + 5) };
    }
    i += 2 + length;
  }
  return undefined;
}
