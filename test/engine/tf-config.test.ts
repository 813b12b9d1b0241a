import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { tensorFlowEnv, threadChoice } from '../../src/engine';

test('tensorFlowEnv maps settings to the variables TensorFlow reads at load time', () => {
  assert.deepEqual(tensorFlowEnv({ onednn: 'off', intraOpThreads: 2, interOpThreads: 1 }), {
    TF_ENABLE_ONEDNN_OPTS: '0',
    TF_NUM_INTRAOP_THREADS: '2',
    OMP_NUM_THREADS: '2',
    TF_NUM_INTEROP_THREADS: '1',
  });
  assert.deepEqual(tensorFlowEnv({}), {});
  assert.throws(() => tensorFlowEnv({ intraOpThreads: 0 }), /intraOpThreads must be a positive integer/);
  assert.throws(() => tensorFlowEnv({ onednn: 'maybe' as never }), /onednn must be 'on', 'off' or 'default'/);
});

test('configureTensorFlow applies before load, is reported by the engine, and refuses after load', () => {
  // A fresh process: this test process may already have TensorFlow loaded.
  const engine = path.resolve(__dirname, '..', '..', 'src', 'engine');
  const script = `const e=require(${JSON.stringify(engine)});e.configureTensorFlow({onednn:'off'});const info=e.ensureEngine();
let refused=false;try{e.configureTensorFlow({onednn:'on'})}catch(err){refused=/already loaded/.test(err.message)}
console.log(JSON.stringify({onednn:info.onednn,refused}))`;
  const r = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { ...process.env, TF_ENABLE_ONEDNN_OPTS: '' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { onednn: 'off', refused: true });
});

test('threadChoice: LESSONKIT_THREADS=recurrent is one thread per op and one op per core; explicit TF counts win', () => {
  assert.deepEqual(threadChoice(undefined, {}, 2).env, {});
  assert.deepEqual(threadChoice('default', {}, 2).env, {});
  const recurrent = threadChoice('recurrent', {}, 4);
  assert.deepEqual(recurrent.env, { TF_NUM_INTRAOP_THREADS: '1', OMP_NUM_THREADS: '1', TF_NUM_INTEROP_THREADS: '4' });
  assert.match(recurrent.summary, /1 per op, 4 ops at once/);
  const explicit = threadChoice('recurrent', { TF_NUM_INTRAOP_THREADS: '3' }, 4);
  assert.deepEqual(explicit.env, {});
  assert.match(explicit.summary, /TF_NUM_INTRAOP_THREADS=3/);
  assert.throws(
    () => threadChoice('fast', {}, 2),
    /LESSONKIT_THREADS: expected 'default' or 'recurrent'. Received: "fast"/,
  );
});

test('LESSONKIT_THREADS=recurrent reaches TensorFlow and describeEngine in a fresh process', () => {
  const engine = path.resolve(__dirname, '..', '..', 'src', 'engine');
  const script = `const e=require(${JSON.stringify(engine)});const info=e.ensureEngine();
console.log(JSON.stringify({layout:info.threads.layout,intra:process.env.TF_NUM_INTRAOP_THREADS,brief:e.describeEngine(info,{brief:true})}))`;
  const env: NodeJS.ProcessEnv = { ...process.env, LESSONKIT_THREADS: 'recurrent' };
  delete env.TF_NUM_INTRAOP_THREADS;
  delete env.TF_NUM_INTEROP_THREADS;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.layout, 'recurrent');
  assert.equal(out.intra, '1');
  assert.match(out.brief, /recurrent threads$/);
});
