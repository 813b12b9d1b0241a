/**
 * The kernel and its supervisor exit when the process that launched them dies, as IPython kernels do: a runner
 * starts the kernel through jupyter_client (the supervisor in a new session, JPY_PARENT_PID set), keeps it busy in a
 * cell that computes for ten minutes, and is killed with SIGKILL; within a few seconds neither process is left.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { test } from 'node:test';
import { pidAlive } from '../../kernel/parent-watch';
import { DRIVER_DIR, PYTHON, REPO_ROOT, jupyterEnv, jupyterMissing, tempKernelspec } from './support';

const missing = jupyterMissing();

async function gone(pids: number[], withinMs: number): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const left = pids.filter(pidAlive);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 200));
  }
}

test(
  'killing the notebook runner (SIGKILL) leaves no kernel process behind',
  { skip: missing && `SKIPPED: ${missing}`, timeout: 120_000 },
  async () => {
    const runner = spawn(
      PYTHON,
      [path.join(DRIVER_DIR, 'orphan_driver.py'), '--kernel', 'lessonkit', '--cwd', path.join(REPO_ROOT, 'notebooks')],
      { env: jupyterEnv(await tempKernelspec()), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const line = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: runner.stdout }).once('line', resolve);
      runner.once('exit', (code) => reject(new Error(`the runner exited with ${code} before the kernel was up`)));
    });
    const info = JSON.parse(line) as { supervisor: number; kernel: { pid: number; ppid: number } };
    assert.equal(info.kernel.ppid, info.supervisor, 'the kernel runs under the supervisor');
    const pids = [info.supervisor, info.kernel.pid];
    assert.deepEqual(pids.filter(pidAlive), pids, 'both are running before the runner dies');
    runner.kill('SIGKILL');
    const left = await gone(pids, 8000);
    for (const pid of left) process.kill(pid, 'SIGKILL'); // do not leave them computing if the check fails
    assert.deepEqual(left, [], `still running 8 s after the runner was killed: ${left.join(', ')}`);
  },
);
