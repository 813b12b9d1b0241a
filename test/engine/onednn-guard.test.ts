import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { decideOneDnn, parseOneDnnOverride, readSelfTestRecord, selfTestKey } from '../../src/engine/onednn-guard';
import { bindingPath } from '../../src/engine/probe';

const engineModule = path.resolve(__dirname, '../../src/engine/index.js');

function tmp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lessonkit-${prefix}-`));
}

/** A self-test script that logs a step, counts its runs in `counter`, and then ends the way `how` says. */
function probeScript(dir: string, how: 'crash' | 'pass' | 'fail', counter: string): string {
  const file = path.join(dir, `probe-${how}.js`);
  const end =
    how === 'crash'
      ? "process.kill(process.pid, 'SIGFPE');"
      : how === 'fail'
        ? "console.error('Error: something unrelated broke'); process.exit(3);"
        : 'console.log(JSON.stringify({ ok: true }));';
  fs.writeFileSync(
    file,
    `require('fs').appendFileSync(${JSON.stringify(counter)}, 'x');\n` +
      `process.stderr.write('[onednn-selftest] conv 1x1 256->1024 stride 1 at 4x4\\n');\n${end}\n`,
  );
  return file;
}

function runs(counter: string): number {
  return fs.existsSync(counter) ? fs.readFileSync(counter, 'utf8').length : 0;
}

test('LESSONKIT_ONEDNN accepts auto, on, off and names itself otherwise', () => {
  assert.equal(parseOneDnnOverride(undefined), 'auto');
  assert.equal(parseOneDnnOverride(' OFF '), 'off');
  assert.equal(parseOneDnnOverride('on'), 'on');
  assert.throws(() => parseOneDnnOverride('maybe'), /LESSONKIT_ONEDNN must be one of auto, on, off; found "maybe"/);
});

test('a self-test that dies by a signal turns oneDNN off, says why, and is cached', () => {
  const dir = tmp('guard-crash');
  const counter = path.join(dir, 'runs');
  const script = probeScript(dir, 'crash', counter);
  const cacheFile = path.join(dir, 'onednn.json');
  const env = { ...process.env, LESSONKIT_ONEDNN: '', TF_ENABLE_ONEDNN_OPTS: '' };
  const first = decideOneDnn({ script, cacheFile, env });
  assert.equal(first.enabled, false);
  assert.equal(first.ranSelfTest, true);
  assert.equal(first.selfTest?.outcome, 'crashed');
  assert.equal(first.selfTest?.signal, 'SIGFPE');
  assert.match(first.summary, /oneDNN OFF: its self-test crashed with SIGFPE/);
  assert.match(first.summary, /conv 1x1 256->1024/);
  assert.equal(readSelfTestRecord(cacheFile)?.outcome, 'crashed');

  const second = decideOneDnn({ script, cacheFile, env });
  assert.equal(second.enabled, false);
  assert.equal(second.ranSelfTest, false, 'the verdict is reused while the key is unchanged');
  assert.match(second.summary, /cached self-test/);
  assert.equal(runs(counter), 1);

  // The key changes (here: the workload; the CPU, TF library and binding are also part of it): the test runs again.
  fs.appendFileSync(script, '// changed\n');
  const third = decideOneDnn({ script, cacheFile, env });
  assert.equal(third.ranSelfTest, true);
  assert.equal(runs(counter), 2);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the cache key follows the CPU model and flags', () => {
  const cpu = (model: string, flags: string) =>
    `model name\t: ${model}\ncpu family\t: 26\nmodel\t\t: 2\nflags\t\t: ${flags}\n`;
  const a = selfTestKey({ cpuinfo: cpu('AMD EPYC 9B45', 'fpu avx2 avx512f') });
  assert.equal(a.key, selfTestKey({ cpuinfo: cpu('AMD EPYC 9B45', 'fpu avx2 avx512f') }).key);
  assert.notEqual(a.key, selfTestKey({ cpuinfo: cpu('AMD EPYC 7B13', 'fpu avx2 avx512f') }).key);
  assert.notEqual(a.key, selfTestKey({ cpuinfo: cpu('AMD EPYC 9B45', 'fpu avx2') }).key);
  assert.equal(a.parts.cpuModel, 'AMD EPYC 9B45');
});

test('a stored verdict for another machine is ignored and replaced', () => {
  const dir = tmp('guard-key');
  const counter = path.join(dir, 'runs');
  const script = probeScript(dir, 'pass', counter);
  const cacheFile = path.join(dir, 'onednn.json');
  const env = { ...process.env, LESSONKIT_ONEDNN: '', TF_ENABLE_ONEDNN_OPTS: '' };
  fs.writeFileSync(
    cacheFile,
    JSON.stringify({
      key: 'another-machine',
      keyParts: {},
      outcome: 'crashed',
      signal: 'SIGFPE',
      durationMs: 1,
      testedAt: '',
    }),
  );
  const d = decideOneDnn({ script, cacheFile, env });
  assert.equal(d.enabled, true);
  assert.equal(d.ranSelfTest, true);
  assert.match(d.summary, /oneDNN on \(self-test [\d.]+ s passed\)/);
  assert.equal(readSelfTestRecord(cacheFile)?.outcome, 'passed');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a self-test that fails without a signal gives no verdict and is not cached', () => {
  const dir = tmp('guard-fail');
  const counter = path.join(dir, 'runs');
  const script = probeScript(dir, 'fail', counter);
  const cacheFile = path.join(dir, 'onednn.json');
  const d = decideOneDnn({
    script,
    cacheFile,
    env: { ...process.env, LESSONKIT_ONEDNN: '', TF_ENABLE_ONEDNN_OPTS: '' },
  });
  assert.equal(d.enabled, true);
  assert.match(d.summary, /inconclusive: the child exited with 3; not cached/);
  assert.equal(fs.existsSync(cacheFile), false);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the overrides skip the self-test', () => {
  const dir = tmp('guard-override');
  const counter = path.join(dir, 'runs');
  const script = probeScript(dir, 'crash', counter);
  const cacheFile = path.join(dir, 'onednn.json');
  const off = decideOneDnn({ script, cacheFile, env: { LESSONKIT_ONEDNN: 'off' } });
  assert.deepEqual([off.enabled, off.summary], [false, 'oneDNN off (LESSONKIT_ONEDNN=off)']);
  const on = decideOneDnn({ script, cacheFile, env: { LESSONKIT_ONEDNN: 'on' } });
  assert.equal(on.enabled, true);
  const tfOff = decideOneDnn({ script, cacheFile, env: { TF_ENABLE_ONEDNN_OPTS: '0' } });
  assert.deepEqual([tfOff.enabled, tfOff.summary], [false, 'oneDNN off (TF_ENABLE_ONEDNN_OPTS=0)']);
  assert.equal(runs(counter), 0);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('ensureEngine loads TensorFlow with oneDNN off after a crashing self-test, and reports it', () => {
  const dir = tmp('guard-engine');
  const script = probeScript(dir, 'crash', path.join(dir, 'runs'));
  const code =
    `const e=require(${JSON.stringify(engineModule)});const info=e.ensureEngine({device:'cpu'});` +
    `console.log(JSON.stringify({onednn:info.onednn,env:process.env.TF_ENABLE_ONEDNN_OPTS,line:e.describeEngine(info)}))`;
  const r = spawnSync(process.execPath, ['-e', code], {
    encoding: 'utf8',
    // TF_CPP_MIN_LOG_LEVEL=0 makes TensorFlow print whether its oneDNN custom operations are on when it loads.
    env: {
      ...process.env,
      LESSONKIT_CACHE: dir,
      LESSONKIT_ONEDNN_SELFTEST_SCRIPT: script,
      LESSONKIT_ONEDNN: '',
      TF_ENABLE_ONEDNN_OPTS: '',
      TF_CPP_MIN_LOG_LEVEL: '0',
    },
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.onednn, 'off');
  assert.equal(out.env, '0');
  assert.match(out.line, /oneDNN OFF: its self-test crashed with SIGFPE/);
  assert.doesNotMatch(r.stderr, /oneDNN custom operations are on/, 'TensorFlow itself loaded without oneDNN');
  assert.equal(readSelfTestRecord(path.join(dir, 'engine', 'onednn-selftest.json'))?.signal, 'SIGFPE');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the real self-test workload runs every step to a verdict on this machine', () => {
  const dir = tmp('guard-real');
  const cacheFile = path.join(dir, 'onednn.json');
  const started = Date.now();
  const d = decideOneDnn({
    cacheFile,
    bindingFile: bindingPath('@tensorflow/tfjs-node'),
    env: { ...process.env, LESSONKIT_ONEDNN: '', TF_ENABLE_ONEDNN_OPTS: '' },
  });
  const ms = Date.now() - started;
  console.log(`# oneDNN self-test: ${d.summary}; ${ms} ms`);
  assert.notEqual(d.selfTest?.outcome, 'failed', d.selfTest?.error);
  if (d.selfTest?.outcome === 'passed')
    assert.match(d.selfTest.lastStep ?? '', /SimpleRNN/, 'the last step of the workload ran');
  else assert.ok(d.selfTest?.signal, 'a crash is caught with its signal');
  fs.rmSync(dir, { recursive: true, force: true });
});
