/**
 * Issue 13's kill test: a real training process (dense net, real fit, checkpoints last/, best/ and epoch-NNN) is
 * killed with SIGKILL 20 times at random moments, each run resuming where the last one stopped. After every kill,
 * every checkpoint folder that exists loads (model and metadata); after the next run's first save, no temp folder of
 * a killed run remains; at the end, a run that finishes cleanly leaves no leftovers at all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRng } from '../../src/data/random';
import { ensureEngine } from '../../src/engine';
import { RETIRE_GRACE_MS } from '../../src/io/atomic';
import { loadCheckpointModel, readCheckpointMetadata } from '../../src/train/checkpoint';
import { tempDir } from './helpers';

ensureEngine();

const FIXTURE = path.join(__dirname, 'fixtures', 'fit-until-killed.js');
const LEFTOVER = /^\.(.+)\.(tmp|link)-(\d+)-[0-9a-f]+$/;
const VERSION = /^\.(.+)\.v-(\d+)-[0-9a-f]+$/;

interface Run {
  pid: number;
  stdout: string;
  stderr: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(dir: string, env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, [FIXTURE], {
    env: { ...process.env, LESSONKIT_KILL_FIXTURE: dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = {
    pid: child.pid!,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stderr.on('data', (d) => (run.stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the training child never started; stderr: ${run.stderr}`)),
      30_000,
    );
    child.stdout.on('data', (d) => {
      run.stdout += d;
      if (run.stdout.includes('READY\n')) {
        clearTimeout(timer);
        resolve(run);
      }
    });
    child.on('exit', () => reject(new Error(`the training child exited before READY; stderr: ${run.stderr}`)));
  });
}

/** Every checkpoint folder in `dir` (last, best, epoch-NNN), loaded completely: metadata, model and weights. */
async function loadAll(dir: string): Promise<{ name: string; epoch: number }[]> {
  const names = fs
    .readdirSync(dir)
    .filter((n) => n === 'last' || n === 'best' || /^epoch-\d{3}$/.test(n))
    .sort();
  const out: { name: string; epoch: number }[] = [];
  for (const name of names) {
    const folder = path.join(dir, name);
    const meta = readCheckpointMetadata(folder);
    const model = await loadCheckpointModel(folder);
    for (const w of model.getWeights()) assert.ok(w.dataSync().every(Number.isFinite), `${name}: finite weights`);
    model.dispose();
    if (/^epoch-/.test(name)) assert.equal(meta.epoch, Number(name.slice(6)), `${name} holds its own epoch`);
    out.push({ name, epoch: meta.epoch });
  }
  return out;
}

test('SIGKILL 20 times at random moments while saving: every checkpoint still loads, and the next save leaves no temp folder', async () => {
  const dir = tempDir('kill');
  const rng = createRng(13);
  const killedPids: number[] = [];
  let leftoversSeen = 0;
  let killsDuringSaves = 0;
  let lastEpoch = 0;
  for (let k = 0; k < 20; k++) {
    const run = await start(dir);
    try {
      // The new run has taken the lock and cleaned up before READY: no temp or link folder of a killed run remains,
      // and a killed run's version folder remains only where a checkpoint links to it.
      for (const name of fs.readdirSync(dir)) {
        const leftover = LEFTOVER.exec(name);
        if (leftover)
          assert.ok(
            !killedPids.includes(Number(leftover[3])),
            `kill ${k}: ${name} of a killed run is still there after the next run started`,
          );
        const version = VERSION.exec(name);
        if (version && killedPids.includes(Number(version[2]))) {
          let linked: string | undefined;
          try {
            linked = fs.readlinkSync(path.join(dir, version[1]));
          } catch {
            linked = undefined;
          }
          // The running child may have replaced it in the meantime (then it removes it itself once its grace period
          // is over); only an unlinked version that is still there after that is a leftover.
          if (linked !== name) await new Promise((r) => setTimeout(r, RETIRE_GRACE_MS + 100));
          if (linked !== name && fs.existsSync(path.join(dir, name))) {
            assert.equal(
              fs.readlinkSync(path.join(dir, version[1])),
              name,
              `kill ${k}: ${name} of a killed run is not linked and not removed`,
            );
          }
        }
      }
      await new Promise((r) => setTimeout(r, rng.next() * 300));
    } finally {
      process.kill(run.pid, 'SIGKILL');
    }
    const { signal } = await run.exited;
    assert.equal(signal, 'SIGKILL', `run ${k} ended by itself: ${run.stderr}`);
    killedPids.push(run.pid);
    // Did the kill land inside a save? Then it left a temp folder, a link, or a version nothing links to that is
    // newer than the linked one. (An older unlinked version is one replaced moments before, in its grace period.)
    const midSave = fs.readdirSync(dir).filter((n) => {
      if (LEFTOVER.test(n)) return true;
      const v = VERSION.exec(n);
      if (!v) return false;
      try {
        const linked = fs.readlinkSync(path.join(dir, v[1]));
        return linked !== n && fs.statSync(path.join(dir, n)).mtimeMs >= fs.statSync(path.join(dir, linked)).mtimeMs;
      } catch {
        return true;
      }
    });
    leftoversSeen += midSave.length;
    if (midSave.length > 0) killsDuringSaves++;
    const loaded = await loadAll(dir);
    const last = loaded.find((c) => c.name === 'last');
    if (last) {
      assert.ok(last.epoch >= lastEpoch, `last/ went back from epoch ${lastEpoch} to ${last.epoch}`);
      lastEpoch = last.epoch;
    }
  }
  assert.ok(lastEpoch >= 20, `the runs trained ${lastEpoch} epochs in all`);
  assert.ok(killsDuringSaves >= 3, `only ${killsDuringSaves} of 20 kills landed inside a save`);
  // A final run that finishes cleanly: no temp, link or stale version folder, and no lock, remains.
  const final = await start(dir, { LESSONKIT_KILL_EPOCHS: String(lastEpoch + 2) });
  const { code } = await final.exited;
  assert.equal(code, 0, final.stderr);
  const report = JSON.parse(final.stdout.trim().split('\n').pop()!) as { epochs: number; notes: string[] };
  assert.equal(report.epochs, lastEpoch + 2);
  const entries = fs.readdirSync(dir);
  assert.deepEqual(
    entries.filter((n) => LEFTOVER.test(n) || n.startsWith('.lock')),
    [],
  );
  for (const name of entries.filter((n) => VERSION.test(n))) {
    const target = VERSION.exec(name)![1];
    assert.equal(fs.readlinkSync(path.join(dir, target)), name, `${name} is the version that ${target} links to`);
  }
  const loaded = await loadAll(dir);
  assert.equal(loaded.find((c) => c.name === 'last')?.epoch, lastEpoch + 2);
  console.log(
    `# ${lastEpoch + 2} epochs over 21 runs; ${killsDuringSaves} of 20 kills landed inside a save, leaving ${leftoversSeen} temp or unlinked folders, all removed by the next run`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
});
