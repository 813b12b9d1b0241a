/**
 * The lesson kernel's launcher: `node dist/kernel/main.js <connection file>` (see the kernelspec written by
 * install.ts). It loads the native TensorFlow engine once, registers the MIME adapters and the display sink, and
 * serves the Jupyter protocol with tslab's executor and our fixes (server.ts).
 *
 * Porting note: tslab's `startKernel` looks for another tslab under the working directory, builds its own
 * handler and server, and abandons the awaited promise on SIGINT. We build the same parts ourselves from tslab's
 * modules so that we can replace the execute path and the interrupt (interrupt.ts).
 *
 * Notebooks import the library by its package name, `import { ... } from 'lessonkit'` (node_modules/lessonkit
 * links the repository root; types come from dist/src/index.d.ts). Relative imports of library sources
 * (`../src/...`) do not work: tslab compiles imported .ts files itself and refuses files outside the notebook's
 * folder ("not under rootDir"), and recompiling the library inside every kernel would be slow anyway.
 */
// First: gives tslab's cell compiler source maps before tslab loads it (ts-hooks.ts).
import './ts-hooks';
import fs from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import { JupyterHandlerImpl } from 'tslab/dist/jupyter';
import { registerDefaultAdapters, setDisplaySink } from '../src/display';
import { describeEngine, ensureEngine } from '../src/engine';
import { CellRunner } from './cell-runner';
import { abortCellRun } from './cell-scope';
import { SessionRecorder, describeCrash, takeCrashRecord } from './crash-record';
import { createDisplaySink } from './display-sink';
import { installKernelInterrupt } from './interrupt';
import { TensorLeakWatch } from './leak-watch';
import { launcherPidFromEnv, watchParent } from './parent-watch';
import { LessonServer } from './server';

function kitVersion(): string {
  const pkg = path.join(__dirname, '..', '..', 'package.json');
  return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/**
 * End when the process above this kernel is gone: under the supervisor, the supervisor (a SIGKILL to it alone would
 * otherwise leave this kernel running); started directly (`node dist/kernel/main.js`), the parent and jupyter_client's
 * `JPY_PARENT_PID`, as IPython kernels do (parent-watch.ts).
 */
function watchSupervisor(): void {
  const supervisor = Number(process.env.LESSONKIT_KERNEL_SUPERVISED);
  const exit = (why: string) => {
    process.stderr.write(`lessonkit kernel: exiting, ${why}\n`);
    process.exit(0);
  };
  if (supervisor) watchParent(exit, { parentPid: supervisor });
  else watchParent(exit, { launcherPid: launcherPidFromEnv() });
}

function main(argv: string[]): void {
  const connectionFile = argv[2];
  if (!connectionFile || !fs.existsSync(connectionFile)) {
    process.stderr.write(
      `usage: node ${path.relative(process.cwd(), argv[1])} <connection file>; received ${JSON.stringify(connectionFile)}\n`,
    );
    process.exit(2);
  }
  // A kernel before this one that native code killed (see supervisor.ts): say why, here and in the first cell.
  const crash = takeCrashRecord(connectionFile);
  const crashNotice = crash ? describeCrash(crash) : undefined;
  if (crashNotice) process.stderr.write(`lessonkit kernel: ${crashNotice}\n`);
  const session = new SessionRecorder(connectionFile);
  watchSupervisor();
  let leakWatch: TensorLeakWatch | undefined;
  try {
    // Written to the kernel's own stderr (the Jupyter server log), before any cell redirects it.
    const engine = describeEngine(ensureEngine());
    session.setEngine(engine);
    process.stderr.write(`lessonkit kernel: ${engine}\n`);
    leakWatch = new TensorLeakWatch();
  } catch (err) {
    // Cells that do not compute still work; library calls that compute throw the same clear error.
    session.setEngine(`no native TensorFlow engine: ${(err as Error).message.split('\n')[0]}`);
    process.stderr.write(`lessonkit kernel: no native TensorFlow engine: ${(err as Error).message}\n`);
  }
  // Porting note: Node keeps 10 frames per stack; a TensorFlow.js op alone takes 7 to 10, so the learner's own
  // frames (the ones a traceback is for) were cut off. IPython shows whole stacks; we keep 100 frames.
  Error.stackTraceLimit = Math.max(Error.stackTraceLimit, 100);
  registerDefaultAdapters();
  setDisplaySink(createDisplaySink());

  const runner = new CellRunner(process.cwd());
  const handler = new JupyterHandlerImpl(runner.executor, false);
  const server = new LessonServer(
    { handler, runner, leakWatch, version: kitVersion(), session, crashNotice },
    connectionFile,
  );
  installKernelInterrupt({
    cellRunning: () => server.cellRunning(),
    cellEnded: () => server.cellEnded(),
    abortCellScope: () => abortCellRun(),
    abandonRunningCell: () => runner.abandonRunningCell(),
  });
  // As tslab does: a learner's stray rejection must not kill the kernel (Node's default is to exit).
  // The report goes to the running cell's stderr; should that write fail (the output socket is gone), to the kernel's
  // own stderr, since an exception thrown here ends the process (exit code 7).
  const report = (text: string) => {
    try {
      process.stderr.write(text);
    } catch {
      fs.writeSync(2, text);
    }
  };
  process.on('uncaughtException', (err) => report(`Uncaught exception: ${format(err)}\n`));
  process.on('unhandledRejection', (reason) => report(`Unhandled promise rejection: ${format(reason)}\n`));
  void server.init();
}

main(process.argv);
