/**
 * The lock of a checkpoint run folder (`<dir>/.lock`), held while `fit` writes into it: a file naming the holder
 * (pid, host, process start time). A second run on the same folder gets a `CheckpointError`; a lock whose holder
 * process is gone is taken over with a note.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CheckpointError } from '../errors';
import { processAlive } from '../io';

/** Who holds a run folder's lock. */
export interface LockHolder {
  pid: number;
  host: string;
  /** When the holding run took the lock (ISO time). */
  startedAt: string;
  /** The holder process's start time in clock ticks since boot (Linux `/proc/<pid>/stat`), to tell a reused pid. */
  processStart?: number;
  command?: string;
}

/** A held lock; `release()` removes it (only if it is still this holder's). */
export interface RunFolderLock {
  file: string;
  holder: LockHolder;
  /** Set when a stale lock (its holder process gone) was taken over. */
  note?: string;
  release(): void;
}

export const LOCK_FILE = '.lock';

function processStartTicks(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) counted after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const v = Number(fields[19]);
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host}, started ${h.startedAt}${h.command ? ` (${h.command})` : ''}`;
}

/** Why a recorded holder no longer holds the lock, or undefined when it still runs (or cannot be checked). */
function staleReason(h: Partial<LockHolder> | undefined): string | undefined {
  if (!h || typeof h.pid !== 'number' || typeof h.host !== 'string')
    return 'the lock file is unreadable (written by a process killed while taking it)';
  if (h.host !== os.hostname()) return undefined;
  if (!processAlive(h.pid)) return `process ${h.pid} is gone`;
  if (h.processStart !== undefined) {
    const now = processStartTicks(h.pid);
    if (now !== undefined && now !== h.processStart)
      return `process ${h.pid} is gone (the pid now belongs to another process)`;
  }
  return undefined;
}

/**
 * Takes the exclusive lock of a run folder (`<dir>/.lock`), or throws a CheckpointError naming the folder and the
 * holder. A lock left by a process that is gone (same host) is taken over, and `note` says so.
 */
export function lockRunFolder(dir: string): RunFolderLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const holder: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    processStart: processStartTicks(process.pid),
    command: path.basename(process.argv[1] ?? process.argv0),
  };
  const text = JSON.stringify(holder);
  let note: string | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    // Write the content first, then link it into place: link(2) fails if the lock exists, so the lock file never
    // exists without its content.
    const tmp = path.join(dir, `.lock.tmp-${process.pid}-${Math.random().toString(16).slice(2, 10)}`);
    fs.writeFileSync(tmp, text);
    try {
      fs.linkSync(tmp, file);
      fs.rmSync(tmp, { force: true });
      return {
        file,
        holder,
        note,
        release: () => {
          try {
            if (fs.readFileSync(file, 'utf8') === text) fs.rmSync(file, { force: true });
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let existingText = '';
    let existing: Partial<LockHolder> | undefined;
    try {
      existingText = fs.readFileSync(file, 'utf8');
      existing = JSON.parse(existingText) as Partial<LockHolder>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile: try again
    }
    const reason = staleReason(existing);
    if (reason === undefined) {
      const h = existing as LockHolder;
      throw new CheckpointError(
        `checkpoint folder ${dir} is in use by another run (${describeHolder(h)}); expected no other run writing there. ` +
          `Wait for it to finish, choose another folder, or, if that run is really gone, delete ${file}.`,
        dir,
      );
    }
    // Stale: move it aside under a unique name (only one taker succeeds), check it is still the stale one, retry.
    const aside = path.join(dir, `.lock.stale-${process.pid}-${Math.random().toString(16).slice(2, 10)}`);
    try {
      fs.renameSync(file, aside);
    } catch {
      continue;
    }
    const movedText = fs.readFileSync(aside, 'utf8');
    if (movedText !== existingText) {
      // Another run took the lock between our read and our rename: put its lock back.
      try {
        fs.linkSync(aside, file);
      } catch {
        // it re-created one meanwhile
      }
      fs.rmSync(aside, { force: true });
      continue;
    }
    fs.rmSync(aside, { force: true });
    note = `checkpoint folder ${dir}: took over a stale lock (${existing && typeof existing.pid === 'number' ? describeHolder(existing as LockHolder) + '; ' : ''}${reason}).`;
  }
  throw new CheckpointError(
    `checkpoint folder ${dir}: could not take the lock ${file} after 5 attempts (other runs keep taking it).`,
    dir,
  );
}
