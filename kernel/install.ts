/**
 * Installs the lesson kernel's kernelspec: `node dist/kernel/install.js --prefix <jupyter prefix>` writes
 * `<prefix>/share/jupyter/kernels/lessonkit/` (kernel.json and the logos), replacing an earlier install atomically.
 * The kernelspec runs this Node with this checkout's dist/kernel/supervisor.js (which runs main.js), so rebuild (tsc)
 * before starting it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeDirAtomic } from '../src/io';

export const KERNEL_NAME = 'lessonkit';
export const DISPLAY_NAME = 'TypeScript (lessonkit)';
const LOGOS = ['logo-32x32.png', 'logo-64x64.png'];

export interface KernelspecOptions {
  /** Jupyter data prefix, e.g. a virtual environment (`.venv`); the spec goes to `<prefix>/share/jupyter/kernels`. */
  prefix: string;
  /** Node executable the kernel runs with. Default: this process's (`process.execPath`). */
  nodePath?: string;
}

/** Folder of the repository's kernel/kernelspec (logos), seen from dist/kernel. */
function kernelspecSourceDir(): string {
  return path.resolve(__dirname, '..', '..', 'kernel', 'kernelspec');
}

export function kernelJson(nodePath: string): object {
  return {
    argv: [nodePath, path.join(__dirname, 'supervisor.js'), '{connection_file}'],
    display_name: DISPLAY_NAME,
    language: 'typescript',
    interrupt_mode: 'signal',
    metadata: { debugger: false },
  };
}

/** Writes the kernelspec and returns its folder. */
export async function installKernelspec(options: KernelspecOptions): Promise<string> {
  const nodePath = path.resolve(options.nodePath ?? process.execPath);
  const dir = path.join(path.resolve(options.prefix), 'share', 'jupyter', 'kernels', KERNEL_NAME);
  await writeDirAtomic(dir, (tmp) => {
    fs.writeFileSync(path.join(tmp, 'kernel.json'), `${JSON.stringify(kernelJson(nodePath), null, 2)}\n`);
    for (const logo of LOGOS) fs.copyFileSync(path.join(kernelspecSourceDir(), logo), path.join(tmp, logo));
  });
  return dir;
}

function parseArgs(args: string[]): KernelspecOptions {
  const i = args.indexOf('--prefix');
  const prefix = i >= 0 ? args[i + 1] : undefined;
  if (!prefix || prefix.startsWith('--')) {
    throw new Error(`install.js: expected --prefix <jupyter prefix, e.g. .venv>; received ${JSON.stringify(args)}`);
  }
  return { prefix };
}

if (require.main === module) {
  installKernelspec(parseArgs(process.argv.slice(2)))
    .then((dir) => process.stdout.write(`Installed kernelspec "${KERNEL_NAME}" (${DISPLAY_NAME}) in ${dir}\n`))
    .catch((err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    });
}
