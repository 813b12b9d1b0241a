/**
 * Engine selection as a pure function, so the decision table is unit-tested without a GPU.
 *
 * The rules:
 * - `cpu`  → `@tensorflow/tfjs-node`; it must be installed and its native binding built.
 * - `gpu`  → `@tensorflow/tfjs-node-gpu`; it must be installed, its binding built, and a CUDA device visible.
 * - `auto` → the GPU package when it is usable and a CUDA device answers, else the CPU package.
 * Neither the pure-JS `cpu` backend nor `wasm` is ever chosen: they are 500x slower or lack conv gradients.
 */

/** What the user asked for (the `LESSONKIT_DEVICE` setting). */
export type DeviceRequest = 'auto' | 'cpu' | 'gpu';

/** The npm packages that provide a native TensorFlow backend. */
export type EnginePackage = '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu';

/** What the probe found on this machine. */
export interface EngineProbe {
  /** `@tensorflow/tfjs-node` resolves and its `tfjs_binding.node` file exists. */
  cpuPackageReady: boolean;
  /** `@tensorflow/tfjs-node-gpu` resolves and its `tfjs_binding.node` file exists. */
  gpuPackageReady: boolean;
  /** A CUDA device answers (an NVIDIA driver is loaded and lists at least one GPU). */
  cudaDeviceVisible: boolean;
}

export interface EngineChoice {
  packageName: EnginePackage;
  /** The device the choice expects to compute on. */
  expectedDevice: 'cpu' | 'gpu';
  /** One sentence on why, for the report. */
  reason: string;
}

const SETUP_HINT = 'Run `npm run setup` (it builds the native binding; see README "Troubleshooting").';

/** Parses a `LESSONKIT_DEVICE` value; anything but auto|cpu|gpu is an error that names the setting. */
export function parseDeviceRequest(value: string | undefined): DeviceRequest {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return 'auto';
  if (v === 'auto' || v === 'cpu' || v === 'gpu') return v;
  throw new Error(`LESSONKIT_DEVICE must be one of auto, cpu, gpu; found ${JSON.stringify(value)}.`);
}

/** Decides which native package to load, or throws an error that says why none fits and how to fix it. */
export function chooseEngine(request: DeviceRequest, probe: EngineProbe): EngineChoice {
  if (request === 'gpu') {
    if (!probe.gpuPackageReady) {
      throw new Error(
        'LESSONKIT_DEVICE=gpu, but @tensorflow/tfjs-node-gpu has no built native binding. ' +
          'Run `LESSONKIT_DEVICE=gpu npm run setup` on a machine with CUDA (see README "Using a GPU").',
      );
    }
    if (!probe.cudaDeviceVisible) {
      throw new Error(
        'LESSONKIT_DEVICE=gpu, but no CUDA device answers (no NVIDIA driver or GPU found). Use LESSONKIT_DEVICE=cpu or auto.',
      );
    }
    return { packageName: '@tensorflow/tfjs-node-gpu', expectedDevice: 'gpu', reason: 'LESSONKIT_DEVICE=gpu' };
  }
  if (request === 'auto' && probe.gpuPackageReady && probe.cudaDeviceVisible) {
    return {
      packageName: '@tensorflow/tfjs-node-gpu',
      expectedDevice: 'gpu',
      reason: 'LESSONKIT_DEVICE=auto: the GPU package is built and a CUDA device answers',
    };
  }
  if (!probe.cpuPackageReady) {
    throw new Error(
      `No native TensorFlow backend is available: @tensorflow/tfjs-node has no built native binding (tfjs_binding.node). ` +
        `${SETUP_HINT} The pure-JS cpu and wasm backends are never used as a fallback: they are about 500x slower ` +
        'or cannot train conv nets.',
    );
  }
  const reason =
    request === 'cpu'
      ? 'LESSONKIT_DEVICE=cpu'
      : probe.gpuPackageReady
        ? 'LESSONKIT_DEVICE=auto: the GPU package is built but no CUDA device answers'
        : 'LESSONKIT_DEVICE=auto: no GPU package built';
  return { packageName: '@tensorflow/tfjs-node', expectedDevice: 'cpu', reason };
}
