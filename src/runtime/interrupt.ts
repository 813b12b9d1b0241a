/**
 * Cooperative interruption. Jupyter's interrupt (SIGINT to the kernel) and Ctrl-C in a terminal cannot stop
 * JavaScript in the middle of a synchronous op, so long loops (`fit`, `evaluate`, benchmarks) check
 * `interruptRequested()` at every batch boundary and stop cleanly there.
 *
 * The kernel calls `requestInterrupt()` from its SIGINT handler and `clearInterrupt()` before each cell.
 * Outside a kernel, `installSigintHandler()` does the same for scripts (a second Ctrl-C exits at once).
 */

const STATE_KEY = Symbol.for('lessonkit.interruptState');

interface InterruptState {
  requested: boolean;
}

function state(): InterruptState {
  const g = globalThis as Record<symbol, InterruptState | undefined>;
  return (g[STATE_KEY] ??= { requested: false });
}

/** Thrown by loops that stopped because of an interrupt, after they left their outputs usable. */
export class InterruptedError extends Error {
  constructor(message = 'Interrupted at a batch boundary.') {
    super(message);
    this.name = 'KeyboardInterrupt';
  }
}

export function requestInterrupt(): void {
  state().requested = true;
}

export function clearInterrupt(): void {
  state().requested = false;
}

export function interruptRequested(): boolean {
  return state().requested;
}

/** Throws `InterruptedError` (and clears the request) when an interrupt is pending. */
export function throwIfInterrupted(): void {
  if (state().requested) {
    state().requested = false;
    throw new InterruptedError();
  }
}

let installed = false;

/** For scripts: the first Ctrl-C requests a stop at the next batch boundary, a second one exits. Idempotent. */
export function installSigintHandler(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', () => {
    if (state().requested) process.exit(130);
    requestInterrupt();
    process.stderr.write('\nInterrupt requested: stopping after the current batch (Ctrl-C again to exit now).\n');
  });
}
