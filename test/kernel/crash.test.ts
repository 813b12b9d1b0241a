/**
 * A kernel that native code kills says why when it comes back: a cell raises a real SIGFPE in the kernel process
 * (what TensorFlow's oneDNN does on some CPUs), Jupyter restarts the kernel with the same connection file, and the
 * first cell of the new kernel shows the signal, the cell that was running and the engine on stderr, once.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DRIVER_DIR, PYTHON, REPO_ROOT, jupyterEnv, jupyterMissing, runChecked, tempKernelspec } from './support';

const missing = jupyterMissing();

test(
  'a kernel killed by SIGFPE is explained by the next kernel, once',
  { skip: missing && `SKIPPED: ${missing}` },
  async () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-crash-'));
    const out = JSON.parse(
      runChecked(
        PYTHON,
        [
          path.join(DRIVER_DIR, 'crash_driver.py'),
          '--kernel',
          'lessonkit',
          '--cwd',
          path.join(REPO_ROOT, 'notebooks'),
          '--cache',
          cache,
        ],
        {
          env: jupyterEnv(await tempKernelspec()),
        },
      ),
    );
    assert.equal(out.first.reply?.status, 'ok');
    assert.equal(out.crash.reply, null, 'the crashing cell gets no reply');
    assert.equal(out.dead_after_crash, true);
    assert.equal(out.same_connection_file, true);
    const notice = out.after_restart.streams
      .filter((s: { name: string }) => s.name === 'stderr')
      .map((s: { text: string }) => s.text)
      .join('');
    assert.match(notice, /The previous lesson kernel was killed by SIGFPE, an arithmetic fault in native code/);
    assert.match(notice, /It was running cell \[2\] \(started [^)]+\): \/\/ a native fault, as oneDNN raises it/);
    assert.match(notice, /Engine: tensorflow backend \(TF [\d.]+, cpu\)/);
    assert.match(notice, /LESSONKIT_ONEDNN=off/);
    assert.equal(out.after_restart.reply?.status, 'ok');
    assert.equal(out.second_cell.streams.length, 0, 'the notice is shown once');
    assert.ok(fs.readdirSync(path.join(cache, 'kernel')).some((f) => f.endsWith('.reported.json')));
    fs.rmSync(cache, { recursive: true, force: true });
  },
);
