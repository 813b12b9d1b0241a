/**
 * The kernelspec's entry point: `node dist/kernel/supervisor.js <connection file>` runs the lesson kernel
 * (main.js) as its child and waits. When the kernel ends by a signal from native code (SIGFPE, SIGSEGV, ...), no
 * code in it can report that; the supervisor sees the signal, keeps a crash record (crash-record.ts) and writes one
 * line to the Jupyter server's log, then ends the same way, so Jupyter sees a dead kernel and restarts it. The new
 * kernel shows the record in its first cell.
 *
 * Signals: Jupyter signals the kernel's whole process group (interrupts with SIGINT, stops with SIGTERM or SIGKILL),
 * and the child is in that group, so the supervisor ignores SIGINT (the kernel handles it) and forwards SIGTERM.
 * The kernel polls its parent and exits if the supervisor is gone (main.ts), so no kernel outlives it.
 *
 * Parent death: jupyter_client starts the supervisor in a new session, so when the process that launched it (a
 * notebook runner, a Jupyter server) dies, even by SIGKILL, no signal arrives. The supervisor watches its parent and
 * `JPY_PARENT_PID` (parent-watch.ts), as IPython kernels do; when either is gone it stops the kernel (SIGTERM, then
 * SIGKILL after a grace period, which also ends a kernel stuck in a long synchronous cell) and exits.
 */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeCrash, recordKernelExit } from './crash-record';
import { launcherPidFromEnv, watchParent } from './parent-watch';

/** How long a kernel gets to end after SIGTERM when the supervisor's parent is gone. */
const ORPHAN_GRACE_MS = 2000;

function main(argv: string[]): void {
  const connectionFile = argv[2];
  const child = spawn(process.execPath, [...process.execArgv, path.join(__dirname, 'main.js'), ...argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, LESSONKIT_KERNEL_SUPERVISED: String(process.pid) },
  });
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  let orphaned = false;
  watchParent(
    (why) => {
      orphaned = true;
      process.stderr.write(`lessonkit kernel: stopping, ${why}\n`);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), ORPHAN_GRACE_MS).unref();
    },
    { launcherPid: launcherPidFromEnv() },
  );
  child.on('exit', (code, signal) => {
    if (orphaned) process.exit(0);
    const rec = connectionFile ? recordKernelExit(connectionFile, signal, code) : undefined;
    if (rec) process.stderr.write(`lessonkit kernel died: ${describeCrash(rec).split('\n').join(' | ')}\n`);
    // A shell's convention for death by a signal (128 + its number); no core file from the supervisor itself.
    process.exit(signal ? 128 + (os.constants.signals[signal] ?? 0) : (code ?? 1));
  });
}

main(process.argv);
