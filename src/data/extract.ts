/** Extracts a `.tar.gz` archive into a folder atomically (system `tar` into a temp folder, then rename). */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { writeDirAtomic } from '../io';

/**
 * Extracts `archive` so that its contents end up in `dest`, replacing any previous `dest`. Nothing is left
 * half-written: a failure removes the temp folder. Needs the `tar` program (present on Linux, macOS and Windows 10+).
 */
export async function extractTarGzAtomic(archive: string, dest: string): Promise<void> {
  if (!fs.existsSync(archive)) throw new Error(`extractTarGzAtomic: archive ${archive} does not exist.`);
  await writeDirAtomic(dest, (tmp) => {
    const r = spawnSync('tar', ['-xzf', archive, '-C', tmp], { encoding: 'utf8' });
    if (r.error) throw new Error(`Extracting ${archive} needs the "tar" program: ${r.error.message}.`);
    if (r.status !== 0) throw new Error(`Extracting ${archive} failed (tar exit ${r.status}): ${r.stderr.trim()}`);
  });
}
