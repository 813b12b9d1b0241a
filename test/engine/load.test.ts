import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { describeEngine, ensureEngine } from '../../src/engine';

const engineModule = path.resolve(__dirname, '../../src/engine/index.js');

test('the native tensorflow backend loads and reports itself', () => {
  const info = ensureEngine();
  console.log(`# engine: ${describeEngine(info)}`);
  assert.equal(info.backend, 'tensorflow');
  assert.match(info.tensorflowVersion, /^\d+\.\d+/);
  assert.equal(ensureEngine(), info, 'the engine is loaded once per process');
});

test('describeEngine brief: backend, TF version, device and oneDNN in a few words, none of the reasons', () => {
  const info = ensureEngine();
  const brief = describeEngine(info, { brief: true });
  const n = info.reroutedConvs.length;
  assert.equal(
    brief,
    `tensorflow backend (TF ${info.tensorflowVersion}, ${info.device}), oneDNN ${info.onednn}` +
      (n ? `, ${n} conv shape${n === 1 ? '' : 's'} as MatMul` : ''),
  );
  assert.ok(!brief.includes(info.onednnReason) && !brief.includes(';'));
  assert.ok(describeEngine(info).includes(info.onednnReason), 'the full line keeps the reasons');
});

test('describeEngine() with no argument loads and describes the current engine (a fresh process)', () => {
  // A fresh process, so no engine is loaded yet: the call must load it rather than read `undefined.backend`.
  const script = `const e = require(${JSON.stringify(engineModule)}); console.log(e.describeEngine()); console.log(e.describeEngine(e.currentEngine()) === e.describeEngine())`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [line, same] = r.stdout.trim().split('\n');
  assert.match(line, /^tensorflow backend \(TF \d+\.\d+/);
  assert.equal(same, 'true');
});

/** Runs ensureEngine in a child process whose package resolution starts in `root`. */
function loadFrom(root: string): { status: number | null; stderr: string } {
  const script = `require(${JSON.stringify(engineModule)}).ensureEngine({ device: 'cpu', resolveFrom: [${JSON.stringify(root)}] })`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

test('a missing native binding gives a clear error (simulated)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-nobinding-'));
  const pkg = path.join(root, 'node_modules', '@tensorflow', 'tfjs-node');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', main: 'index.js' }));
  fs.writeFileSync(path.join(pkg, 'index.js'), 'module.exports = {};');
  const r = loadFrom(root);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /No native TensorFlow backend is available/);
  assert.match(r.stderr, /npm run setup/);
  fs.rmSync(root, { recursive: true, force: true });
});

test('a broken native binding gives a clear error (simulated)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-badbinding-'));
  const pkg = path.join(root, 'node_modules', '@tensorflow', 'tfjs-node');
  fs.mkdirSync(path.join(pkg, 'lib', 'napi-v8'), { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', main: 'index.js' }));
  // A binding file that is not a shared object, loaded the way tfjs-node loads it.
  fs.writeFileSync(path.join(pkg, 'lib', 'napi-v8', 'tfjs_binding.node'), 'not an ELF file');
  fs.writeFileSync(path.join(pkg, 'index.js'), "require('./lib/napi-v8/tfjs_binding.node');");
  const r = loadFrom(root);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /Loading @tensorflow\/tfjs-node failed, so there is no native TensorFlow backend/);
  assert.match(r.stderr, /npm run setup/);
  fs.rmSync(root, { recursive: true, force: true });
});
