/**
 * Test helper: runs test/models/torch_reference.py once per test process (in a temp dir) and hands out its files.
 * Returns a reason string instead when Python, torch or torchvision is not available, so tests can skip loudly.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TorchReference {
  dir: string;
  manifest: { torch: string; torchvision: string; archs: Record<string, { params: number }> };
  stateDict(arch: string): string;
  io(arch: string): string;
}

const REPO = path.resolve(__dirname, '../../..');
const SCRIPT = path.join(REPO, 'test/models/torch_reference.py');

export const REFERENCE_ARCHS = ['resnet18', 'resnet34', 'resnet50'];
export const REFERENCE_SIZES = [224, 32];
export const REFERENCE_BATCH = 2;

let cached: TorchReference | string | undefined;

/** The Python interpreter: `LESSONKIT_PYTHON`, else the project venv. */
export function pythonPath(): string {
  return process.env.LESSONKIT_PYTHON ?? path.join(REPO, '.venv/bin/python');
}

export function torchReference(): TorchReference | string {
  if (cached !== undefined) return cached;
  const python = pythonPath();
  if (!fs.existsSync(python))
    return (cached = `no Python at ${python} (create .venv with torch, torchvision, safetensors)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-torchref-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const started = Date.now();
  const r = spawnSync(
    python,
    [SCRIPT, dir, REFERENCE_ARCHS.join(','), REFERENCE_SIZES.join(','), String(REFERENCE_BATCH)],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) {
    const why = `${r.stderr ?? ''}${r.error?.message ?? ''}`.trim().split('\n').slice(-3).join(' | ');
    if (/No module named '(torch|torchvision|safetensors)'/.test(why))
      return (cached = `PyTorch side unavailable: ${why}`);
    throw new Error(`torch_reference.py failed (exit ${r.status}): ${why}`);
  }
  console.log(`torch references generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as TorchReference['manifest'];
  cached = {
    dir,
    manifest,
    stateDict: (arch) => path.join(dir, `${arch}.safetensors`),
    io: (arch) => path.join(dir, `${arch}-io.safetensors`),
  };
  return cached;
}
