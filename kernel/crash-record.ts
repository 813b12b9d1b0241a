/**
 * What a kernel leaves behind so that, when native code kills it, the next kernel can tell the learner why.
 *
 * A process killed by SIGFPE or SIGSEGV cannot report anything itself, so the kernel runs under a small supervisor
 * (supervisor.ts): the kernel writes a session file (its engine, and the cell it is running), and the supervisor,
 * which sees the signal, turns that into a crash record keyed by the connection file. Jupyter restarts a dead
 * kernel with the same connection file; the new kernel finds the record and shows it in the first cell it runs.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../src/io/atomic';
import { cacheRoot } from '../src/io/paths';
import { readSelfTestRecord, selfTestCacheFile } from '../src/engine/onednn-guard';

export interface SessionInfo {
  pid: number;
  startedAt: string;
  cwd: string;
  /** `describeEngine` of the loaded engine, or why none loaded. */
  engine?: string;
  /** The cell running now (or last), as the learner numbers it. */
  cell?: { executionCount: number; firstLine: string; startedAt: string };
}

export interface CrashRecord {
  signal: string | null;
  exitCode: number | null;
  at: string;
  session?: SessionInfo;
  /** The oneDNN self-test on record for this machine, in words. */
  selfTest?: string;
}

function kernelDir(): string {
  return path.join(cacheRoot(), 'kernel');
}

function keyOf(connectionFile: string): string {
  return crypto.createHash('sha256').update(path.resolve(connectionFile)).digest('hex').slice(0, 16);
}

export function sessionFile(connectionFile: string): string {
  return path.join(kernelDir(), `session-${keyOf(connectionFile)}.json`);
}

export function crashFile(connectionFile: string): string {
  return path.join(kernelDir(), `crash-${keyOf(connectionFile)}.json`);
}

function writeJson(file: string, value: unknown): void {
  try {
    writeFileAtomic(file, JSON.stringify(value));
  } catch {
    // Best effort: a read-only cache must not stop a kernel.
  }
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The kernel's side: what it is and which cell it runs, kept up to date in its session file. */
export class SessionRecorder {
  private readonly info: SessionInfo;
  private readonly file: string;

  constructor(connectionFile: string) {
    this.file = sessionFile(connectionFile);
    this.info = { pid: process.pid, startedAt: new Date().toISOString(), cwd: process.cwd() };
    this.flush();
  }

  setEngine(engine: string): void {
    this.info.engine = engine;
    this.flush();
  }

  cellStarted(executionCount: number, code: string): void {
    const firstLine = code.split('\n').find((l) => l.trim() !== '') ?? '';
    this.info.cell = { executionCount, firstLine: firstLine.trim().slice(0, 120), startedAt: new Date().toISOString() };
    this.flush();
  }

  private flush(): void {
    writeJson(this.file, this.info);
  }
}

function selfTestWords(): string | undefined {
  const rec = readSelfTestRecord(selfTestCacheFile());
  if (!rec) return undefined;
  const what =
    rec.outcome === 'crashed'
      ? `crashed with ${rec.signal}${rec.lastStep ? ` at "${rec.lastStep}"` : ''}`
      : rec.outcome;
  return `the oneDNN self-test on record for this machine ${what} (${rec.testedAt})`;
}

/** The supervisor's side: the kernel process ended; keep a record when it did not end normally. */
export function recordKernelExit(
  connectionFile: string,
  signal: NodeJS.Signals | null,
  exitCode: number | null,
): CrashRecord | undefined {
  const session = readJson<SessionInfo>(sessionFile(connectionFile));
  try {
    fs.rmSync(sessionFile(connectionFile), { force: true });
  } catch {
    // nothing to clean
  }
  // A normal shutdown, or the SIGTERM/SIGKILL/SIGINT a front end sends when it stops a kernel: nothing to explain.
  if (signal === null && exitCode === 0) return undefined;
  if (signal === 'SIGTERM' || signal === 'SIGKILL' || signal === 'SIGINT' || signal === 'SIGHUP') return undefined;
  const rec: CrashRecord = { signal, exitCode, at: new Date().toISOString(), session, selfTest: selfTestWords() };
  writeJson(crashFile(connectionFile), rec);
  return rec;
}

const SIGNAL_MEANING: Record<string, string> = {
  SIGFPE: 'an arithmetic fault in native code (TensorFlow 2.21 with oneDNN does this on some CPUs)',
  SIGSEGV: 'a memory fault in native code',
  SIGBUS: 'a memory fault in native code',
  SIGILL: 'an instruction this CPU does not have',
  SIGABRT: 'native code aborted (often a failed check inside TensorFlow, or out of memory)',
};

/** The learner-facing explanation of a crash record. */
export function describeCrash(rec: CrashRecord): string {
  const how = rec.signal
    ? `was killed by ${rec.signal}${SIGNAL_MEANING[rec.signal] ? `, ${SIGNAL_MEANING[rec.signal]}` : ''}`
    : `exited with code ${rec.exitCode}`;
  const lines = [`The previous lesson kernel ${how}, at ${rec.at}.`];
  const cell = rec.session?.cell;
  if (cell) lines.push(`It was running cell [${cell.executionCount}] (started ${cell.startedAt}): ${cell.firstLine}`);
  if (rec.session?.engine) lines.push(`Engine: ${rec.session.engine}`);
  if (rec.selfTest) lines.push(`Also: ${rec.selfTest}.`);
  lines.push(
    rec.signal === 'SIGFPE' || rec.signal === 'SIGSEGV' || rec.signal === 'SIGILL'
      ? 'Your variables are gone; run the notebook again from the top. If the same cell kills the kernel again, start Jupyter with ' +
          'LESSONKIT_ONEDNN=off (TensorFlow without oneDNN) and tell your instructor the lines above.'
      : 'Your variables are gone; run the notebook again from the top.',
  );
  return lines.join('\n');
}

/** The record left by a kernel that died with this connection file, once: it is renamed when taken. */
export function takeCrashRecord(connectionFile: string): CrashRecord | undefined {
  const file = crashFile(connectionFile);
  const rec = readJson<CrashRecord>(file);
  if (!rec) return undefined;
  try {
    fs.renameSync(file, `${file.replace(/\.json$/, '')}.reported.json`);
  } catch {
    // shown anyway
  }
  return rec;
}
