/**
 * Jupyter's interrupt (SIGINT, the kernelspec's `interrupt_mode: "signal"`).
 *
 * Porting note: tslab's SIGINT handler abandons the cell's awaited promise (`executor.interrupt()`), so the cell
 * reports an error while its loop keeps running in the background. The first interrupt here does two things at
 * once: it requests a cooperative stop (`requestInterrupt()` from src/runtime: training loops check it at batch
 * boundaries and throw `InterruptedError`, ename `KeyboardInterrupt`, with the variables intact), and it aborts
 * the cell's own timers and promises (cell-scope.ts), so that a cell waiting on them ends at once with
 * KeyboardInterrupt at the line where it waited. If the cell has not ended shortly after, the kernel says what it
 * is waiting for: for library code, that it stops at its next check (interrupt again to abandon the cell); if
 * the cell's own waits were cancelled but it still awaits something else, it abandons the cell and says so.
 * A second interrupt while the first is pending abandons the cell (tslab's behaviour) and says what may still
 * run. Synchronous code is stopped by Node's `breakOnSigint`, which tslab's executor already enables.
 */
import { interruptRequested, requestInterrupt } from '../src/runtime';
import type { AbortSummary } from './cell-scope';

export interface InterruptTarget {
  /** Whether a cell is running now. */
  cellRunning(): boolean;
  /** Resolves when the running cell has ended. */
  cellEnded(): Promise<void>;
  /** Cancels the running cell's own timers and pending promises. */
  abortCellScope(): AbortSummary | undefined;
  /** Abandons the running cell's awaited promise. */
  abandonRunningCell(): void;
}

/** How long the first interrupt waits for the cell to end before it says what the cell still waits for. */
export const INTERRUPT_GRACE_MS = 500;

function describe(summary: AbortSummary | undefined): string {
  const t = summary?.timers ?? 0;
  const p = summary?.promises ?? 0;
  return `${t} timer${t === 1 ? '' : 's'} and ${p} promise${p === 1 ? '' : 's'}`;
}

/** Installs the kernel's SIGINT handler. */
export function installKernelInterrupt(target: InterruptTarget): void {
  let first: AbortSummary | undefined;
  process.on('SIGINT', () => {
    if (!target.cellRunning()) return;
    if (!interruptRequested()) {
      requestInterrupt();
      const summary = (first = target.abortCellScope());
      const ending = target.cellEnded();
      setTimeout(() => {
        if (!target.cellRunning() || target.cellEnded() !== ending) return;
        if ((summary?.timers ?? 0) + (summary?.promises ?? 0) > 0) {
          process.stderr.write(
            `KeyboardInterrupt: cancelled this cell's ${describe(summary)}, but the cell still awaits something else ` +
              '(a promise made by a library or by code outside this cell), which may finish in the background. ' +
              'Abandoning the cell.\n',
          );
          target.abandonRunningCell();
          return;
        }
        process.stderr.write(
          'Interrupt received: the cell is waiting for library code, which stops at its next check ' +
            '(fit and evaluate stop after the current batch). Interrupt again to abandon the cell now.\n',
        );
      }, INTERRUPT_GRACE_MS);
      return;
    }
    process.stderr.write(
      `Second interrupt: abandoning the running cell. The kernel cancelled its own ${describe(first)}; ` +
        'whatever it awaited from elsewhere (library calls, other promises) may still finish in the background. ' +
        'Restart the kernel to stop everything.\n',
    );
    target.abandonRunningCell();
  });
}
