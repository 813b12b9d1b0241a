/**
 * The binding patch behind the graph path (scripts/patches/tfjs-node-functions.mjs): applied to tfjs-node's pristine
 * sources it gives exactly the installed (patched) sources, applying it again changes nothing, and the built
 * binding exports the three functions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../src/engine';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PKG = path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-node');

interface PatchModule {
  EDITS: Array<{ file: string; find: string; replace: string }>;
  applyBindingPatch(dir: string): string[];
  bindingPatchHash: string;
}

async function patchModule(): Promise<PatchModule> {
  // An ES module from CommonJS: a dynamic import that TypeScript must not rewrite into require().
  const load = new Function('p', 'return import(p)') as (p: string) => Promise<PatchModule>;
  return load(path.join(ROOT, 'scripts', 'patches', 'tfjs-node-functions.mjs'));
}

const stampFile = path.join(PKG, 'lib', '.lessonkit-build.json');
const stamp = fs.existsSync(stampFile)
  ? (JSON.parse(fs.readFileSync(stampFile, 'utf8')) as { key: { source?: string; patch?: string } })
  : undefined;
// tfjs-node's own download route installs a prebuilt binding: no patch, the graph path stays off.
const prebuilt =
  stamp?.key.source === 'download' ? 'LESSONKIT_TF_SOURCE=download: prebuilt binding, not patched' : false;

test('the binding patch is idempotent and reproduces the installed sources', { skip: prebuilt }, async () => {
  const m = await patchModule();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'binding-patch-'));
  const files = [...new Set(m.EDITS.map((e) => e.file))];
  for (const f of files) {
    const patched = fs.readFileSync(path.join(PKG, f), 'utf8');
    let pristine = patched;
    for (const e of m.EDITS.filter((x) => x.file === f)) pristine = pristine.replace(e.replace, e.find);
    assert.ok(
      !pristine.includes('lessonkit-graph-functions'),
      `${f}: the installed source is not the patch applied once`,
    );
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), pristine);
  }
  assert.deepEqual(m.applyBindingPatch(dir).sort(), files.sort());
  for (const f of files)
    assert.equal(fs.readFileSync(path.join(dir, f), 'utf8'), fs.readFileSync(path.join(PKG, f), 'utf8'));
  assert.deepEqual(m.applyBindingPatch(dir), [], 'a second application changes nothing');
  assert.match(m.bindingPatchHash, /^[0-9a-f]{16}$/);
  assert.equal(stamp?.key.patch, m.bindingPatchHash, "setup's reuse key holds the patch's hash");
});

test('the built binding exports registerFunction, removeFunction and opList', { skip: prebuilt }, () => {
  ensureEngine();
  const binding = (tf.backend() as unknown as { binding: Record<string, unknown> }).binding;
  for (const name of ['registerFunction', 'removeFunction', 'opList'])
    assert.equal(typeof binding[name], 'function', name);
  const ops = (binding.opList as () => Uint8Array)();
  assert.ok(ops.length > 100_000, `opList is ${ops.length} bytes`);
});
