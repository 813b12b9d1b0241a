/**
 * The cell scope: the timers and the `Promise` that a cell's own code uses, made cancellable by an interrupt.
 *
 * Porting note: tslab's interrupt only abandons the awaited promise, and a JavaScript SIGINT handler cannot stop
 * code that is waiting, so `while (true) await new Promise((r) => setTimeout(r, 10))` went on after an interrupt.
 * The kernel's prelude (cell-code.ts) shadows `setTimeout`, `setInterval`, `setImmediate`, their `clear*`
 * functions and `Promise` inside each cell with the functions below. They behave like the global ones, but they
 * remember what the running cell scheduled. An interrupt (`abortCellRun`) then clears the cell's pending timers
 * and rejects the promises it is waiting for with `KeyboardInterrupt`, raised where the cell created them; after
 * that, the interrupted cell's code can schedule nothing more (new timers are not started, new promises never
 * settle), so a loop that swallows the error stops at its next wait instead of spinning. Library code (fit,
 * data loaders) is not affected: it keeps the cooperative interrupt flag of src/runtime.
 */
import { promisify } from 'node:util';
import { InterruptedError } from '../src/runtime';

const SCOPE_KEY = Symbol.for('lessonkit.cellScope');
const SHADOWED = [
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'clearImmediate',
  'Promise',
] as const;

/** The cell prelude: one line that binds the scoped functions in the cell (see cell-code.ts). */
export const CELL_SCOPE_PRELUDE = `const { ${SHADOWED.join(', ')} } = globalThis[Symbol.for('lessonkit.cellScope')];`;

const NativePromise = Promise;
const native = { setTimeout, setInterval, setImmediate, clearTimeout, clearInterval, clearImmediate };

type Timer = NodeJS.Timeout | NodeJS.Immediate;

interface PendingPromise {
  reject: (reason: unknown) => void;
  /** Where the cell created the promise (its stack becomes the KeyboardInterrupt's). */
  site: { stack?: string };
}

/** What an interrupt cancelled. */
export interface AbortSummary {
  timers: number;
  promises: number;
}

class CellRun {
  aborted = false;
  readonly timers = new Map<Timer, 'timeout' | 'interval' | 'immediate'>();
  readonly pending = new Set<PendingPromise>();
}

let current: CellRun | undefined;

export const INTERRUPT_MESSAGE = 'Interrupted while the cell was waiting here.';

function interruptError(site: { stack?: string }): InterruptedError {
  const err = new InterruptedError(INTERRUPT_MESSAGE);
  const frames = site.stack?.split('\n').slice(1).join('\n');
  if (frames) err.stack = `${err.name}: ${err.message}\n${frames}`;
  return err;
}

/** Starts tracking what the cell that now begins schedules. */
export function startCellRun(): void {
  current = new CellRun();
}

/** Stops tracking (the cell ended); what it scheduled keeps running, as in any Node program. */
export function endCellRun(): void {
  current = undefined;
}

/**
 * Cancels the running cell's pending timers and rejects its pending promises with KeyboardInterrupt; from now on
 * that cell schedules nothing. Returns what was cancelled (undefined when no cell runs).
 */
export function abortCellRun(): AbortSummary | undefined {
  const run = current;
  if (!run) return undefined;
  run.aborted = true;
  const summary = { timers: run.timers.size, promises: run.pending.size };
  for (const [timer, kind] of run.timers) {
    if (kind === 'immediate') native.clearImmediate(timer as NodeJS.Immediate);
    else native.clearTimeout(timer as NodeJS.Timeout);
  }
  run.timers.clear();
  const pending = [...run.pending];
  run.pending.clear();
  for (const p of pending) p.reject(interruptError(p.site));
  return summary;
}

/** A timer that never fires, returned to an interrupted cell instead of scheduling its callback. */
function deadTimeout(): NodeJS.Timeout {
  const t = native.setTimeout(() => undefined, 0);
  native.clearTimeout(t);
  return t;
}

