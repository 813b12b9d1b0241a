/**
 * Shared set-up for the kernel tests: the repository root, the project's Python, a throw-away Jupyter prefix with
 * the lesson kernelspec installed by kernel/install.ts, and a way to run a Python driver that prints JSON.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installKernelspec } from '../../kernel/install';

/** The repository root, seen from dist/test/kernel. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
/** Python drivers live next to the TypeScript sources (they are not compiled). */
export const DRIVER_DIR = path.join(REPO_ROOT, 'test', 'kernel');
/** The project's Python with jupyter_client, nbclient and nbconvert. Override with LESSONKIT_PYTHON. */
export const PYTHON = process.env.LESSONKIT_PYTHON ?? path.join(REPO_ROOT, '.venv', 'bin', 'python');
export const JUPYTER = path.join(path.dirname(PYTHON), 'jupyter');

/** Why the Jupyter side is missing, or undefined when it is usable. */
export function jupyterMissing(): string | undefined {
  if (!fs.existsSync(PYTHON)) return `no Python at ${PYTHON} (run the project setup or set LESSONKIT_PYTHON)`;
  const probe = spawnSync(PYTHON, ['-c', 'import jupyter_client, nbclient, nbconvert'], { encoding: 'utf8' });
  return probe.status === 0
    ? undefined
    : `jupyter_client/nbclient/nbconvert missing in ${PYTHON}: ${probe.stderr.trim()}`;
}

/** A fresh Jupyter prefix with the lessonkit kernelspec; returns the JUPYTER_PATH to use. */
export async function tempKernelspec(): Promise<string> {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-kernelspec-'));
  await installKernelspec({ prefix });
  return path.join(prefix, 'share', 'jupyter');
}

export function jupyterEnv(jupyterPath: string): NodeJS.ProcessEnv {
  return { ...process.env, JUPYTER_PATH: jupyterPath, PYDEVD_DISABLE_FILE_VALIDATION: '1' };
}

/** Runs a command; throws with its stderr when it fails. */
export function runChecked(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): string {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: options.env,
    cwd: options.cwd,
    timeout: options.timeoutMs ?? 300_000,
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}:\n${r.stderr.slice(-4000)}`);
  }
  return r.stdout;
}

/** Strips ANSI colour codes (tracebacks are coloured like IPython's). */
export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** One message on iopub, as drive_kernel.py records it. */
export interface Msg {
  msg_type: string;
  content: Record<string, any>;
}

/** One request as drive_kernel.py records it: the shell reply (or 'timeout') and what iopub carried for it. */
export interface Exchange {
  reply: Record<string, any> | 'timeout';
  iopub: Msg[];
  idle: boolean;
}

/** The iopub messages of one type in an exchange. */
export function ofType(x: Exchange, type: string): Msg[] {
  return x.iopub.filter((m) => m.msg_type === type);
}

/**
 * Runs drive_kernel.py against `kernel` (found through `jupyterPath`), started in notebooks/ as JupyterLab and
 * nbconvert start it for a lesson notebook; returns the driver's JSON.
 */
export function driveKernel(
  kernel: string,
  jupyterPath: string,
): { session: Record<string, any>; lifecycle: Record<string, any> } {
  const notebooks = path.join(REPO_ROOT, 'notebooks');
  fs.mkdirSync(notebooks, { recursive: true });
  const out = runChecked(PYTHON, [path.join(DRIVER_DIR, 'drive_kernel.py'), '--kernel', kernel, '--cwd', notebooks], {
    env: jupyterEnv(jupyterPath),
  });
  return JSON.parse(out) as { session: Record<string, any>; lifecycle: Record<string, any> };
}
