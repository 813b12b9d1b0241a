/**
 * Every download in the kit goes through `downloadVerified`: stream to a temp file, check size and sha256,
 * then rename into place. A cached file is re-hashed before it is trusted.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataFormatError, OfflineError } from '../errors';

export interface DownloadOptions {
  /** Source URL. */
  url: string;
  /** Where the verified file ends up. */
  dest: string;
  /** Expected sha256 (hex). Required: nothing unverified is kept. */
  sha256: string;
  /** Expected size in bytes. Default: not checked (the hash still is). */
  size?: number;
  /** What to tell the user when the network is unreachable (for example how to supply the file by hand). */
  offlineHint?: string;
}

/** sha256 of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/** Checks size and hash of a file; throws an error naming the file, what was expected and what was found. */
export async function verifyFile(file: string, sha256: string, size?: number): Promise<void> {
  const stat = fs.statSync(file);
  if (size !== undefined && stat.size !== size) {
    throw new DataFormatError(
      `${file}: expected ${size} bytes, found ${stat.size} bytes (truncated or wrong file).`,
      file,
    );
  }
  const actual = await sha256File(file);
  if (actual !== sha256.toLowerCase()) {
    throw new DataFormatError(`${file}: sha256 mismatch: expected ${sha256}, found ${actual}.`, file);
  }
}

/** Returns `dest`, downloading it first unless a verified copy is already there. */
export async function downloadVerified(options: DownloadOptions): Promise<string> {
  const { url, dest, sha256, size } = options;
  if (fs.existsSync(dest)) {
    await verifyFile(dest, sha256, size);
    return dest;
  }
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.part-${process.pid}`;
  try {
    let response: Response;
    try {
      response = await fetch(url);
    } catch (err) {
      throw new OfflineError(
        `Could not download ${url} (${(err as Error).message}).` +
          (options.offlineHint ? ` ${options.offlineHint}` : ''),
      );
    }
    if (!response.ok || !response.body) {
      throw new OfflineError(`Could not download ${url}: HTTP ${response.status} ${response.statusText}.`);
    }
    await pipeline(
      Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
      fs.createWriteStream(tmp),
    );
    await verifyFile(tmp, sha256, size).catch((err: Error) => {
      throw new DataFormatError(`Download of ${url} failed verification: ${err.message}`, dest);
    });
    fs.renameSync(tmp, dest);
    return dest;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