function scopedSetTimeout(callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): NodeJS.Timeout {
  const run = current;
  if (!run || typeof callback !== 'function') return native.setTimeout(callback, ms, ...args);
  if (run.aborted) return deadTimeout();
  const timer: NodeJS.Timeout = native.setTimeout(
    (...a: unknown[]) => {
      run.timers.delete(timer);
      callback(...a);
    },
    ms,
    ...args,
  );
  run.timers.set(timer, 'timeout');
  return timer;
}

function scopedSetInterval(callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): NodeJS.Timeout {
  const run = current;
  if (!run || typeof callback !== 'function') return native.setInterval(callback, ms, ...args);
  if (run.aborted) return deadTimeout();
  const timer = native.setInterval(callback, ms, ...args);
  run.timers.set(timer, 'interval');
  return timer;
}

function scopedSetImmediate(callback: (...args: unknown[]) => void, ...args: unknown[]): NodeJS.Immediate {
  const run = current;
  if (!run || typeof callback !== 'function') return native.setImmediate(callback, ...args);
  if (run.aborted) {
    const dead = native.setImmediate(() => undefined);
    native.clearImmediate(dead);
    return dead;
  }
  const timer: NodeJS.Immediate = native.setImmediate(
    (...a: unknown[]) => {
      run.timers.delete(timer);
      callback(...a);
    },
    ...args,
  );
  run.timers.set(timer, 'immediate');
  return timer;
}

function forget(timer: unknown): void {
  current?.timers.delete(timer as Timer);
}

/** `Promise` inside cells: a native promise that an interrupt can reject while the cell waits for it. */
class CellPromise<T> extends NativePromise<T> {
  constructor(executor: (resolve: (value: T | PromiseLike<T>) => void, reject: (reason?: unknown) => void) => void) {
    const run = current;
    if (!run) {
      super(executor);
      return;
    }
    const site: { stack?: string } = {};
    Error.captureStackTrace(site, CellPromise);
    super((resolve, reject) => {
      // An interrupted cell's new promises never settle: its code stops at its next wait.
      if (run.aborted) return;
      const entry: PendingPromise = { reject, site };
      run.pending.add(entry);
      const settle =
        <A extends unknown[]>(f: (...a: A) => void) =>
        (...a: A) => {
          run.pending.delete(entry);
          f(...a);
        };
      try {
        executor(settle(resolve), settle(reject));
      } catch (err) {
        run.pending.delete(entry);
        throw err;
      }
    });
  }

  // `then`, `catch` and `finally` make plain promises; `x instanceof Promise` stays true for native promises.
  static override get [Symbol.species](): PromiseConstructor {
    return NativePromise;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof NativePromise;
  }
}

Object.defineProperty(scopedSetTimeout, promisify.custom, {
  value: <T>(ms?: number, value?: T) =>
    new CellPromise<T | undefined>((resolve) => scopedSetTimeout(() => resolve(value), ms)),
});
Object.defineProperty(scopedSetImmediate, promisify.custom, {
  value: <T>(value?: T) => new CellPromise<T | undefined>((resolve) => scopedSetImmediate(() => resolve(value))),
});

const scope = {
  setTimeout: scopedSetTimeout,
  setInterval: scopedSetInterval,
  setImmediate: scopedSetImmediate,
  clearTimeout: (t?: NodeJS.Timeout | string | number) => {
    forget(t);
    native.clearTimeout(t);
  },
  clearInterval: (t?: NodeJS.Timeout | string | number) => {
    forget(t);
    native.clearInterval(t);
  },
  clearImmediate: (t?: NodeJS.Immediate) => {
    forget(t);
    native.clearImmediate(t);
  },
  Promise: CellPromise,
};

/** Makes the scope visible to the prelude. */
export function installCellScope(): void {
  (globalThis as Record<symbol, unknown>)[SCOPE_KEY] = scope;
}
