/**
 * Write-then-rename helpers, so that no reader ever sees a half-written file or folder.
 *
 * Folders (`writeDirAtomic`) come in two layouts. Plain (the default, for caches): the new folder is filled under a
 * temp name and renamed into place; replacing an existing folder takes two renames (old aside, new in), so for a
 * moment the folder is missing, which a cache reader treats as "not cached". Linked (`{ link: true }`, for
 * checkpoints, where a reader must never find `last/` missing): `dir` is a symbolic link to a complete, versioned sibling folder. A write fills a temp
 * sibling, renames it to a new version, and switches the link with one `rename(2)` of a new link over the old one,
 * which is atomic on POSIX file systems: at every moment `dir` resolves to a complete old or complete new version,
 * never to nothing. The old version is removed after the switch.
 *
 *   .last.tmp-<pid>-<hex>    being filled (removed on failure; a dead pid's is removed by the next write)
 *   .last.v-<pid>-<hex>      a complete version; `last` links to exactly one of them
 *   .last.link-<pid>-<hex>   the new link, for the moment before it is renamed over `last`
 *
 * Readers need nothing special: every `fs` call and tfjs's `file://` loader follow the link. A `dir` that is still a
 * plain folder from the earlier layout is replaced once by the same two renames as before, then becomes a link.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

type SiblingKind = 'tmp' | 'v' | 'link';

function sibling(target: string, kind: SiblingKind): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${kind}-${process.pid}-${crypto.randomBytes(4).toString('hex')}`,
  );
}

/** Whether a process with this id exists on this machine (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes `data` to `file` atomically (temp file in the same folder, then rename). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = sibling(file, 'tmp');
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The entries beside `target` that its writes left (temp, version and link siblings), with the pid in each name. */
export function atomicSiblings(target: string): { name: string; kind: SiblingKind; pid: number }[] {
  const parent = path.dirname(target);
  if (!fs.existsSync(parent)) return [];
  const re = new RegExp(`^\\.${escapeRegExp(path.basename(target))}\\.(tmp|v|link)-(\\d+)-[0-9a-f]+$`);
  const out: { name: string; kind: SiblingKind; pid: number }[] = [];
  for (const name of fs.readdirSync(parent)) {
    const m = re.exec(name);
    if (m) out.push({ name, kind: m[1] as SiblingKind, pid: Number(m[2]) });
  }
  return out;
}

/** The version folder `dir` links to (its base name), or undefined when `dir` is missing or a plain folder. */
function linkedVersion(dir: string): string | undefined {
  try {
    return path.basename(fs.readlinkSync(dir));
  } catch {
    return undefined;
  }
}

/**
 * Removes what interrupted writes left anywhere in `folder` (for every target inside it, e.g. a run folder's
 * `last`, `best` and `epoch-NNN`): the same rules as `removeStaleSiblings`. A save removes its own target's leftovers;
 * this also catches targets that will never be written again (an `epoch-005` whose copy was killed). Returns the
 * names removed.
 */
export function removeStaleEntries(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  const re = /^\.(.+)\.(tmp|v|link)-\d+-[0-9a-f]+$/;
  const targets = new Set<string>();
  for (const name of fs.readdirSync(folder)) {
    const m = re.exec(name);
    if (m) targets.add(m[1]);
  }
  return [...targets].flatMap((t) => removeStaleSiblings(path.join(folder, t)));
}

/**
 * Removes what interrupted writes of `dir` left behind: temp and link siblings of processes that no longer run, and
 * version folders that `dir` does not link to (of dead processes, or of this one). Returns the names removed.
 */
export function removeStaleSiblings(dir: string): string[] {
  const current = linkedVersion(dir);
  const removed: string[] = [];
  for (const s of atomicSiblings(dir)) {
    if (s.name === current) continue;
    if (s.pid !== process.pid && processAlive(s.pid)) continue; // another live writer's work in progress
    if (s.pid === process.pid && s.kind !== 'v') continue; // this process's own write in progress
    if (retired.has(path.join(path.dirname(dir), s.name))) continue; // replaced moments ago: in its grace period
    fs.rmSync(path.join(path.dirname(dir), s.name), { recursive: true, force: true });
    removed.push(s.name);
  }
  return removed;
}

