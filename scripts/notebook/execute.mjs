// @ts-check
// Executes one notebook with `jupyter nbconvert --execute` under the lesson kernel.
//
// The notebook goes in on stdin and comes back on stdout, and nbconvert runs in the source notebook's folder, so the
// kernel's working directory is notebooks/ (relative paths and `import ... from 'lessonkit'` behave as in
// JupyterLab) while nothing is written next to the sources. A cell that fails (the kernel's error status) makes
// nbconvert exit non-zero; that is reported as an error naming the notebook, with nbconvert's account of the cell.
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { cellTimeoutSeconds, jupyterCommand, kernelName, ROOT } from '../paths.mjs';

/** Kernels known to `jupyter` (name -> { resource_dir, spec }). */
export function installedKernels(jupyter = jupyterCommand()) {
  const r = spawnSync(jupyter, ['kernelspec', 'list', '--json'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(
      `Running \`${jupyter} kernelspec list\` failed (${r.error?.message ?? r.stderr.trim()}). ` +
        'Install the Jupyter side with `npm run setup` (or set LESSONKIT_JUPYTER to a jupyter command).',
    );
  }
  return JSON.parse(r.stdout).kernelspecs;
}

/** Throws a clear error when the kernel is not installed; returns its spec (display_name, argv, ...). */
export function requireKernel(name = kernelName(), jupyter = jupyterCommand()) {
  const kernels = installedKernels(jupyter);
  if (!kernels[name]) {
    throw new Error(
      `Kernel "${name}" is not installed for ${jupyter} (installed: ${Object.keys(kernels).join(', ') || 'none'}). ` +
        'Run `npm run setup`, which installs the lessonkit kernelspec, or set LESSONKIT_KERNEL.',
    );
  }
  return kernels[name].spec;
}

/**
 * Options for `executeNotebook`.
 * @typedef {object} ExecuteOptions
 * @property {string} [kernel]   kernel name. Default: `kernelName()` (LESSONKIT_KERNEL, else `lessonkit`).
 * @property {string} [cwd]      the kernel's working directory. Default: the repository's notebooks/ folder.
 * @property {string} [label]    how errors name the notebook. Default: `notebook`.
 * @property {number} [timeout]  seconds per cell. Default: `cellTimeoutSeconds()` (LESSONKIT_CELL_TIMEOUT, else 1200).
 * @property {Record<string,string>} [env]  extra environment for nbconvert and the kernel. Default: none.
 */

/**
 * Executes the notebook object `nb`; resolves to the executed notebook object.
 * @param {import('./notebook-file.mjs').Notebook} nb
 * @param {ExecuteOptions} [options]
 * @returns {Promise<import('./notebook-file.mjs').Notebook>}
 */
export function executeNotebook(nb, options = {}) {
  const kernel = options.kernel ?? kernelName();
  const timeout = options.timeout ?? cellTimeoutSeconds();
  const label = options.label ?? 'notebook';
  const cwd = options.cwd ?? path.join(ROOT, 'notebooks');
  const args = [
    'nbconvert',
    '--stdin',
    '--stdout',
    '--to',
    'notebook',
    '--execute',
    `--ExecutePreprocessor.kernel_name=${kernel}`,
    `--ExecutePreprocessor.timeout=${timeout}`,
    '--ExecutePreprocessor.record_timing=False',
  ];
  const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '2', ...options.env };
  return new Promise((resolve, reject) => {
    const child = spawn(jupyterCommand(env), args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    /** @type {Buffer[]} */
    const out = [];
    /** @type {Buffer[]} */
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', (e) => reject(new Error(`${label}: could not start jupyter nbconvert: ${e.message}`)));
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (code !== 0) {
        reject(new Error(`${label}: execution failed (nbconvert exit ${code ?? signal}).\n${explainFailure(stderr)}`));
        return;
      }
      try {
        resolve(JSON.parse(Buffer.concat(out).toString('utf8')));
      } catch (e) {
        reject(
          new Error(
            `${label}: nbconvert printed no notebook (${/** @type {Error} */ (e).message}).\n${stderr.slice(-4000)}`,
          ),
        );
      }
    });
    child.stdin.end(JSON.stringify(nb));
  });
}

/**
 * The useful part of nbconvert's stderr: the failing cell and its error (else the tail), without colour codes.
 * @param {string} stderr
 * @returns {string}
 */
export function explainFailure(stderr) {
  const plain = stderr.replace(/\u001b\[[0-9;]*m/g, '');
  for (const marker of [
    'An error occurred while executing the following cell',
    'CellTimeoutError:',
    'DeadKernelError:',
  ]) {
    const i = plain.indexOf(marker);
    if (i >= 0) return plain.slice(i).trim();
  }
  return plain.slice(-4000).trim();
}
