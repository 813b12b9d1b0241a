/** Test helpers for the data tests: temp folders, small files in the official formats, and a local HTTP server. */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lessonkit-${prefix}-`));
}

/** IDX bytes: big-endian magic, dims, then the payload. */
export function idxBytes(magic: number, dims: number[], payload: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(payload)]);
}

/**
 * CIFAR-10 binary records: record i has label `labels[i]` and, for channel c (0 R, 1 G, 2 B) and pixel p,
 * the value `(i * 7 + c * 50 + p) % 256`, so every plane and position is distinguishable.
 */
export function cifarRecords(labels: number[]): Buffer {
  const plane = 1024;
  const out = Buffer.alloc(labels.length * (1 + 3 * plane));
  labels.forEach((label, i) => {
    const r = i * (1 + 3 * plane);
    out[r] = label;
    for (let c = 0; c < 3; c++) for (let p = 0; p < plane; p++) out[r + 1 + c * plane + p] = (i * 7 + c * 50 + p) % 256;
  });
  return out;
}

/** Expected channels-last pixel (row y, column x, channel c) of record i of `cifarRecords`. */
export function cifarPixel(i: number, y: number, x: number, c: number): number {
  return (i * 7 + c * 50 + y * 32 + x) % 256;
}

export interface LocalServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** Serves `files` (URL path -> bytes) on 127.0.0.1; anything else is a 404. */
export async function serveFiles(files: Record<string, Uint8Array>): Promise<LocalServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = files[req.url ?? ''];
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(Buffer.from(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
