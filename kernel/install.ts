/**
 * Installs the lesson kernel's kernelspec, as `tslab install` and `python -m ipykernel install` do:
 *
 *   npm run kernel -- install                  the per-user kernels (`~/.local/share/jupyter/kernels/lessonkit`)
 *   npm run kernel -- install --user           the same
 *   npm run kernel -- install --prefix <dir>   `<dir>/share/jupyter/kernels/lessonkit` (e.g. .venv, a conda env)
 *   npm run kernel -- install --sys-prefix     the prefix of the Python environment that runs `jupyter` (`.venv`)
 *   npm run kernel -- remove [--user | --prefix <dir> | --sys-prefix]
 *
 * (`node dist/kernel/install.js ...` is the same; `--name` and `--display-name` change the kernel's names.)
 * An earlier install in the same place is replaced atomically.
 *
 * The kernelspec survives moving the checkout: kernel.json runs `launch.js` from the kernelspec's own folder
 * (`{resource_dir}`, which Jupyter fills in), and launch.js looks for the checkout first at the same relative place
 * as at install (a kernelspec inside the checkout, such as `.venv`'s, moves with it), then at the absolute path of
 * the install (a `--user` kernelspec, when the checkout has not moved). It runs that checkout's
 * dist/kernel/supervisor.js (which runs main.js), so rebuild (tsc) before starting it. When neither place holds a
 * built kernel, it says so and how to reinstall. `npm run setup` rewrites the project environment's kernelspec each
 * time it runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeDirAtomic } from '../src/io';

export const KERNEL_NAME = 'lessonkit';
export const DISPLAY_NAME = 'TypeScript (lessonkit)';
const LOGOS = ['logo-32x32.png', 'logo-64x64.png'];
/** The supervisor, relative to a checkout's root. */
const SUPERVISOR = path.join('dist', 'kernel', 'supervisor.js');

export interface KernelspecOptions {
  /** Jupyter data prefix, e.g. a virtual environment (`.venv`); the spec goes to `<prefix>/share/jupyter/kernels`. */
  prefix?: string;
  /** Install into the per-user Jupyter data folder instead (`jupyter --data-dir`). */
  user?: boolean;
  /** Node executable the kernel runs with. Default: this process's (`process.execPath`). */
  nodePath?: string;
  /** The checkout whose built kernel runs. Default: the one this file belongs to. */
  root?: string;
  /** Kernelspec name (its folder). Default `lessonkit`. */
  name?: string;
  displayName?: string;
}

/** The checkout this installer belongs to (dist/kernel/install.js -> the root). */
function defaultRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

/**
 * The per-user Jupyter data folder, as jupyter_core computes it: `JUPYTER_DATA_DIR`, else `~/Library/Jupyter` on
 * macOS, `%APPDATA%\jupyter` on Windows, `$XDG_DATA_HOME/jupyter` or `~/.local/share/jupyter` elsewhere.
 */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JUPYTER_DATA_DIR) return path.resolve(env.JUPYTER_DATA_DIR);
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Jupyter');
  if (process.platform === 'win32' && env.APPDATA) return path.join(env.APPDATA, 'jupyter');
  const xdg = env.XDG_DATA_HOME ? path.resolve(env.XDG_DATA_HOME) : path.join(os.homedir(), '.local', 'share');
  return path.join(xdg, 'jupyter');
}

/** The kernels folder an install goes to. */
export function kernelsDir(options: Pick<KernelspecOptions, 'prefix' | 'user'>): string {
  if (options.prefix !== undefined) return path.join(path.resolve(options.prefix), 'share', 'jupyter', 'kernels');
  return path.join(userDataDir(), 'kernels');
}

export function kernelJson(nodePath: string, displayName = DISPLAY_NAME): object {
  return {
    argv: [nodePath, '{resource_dir}/launch.js', '{connection_file}'],
    display_name: displayName,
    language: 'typescript',
    interrupt_mode: 'signal',
    metadata: { debugger: false, lessonkit: { launcher: 'launch.js' } },
  };
}

/**
 * The launcher written next to kernel.json: finds the checkout (relative first, then absolute) and runs its
 * supervisor in this process. Plain CommonJS with no dependencies.
 */