/**
 * How long a replaced version stays after the link moved on. A reader that resolved the old link just before the
 * switch is still walking into the old folder for a moment (measured: 2 misses in 24,000 reads at load 20 when the
 * old version was removed at once); it must still find it complete.
 */
export const RETIRE_GRACE_MS = 250;
const retired = new Map<string, number>();

function removeRetired(folder: string): void {
  if (!retired.delete(folder)) return;
  fs.rmSync(folder, { recursive: true, force: true });
}

let exitHook = false;

/** Removes `folder` after the grace period, or when the process exits normally, whichever comes first. */
function retire(folder: string): void {
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => [...retired.keys()].forEach(removeRetired));
  }
  retired.set(folder, Date.now() + RETIRE_GRACE_MS);
  setTimeout(() => removeRetired(folder), RETIRE_GRACE_MS).unref();
}

/** Waits out the grace period of every replaced version and removes them (a run calls this when it ends). */
export async function settleRetiredVersions(): Promise<void> {
  const until = Math.max(0, ...retired.values());
  const wait = until - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  [...retired.keys()].forEach(removeRetired);
}

export interface WriteDirOptions {
  /** Linked layout: `dir` becomes a link to a versioned folder, switched atomically. Default: false (plain folder). */
  link?: boolean;
}

/**
 * Fills a folder through `fill(tempDir)` and then puts it in place as `dir`, replacing any previous folder (see the
 * module comment for the two layouts). If `fill` throws, the temp folder is removed and the old folder is left as it
 * was. Leftovers of earlier interrupted writes (of processes that are gone) are removed first. Returns the real path
 * of the folder written (the version folder in the linked layout, else `dir`).
 */
export async function writeDirAtomic(
  dir: string,
  fill: (tempDir: string) => Promise<void> | void,
  options: WriteDirOptions = {},
): Promise<string> {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  removeStaleSiblings(dir);
  if (!options.link && linkedVersion(dir) === undefined) return writePlainDir(dir, fill);
  const tmp = sibling(dir, 'tmp');
  const version = sibling(dir, 'v');
  const link = sibling(dir, 'link');
  fs.mkdirSync(tmp);
  let switched = false;
  try {
    await fill(tmp);
    fs.renameSync(tmp, version);
    fs.symlinkSync(path.basename(version), link, 'dir');
    const previous = linkedVersion(dir);
    let oldPlain: string | undefined;
    if (previous === undefined && fs.existsSync(dir)) {
      // Earlier layout: a plain folder cannot be replaced by renaming a link over it.
      oldPlain = sibling(dir, 'tmp');
      fs.renameSync(dir, oldPlain);
    }
    fs.renameSync(link, dir);
    switched = true;
    if (oldPlain) fs.rmSync(oldPlain, { recursive: true, force: true });
    if (
      previous !== undefined &&
      previous !== path.basename(version) &&
      previous.startsWith(`.${path.basename(dir)}.v-`)
    ) {
      retire(path.join(path.dirname(dir), previous));
    }
    return version;
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(link, { force: true });
    if (!switched) fs.rmSync(version, { recursive: true, force: true });
    throw err;
  }
}

async function writePlainDir(dir: string, fill: (tempDir: string) => Promise<void> | void): Promise<string> {
  const tmp = sibling(dir, 'tmp');
  fs.mkdirSync(tmp);
  try {
    await fill(tmp);
    const old = fs.existsSync(dir) ? sibling(dir, 'tmp') : undefined;
    if (old) fs.renameSync(dir, old);
    fs.renameSync(tmp, dir);
    if (old) fs.rmSync(old, { recursive: true, force: true });
    return dir;
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
