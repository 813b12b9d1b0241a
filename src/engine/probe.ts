/** Looks at this machine (installed packages, built bindings, CUDA) without loading any native code. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EnginePackage, EngineProbe } from './select';

/** Folders to resolve the engine packages from; the project root by default. */
export interface ProbeOptions {
  /** Where `require.resolve` starts looking. Default: this library's own folder. */
  resolveFrom?: string[];
}

/** The path of a package's built `tfjs_binding.node`, or undefined when the package or the binding is absent. */
export function bindingPath(packageName: EnginePackage, options: ProbeOptions = {}): string | undefined {
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${packageName}/package.json`, { paths: options.resolveFrom ?? [__dirname] });
  } catch {
    return undefined;
  }
  const libDir = path.join(path.dirname(pkgJson), 'lib');
  if (!fs.existsSync(libDir)) return undefined;
  for (const napiDir of fs.readdirSync(libDir).sort().reverse()) {
    const candidate = path.join(libDir, napiDir, 'tfjs_binding.node');
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** True when an NVIDIA driver is loaded and lists at least one GPU. */
export function cudaDeviceVisible(): boolean {
  const gpus = '/proc/driver/nvidia/gpus';
  try {
    return fs.readdirSync(gpus).length > 0;
  } catch {
    return false;
  }
}

export function probeEngine(options: ProbeOptions = {}): EngineProbe {
  return {
    cpuPackageReady: bindingPath('@tensorflow/tfjs-node', options) !== undefined,
    gpuPackageReady: bindingPath('@tensorflow/tfjs-node-gpu', options) !== undefined,
    cudaDeviceVisible: cudaDeviceVisible(),
  };
}
