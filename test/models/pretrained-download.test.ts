/**
 * Downloading registry weights against a local stand-in for the Hugging Face hub (127.0.0.1, no network): the hub
 * answers HEAD on `resolve` URLs with a 302 and the LFS headers, and GET with a redirect to the file's bytes.
 */
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { WEIGHTS, fetchWeights, type WeightsEntry } from '../../src/models';
import { HUB_BASE_URL, WEIGHTS_BASE_URL_ENV, weightsUrl } from '../../src/models/resnet/pretrained';
import { readSidecar, sidecarPath } from '../../src/models/weights/verified-sidecar';

interface FakeHubFile {
  /** Bytes served by GET. */
  body: Buffer;
  /** Headers sent on HEAD (and on GET's redirect), e.g. x-linked-etag. */
  headers: Record<string, string>;
}

interface FakeHub {
  baseUrl: string;
  requests: string[];
  close(): Promise<void>;
}

/** Serves `/<repo>/resolve/main/model.safetensors` (302 + headers) and `/cdn/<repo>` (the bytes). */
async function startFakeHub(files: Record<string, FakeHubFile>): Promise<FakeHub> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const resolve = /^\/(.+)\/resolve\/main\/model\.safetensors$/.exec(req.url ?? '');
    const cdn = /^\/cdn\/(.+)$/.exec(req.url ?? '');
    const file = files[resolve?.[1] ?? cdn?.[1] ?? ''];
    if (!file) {
      res.writeHead(404).end('not found');
    } else if (resolve) {
      res.writeHead(302, { ...file.headers, location: `/cdn/${resolve[1]}` }).end();
    } else {
      res.writeHead(200, { 'content-length': file.body.length }).end(req.method === 'HEAD' ? undefined : file.body);
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

const sha256 = (bytes: Buffer): string => crypto.createHash('sha256').update(bytes).digest('hex');
const lfsHeaders = (hash: string, size: number): Record<string, string> => ({
  'x-linked-etag': `"${hash}"`,
  'x-linked-size': String(size),
});
const tempCache = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-weights-'));
const repoOf = (entry: WeightsEntry): string => `timm/${entry.name}`;

test('production URLs point at huggingface.co; baseUrl and $LESSONKIT_WEIGHTS_BASE_URL swap only the origin', () => {
  const entry = WEIGHTS['resnet34.tv_in1k'];
  const saved = process.env[WEIGHTS_BASE_URL_ENV];
  try {
    delete process.env[WEIGHTS_BASE_URL_ENV];
    assert.equal(weightsUrl(entry), entry.url);
    assert.ok(entry.url.startsWith(`${HUB_BASE_URL}/timm/`));
    process.env[WEIGHTS_BASE_URL_ENV] = 'http://mirror.example/hf/';
    assert.equal(weightsUrl(entry), 'http://mirror.example/hf/timm/resnet34.tv_in1k/resolve/main/model.safetensors');
    assert.equal(
      weightsUrl(entry, { baseUrl: 'http://127.0.0.1:9' }),
      'http://127.0.0.1:9/timm/resnet34.tv_in1k/resolve/main/model.safetensors',
    );
  } finally {
    if (saved === undefined) delete process.env[WEIGHTS_BASE_URL_ENV];
    else process.env[WEIGHTS_BASE_URL_ENV] = saved;
  }
});

test('registry without sha256: hash from the hub LFS headers, verified download, sidecar, reused without network', async () => {
  const entry = WEIGHTS['resnet34.tv_in1k'];
  assert.equal(entry.sha256, null, 'this test covers an entry whose hash the registry does not know');
  const body = crypto.randomBytes(5000);
  const hub = await startFakeHub({ [repoOf(entry)]: { body, headers: lfsHeaders(sha256(body), body.length) } });
  const cacheDir = tempCache();
  try {
    const file = await fetchWeights(entry, { cacheDir, baseUrl: hub.baseUrl });
    assert.equal(file, path.join(cacheDir, entry.fileName));
    assert.ok(fs.readFileSync(file).equals(body));
    const record = readSidecar(file);
    assert.ok(record);
    assert.equal(record.sha256, sha256(body));
    assert.equal(record.size, body.length);
    assert.equal(record.source, 'hub-lfs-metadata');
    assert.equal(record.url, weightsUrl(entry, { baseUrl: hub.baseUrl }));
    assert.ok(!Number.isNaN(Date.parse(record.date)));
    assert.deepEqual(fs.readdirSync(cacheDir).sort(), [entry.fileName, path.basename(sidecarPath(file))].sort());
    const requestsAfterFirst = hub.requests.length;
    assert.deepEqual(hub.requests.filter((r) => r.startsWith('HEAD')).length, 1);

    assert.equal(await fetchWeights(entry, { cacheDir, baseUrl: hub.baseUrl }), file);
    assert.equal(hub.requests.length, requestsAfterFirst, 'the second call uses the cache and makes no request');

    // The cached file is re-hashed against the sidecar on every load.
    const tampered = Buffer.from(body);
    tampered[0] ^= 0xff;
    fs.writeFileSync(file, tampered);
    await assert.rejects(
      fetchWeights(entry, { cacheDir, baseUrl: hub.baseUrl }),
      /no longer matches its record: .*sha256 mismatch/,
    );
  } finally {
    await hub.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('registry sha256 that the hub confirms: downloaded with source "registry"', async () => {
  const body = crypto.randomBytes(3000);
  const entry: WeightsEntry = { ...WEIGHTS['resnet50.tv2_in1k'], sha256: sha256(body), sizeBytes: body.length };
  const hub = await startFakeHub({ [repoOf(entry)]: { body, headers: lfsHeaders(sha256(body), body.length) } });
  const cacheDir = tempCache();
  try {
    const file = await fetchWeights(entry, { cacheDir, baseUrl: hub.baseUrl });
    assert.equal(readSidecar(file)?.source, 'registry');
    assert.equal(readSidecar(file)?.sha256, entry.sha256);
  } finally {
    await hub.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('a body that does not match x-linked-etag fails verification and leaves nothing in the cache', async () => {
  const entry = WEIGHTS['resnet50.tv2_in1k'];
  const announced = crypto.randomBytes(4000);
  const served = crypto.randomBytes(4000); // same size, other content
  const hub = await startFakeHub({
    [repoOf(entry)]: { body: served, headers: lfsHeaders(sha256(announced), announced.length) },
  });
  const cacheDir = tempCache();
  try {
    await assert.rejects(
      fetchWeights(entry, { cacheDir, baseUrl: hub.baseUrl }),
      (err: Error) =>
        err.message.includes('failed verification') &&
        err.message.includes(sha256(announced)) &&
        err.message.includes(sha256(served)),
    );
    assert.deepEqual(fs.readdirSync(cacheDir), [], 'no file, sidecar or partial download is kept');
  } finally {
    await hub.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('a hub answer without x-linked-etag fails clearly, names the URL and says how to supply the file', async () => {
  const entry = WEIGHTS['resnet34.tv_in1k'];
  const body = crypto.randomBytes(1000);
  const hub = await startFakeHub({ [repoOf(entry)]: { body, headers: { 'x-linked-size': String(body.length) } } });
  const cacheDir = tempCache();
  const url = weightsUrl(entry, { baseUrl: hub.baseUrl });
  try {
    await assert.rejects(fetchWeights(entry, { cacheDir, baseUrl: hub.baseUrl }), (err: Error) => {
      assert.match(err.message, /without the x-linked-etag header/);
      assert.ok(err.message.includes(url), 'names the URL');
      assert.ok(
        err.message.includes(`place it at ${path.join(cacheDir, entry.fileName)}`),
        'says where to put the file',
      );
      assert.match(err.message, /weights: '\/path\/to\/model\.safetensors'/);
      return true;
    });
    assert.equal(hub.requests.filter((r) => r.startsWith('GET')).length, 0, 'nothing is downloaded');
    assert.deepEqual(fs.readdirSync(cacheDir), []);
  } finally {
    await hub.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('a registry sha256 that differs from the hub hash fails before downloading and names both', async () => {
  const entry = WEIGHTS['resnet18.tv_in1k'];
  assert.ok(entry.sha256 !== null, 'this test covers an entry whose hash the registry records');
  const body = crypto.randomBytes(2000);
  const hub = await startFakeHub({ [repoOf(entry)]: { body, headers: lfsHeaders(sha256(body), body.length) } });
  const cacheDir = tempCache();
  try {
    await assert.rejects(
      fetchWeights(entry, { cacheDir, baseUrl: hub.baseUrl }),
      (err: Error) =>
        err.message.includes(entry.sha256 as string) &&
        err.message.includes(sha256(body)) &&
        /registry/.test(err.message),
    );
    assert.equal(hub.requests.filter((r) => r.startsWith('GET')).length, 0, 'nothing is downloaded');
    assert.deepEqual(fs.readdirSync(cacheDir), []);
  } finally {
    await hub.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});