export function launcherSource(specDir: string, root: string): string {
  const relative = path.relative(specDir, root);
  const insideRoot = !path.relative(root, specDir).startsWith('..');
  return `// Written by lessonkit's kernel installer (kernel/install.ts); \`npm run kernel -- install\` rewrites it.
// Finds the lessonkit checkout and runs its kernel supervisor with this process's arguments.
'use strict';
const fs = require('fs');
const path = require('path');
const supervisor = ${JSON.stringify(SUPERVISOR)};
const candidates = [
  ${insideRoot ? `path.resolve(__dirname, ${JSON.stringify(relative)}), // the checkout around this kernelspec` : '// (installed outside the checkout: no relative place)'}
  ${JSON.stringify(root)}, // where the checkout was at install
];
const root = candidates.find((r) => fs.existsSync(path.join(r, supervisor)));
if (!root) {
  process.stderr.write(
    'lessonkit kernel: no built lessonkit checkout at ' + candidates.join(' or ') + '. ' +
      'Run \`npm run setup\` (or \`npm run kernel -- install --user\`) in the checkout to reinstall this kernel.\\n',
  );
  process.exit(1);
}
process.argv[1] = path.join(root, supervisor);
require(process.argv[1]);
`;
}

/** Writes the kernelspec and returns its folder. */
export async function installKernelspec(options: KernelspecOptions): Promise<string> {
  const nodePath = path.resolve(options.nodePath ?? process.execPath);
  const root = path.resolve(options.root ?? defaultRoot());
  const dir = path.join(kernelsDir(options), options.name ?? KERNEL_NAME);
  const logos = path.join(defaultRoot(), 'kernel', 'kernelspec');
  await writeDirAtomic(dir, (tmp) => {
    fs.writeFileSync(
      path.join(tmp, 'kernel.json'),
      `${JSON.stringify(kernelJson(nodePath, options.displayName), null, 2)}\n`,
    );
    fs.writeFileSync(path.join(tmp, 'launch.js'), launcherSource(dir, root));
    for (const logo of LOGOS) fs.copyFileSync(path.join(logos, logo), path.join(tmp, logo));
  });
  return dir;
}

/** Removes an installed kernelspec; returns its folder, or undefined when there was none. */
export function removeKernelspec(options: KernelspecOptions): string | undefined {
  const dir = path.join(kernelsDir(options), options.name ?? KERNEL_NAME);
  if (!fs.existsSync(path.join(dir, 'kernel.json'))) return undefined;
  fs.rmSync(dir, { recursive: true, force: true });
  return dir;
}

/** The prefix of the Python environment whose `jupyter` runs (`--sys-prefix`): .venv, else the active conda env. */
function sysPrefix(): string {
  const venv = path.join(defaultRoot(), '.venv');
  if (fs.existsSync(path.join(venv, 'bin', 'python'))) return venv;
  if (process.env.CONDA_PREFIX) return process.env.CONDA_PREFIX;
  throw new Error('--sys-prefix: no .venv in the checkout and no active conda environment; use --user or --prefix');
}

const USAGE =
  'usage: npm run kernel -- install|remove [--user | --prefix <dir> | --sys-prefix] [--name <name>] [--display-name <text>]';

export function parseInstallArgs(args: string[]): { command: 'install' | 'remove'; options: KernelspecOptions } {
  const rest = [...args];
  // `install` is the default command; `--prefix <dir>` alone (setup's call) is an install.
  const command = rest[0] === 'install' || rest[0] === 'remove' ? (rest.shift() as 'install' | 'remove') : 'install';
  const options: KernelspecOptions = {};
  let places = 0;
  while (rest.length > 0) {
    const flag = rest.shift() as string;
    const value = (): string => {
      const v = rest.shift();
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value. ${USAGE}`);
      return v;
    };
    if (flag === '--user') {
      options.user = true;
      places++;
    } else if (flag === '--prefix') {
      options.prefix = value();
      places++;
    } else if (flag === '--sys-prefix') {
      options.prefix = sysPrefix();
      places++;
    } else if (flag === '--name') options.name = value();
    else if (flag === '--display-name') options.displayName = value();
    else throw new Error(`unknown argument ${JSON.stringify(flag)}. ${USAGE}`);
  }
  if (places > 1) throw new Error(`choose one of --user, --prefix, --sys-prefix. ${USAGE}`);
  if (places === 0) options.user = true;
  return { command, options };
}

if (require.main === module) {
  Promise.resolve()
    .then(async () => {
      const { command, options } = parseInstallArgs(process.argv.slice(2));
      if (command === 'remove') {
        const dir = removeKernelspec(options);
        process.stdout.write(dir ? `Removed kernelspec in ${dir}\n` : 'No lessonkit kernelspec there.\n');
        return;
      }
      const dir = await installKernelspec(options);
      process.stdout.write(
        `Installed kernelspec "${options.name ?? KERNEL_NAME}" (${options.displayName ?? DISPLAY_NAME}) in ${dir}\n`,
      );
    })
    .catch((err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    });
}
