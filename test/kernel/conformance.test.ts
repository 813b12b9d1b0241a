/**
 * Standard kernel conformance (jupyter_kernel_test, from Debian's python3-jupyter-kernel-test): kernel_info,
 * completion, inspection, is_complete, stdout/stderr, execute_result, display_data and error, with every
 * message validated against the v5 schema. Runs under the system Python, where apt installs the package.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { DRIVER_DIR, jupyterEnv, tempKernelspec } from './support';

const SYSTEM_PYTHON = process.env.LESSONKIT_SYSTEM_PYTHON ?? '/usr/bin/python3';

function kernelTestMissing(): string | undefined {
  const probe = spawnSync(SYSTEM_PYTHON, ['-c', 'import jupyter_kernel_test'], { encoding: 'utf8' });
  return probe.status === 0
    ? undefined
    : `jupyter_kernel_test not importable by ${SYSTEM_PYTHON} (apt-get install -y python3-jupyter-kernel-test)`;
}

const missing = kernelTestMissing();

it('passes jupyter_kernel_test conformance checks', { skip: missing && `SKIPPED: ${missing}` }, async () => {
  const jupyterPath = await tempKernelspec();
  const r = spawnSync(SYSTEM_PYTHON, ['-m', 'unittest', '-v', 'conformance'], {
    cwd: DRIVER_DIR,
    env: jupyterEnv(jupyterPath),
    encoding: 'utf8',
    timeout: 180_000,
  });
  const report = r.stderr;
  assert.equal(r.status, 0, report.slice(-4000));
  for (const check of [
    'kernel_info',
    'completion',
    'inspect',
    'is_complete',
    'execute_result',
    'error',
    'display_data',
  ]) {
    assert.match(
      report,
      new RegExp(`test_${check} .*\\.\\.\\. ok`),
      `test_${check} did not pass:\n${report.slice(-3000)}`,
    );
  }
});
