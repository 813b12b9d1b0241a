/**
 * Jupyter's interrupt (SIGINT, the kernelspec's `interrupt_mode: "signal"`).
 *
 * Porting note: tslab's SIGINT handler abandons the cell's awaited promise (`executor.interrupt()`), so the cell
 * reports an error while its loop keeps running in the background. We first request a cooperative stop
 * (`requestInterrupt()` from src/runtime): training loops check it at batch boundaries and throw
 * `InterruptedError` (ename `KeyboardInterrupt`) with the variables intact. Only when a second interrupt arrives
 * while the first is still pending do we fall back to tslab's behaviour. Synchronous code is stopped by Node's
 * `breakOnSigint`, which tslab's executor already enables.
 */
import { interruptRequested, requestInterrupt } from '../src/runtime';

export interface InterruptTarget {
  /** Whether a cell is running now. */
  cellRunning(): boolean;
  /** Abandons the running cell's awaited promise. */
  abandonRunningCell(): void;
}

/** Installs the kernel's SIGINT handler. */
export function installKernelInterrupt(target: InterruptTarget): void {
  process.on('SIGINT', () => {
    if (!target.cellRunning()) return;
    if (!interruptRequested()) {
      requestInterrupt();
      return;
    }
    process.stderr.write('Second interrupt: abandoning the running cell (its code may still finish in the background).\n');
    target.abandonRunningCell();
  });
}
