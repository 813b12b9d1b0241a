/**
 * Ends a kernel process when the process that started it is gone, as IPython kernels do (ipykernel's ParentPoller
 * checks the parent pid, and jupyter_client names the launching process in `JPY_PARENT_PID`). Without it, a
 * notebook runner killed with SIGKILL left the supervisor and its kernel computing for good: jupyter_client starts
 * kernels in a new session, so no signal reaches them when their parent dies.
 *
 * The parent is gone when this process has been re-parented (its ppid changed: to init or to a subreaper), or when
 * the pid in `JPY_PARENT_PID` no longer exists.
 */

export interface ParentWatchOptions {
  /** The pid whose death ends this process. Default: this process's parent at the time of the call. */
  parentPid?: number;
  /** Also watch this pid (jupyter_client's `JPY_PARENT_PID`, the process that launched the kernel). */
  launcherPid?: number;
  /** How often to look, in ms. Default 1000. */
  intervalMs?: number;
}

/** Whether a process with this pid exists (a process we may not signal still exists). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The launcher named by jupyter_client (`JPY_PARENT_PID`), when it is a plausible pid other than ours. */
export function launcherPidFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const pid = Number(env.JPY_PARENT_PID);
  return Number.isInteger(pid) && pid > 1 && pid !== process.pid ? pid : undefined;
}

/**
 * Calls `onGone` (once) when the parent or the launcher is gone. The timer does not keep the process alive.
 * Returns a function that stops watching.
 */
export function watchParent(onGone: (why: string) => void, options: ParentWatchOptions = {}): () => void {
  const parent = options.parentPid ?? process.ppid;
  const launcher = options.launcherPid;
  let fired = false;
  const timer = setInterval(() => {
    if (fired) return;
    let why: string | undefined;
    if (process.ppid !== parent) why = `its parent process ${parent} is gone`;
    else if (launcher !== undefined && !pidAlive(launcher)) why = `the process that launched it (${launcher}) is gone`;
    if (why === undefined) return;
    fired = true;
    clearInterval(timer);
    onGone(why);
  }, options.intervalMs ?? 1000);
  timer.unref();
  return () => clearInterval(timer);
}
