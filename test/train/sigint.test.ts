import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { readCheckpointMetadata } from '../../src/train/checkpoint';
import { tempDir } from './helpers';

test('SIGINT to a process running fit stops it at a batch boundary with a usable checkpoint (exit 130)', async () => {
  const dir = tempDir('sigint');
  const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'fit-until-sigint.js')], {
    env: { ...process.env, LESSONKIT_SIGINT_FIXTURE: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child never became ready; stderr: ${stderr}`)), 60_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('READY\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.kill('SIGINT');
  const code = await exited;
  assert.equal(code, 130, `stdout: ${stdout}\nstderr: ${stderr}`);
  const report = JSON.parse(stdout.trim().split('\n').pop() as string) as {
    name: string;
    epochs: number;
    checkpoint: string;
    batchesDone: number;
  };
  assert.equal(report.name, 'KeyboardInterrupt');
  assert.ok(report.epochs >= 2);
  assert.match(stderr, /Interrupt requested/);
  const meta = readCheckpointMetadata(report.checkpoint);
  assert.equal(meta.epoch, report.epochs);
  assert.equal(meta.history.length, report.epochs);
  // Interrupted mid-epoch (a partial-epoch checkpoint), or exactly at an epoch's end (then the epoch is complete).
  assert.ok(meta.interrupted ? meta.batchesIntoNextEpoch === report.batchesDone : true);
});
