/**
 * Runs one cell through tslab's executor and reports the outcome as data: the value of the last expression, or
 * the error. tslab's executor only prints (`console.log(value)`, `console.error(e)`), so we give it a console that
 * records instead.
 *
 * Porting note: tslab sends the last expression to stdout via `console.log`, and exceptions and type errors to
 * stderr via `console.error`. We capture those calls and turn them into an `execute_result` and an `error` message.
 * The executor, the TypeScript converter and the cell transpilation are tslab's own, unchanged.
 * Like tslab, a last expression that is `undefined` or `null` gives no result (as Python's `None` gives none).
 */
import { format } from 'node:util';
// Must come before tslab/dist/converter: it gives tslab's compiler source maps (see ts-hooks.ts).
import './ts-hooks';
import { createConverter, type Converter } from 'tslab/dist/converter';
import { createExecutor, type ConverterSet, type Executor } from 'tslab/dist/executor';
import { CellCodeConverter } from './cell-code';
import { CELL_SCOPE_PRELUDE, installCellScope } from './cell-scope';
import { DeclarationKeepingConverter } from './declarations';
import { errorFromDiagnostics, errorFromException, type CellDiagnostic, type ErrorContent } from './traceback';

/** The format string tslab's `printDiagnostics` passes to `console.error`. */
const TSLAB_DIAGNOSTIC_FORMAT = '%s%d:%d - %s';

export type CellOutcome =
  { status: 'ok'; hasValue: boolean; value: unknown } | { status: 'error'; error: ErrorContent };

interface Capture {
  hasValue: boolean;
  value: unknown;
  errors: unknown[][];
}

function newCapture(): Capture {
  return { hasValue: false, value: undefined, errors: [] };
}

function asDiagnostic(args: unknown[]): CellDiagnostic | undefined {
  if (args[0] !== TSLAB_DIAGNOSTIC_FORMAT || args.length < 5) return undefined;
  return {
    file: String(args[1]).trim(),
    line: Number(args[2]),
    column: Number(args[3]),
    message: String(args[4]),
  };
}

/**
 * Converters as tslab's (unexported) ConverterSetImpl makes them; the Node one keeps failed cells' names and
 * instruments the code (cell-code.ts).
 */
function converterSet(node: Converter): ConverterSet {
  let browser: Converter | undefined;
  return {
    get node() {
      return node;
    },
    get browser() {
      return (browser ??= createConverter({ isJS: false, isBrowser: true }));
    },
    close() {
      node.close();
      browser?.close();
    },
  };
}

export class CellRunner {
  /** tslab's executor (also used for completion and inspection). */
  readonly executor: Executor;
  private capture: Capture = newCapture();
  private readonly converter: DeclarationKeepingConverter;
  private readonly cellCode: CellCodeConverter;

  /** `rootDir`: where the notebook lives; imports resolve from here (tslab uses the kernel's cwd). */
  constructor(rootDir: string) {
    // Created now (several hundred ms), as tslab's startKernel warms its converter.
    this.converter = new DeclarationKeepingConverter(createConverter({ isJS: false, isBrowser: false }));
    this.cellCode = new CellCodeConverter(this.converter, { prelude: CELL_SCOPE_PRELUDE });
    installCellScope();
    const convs = converterSet(this.cellCode);
    this.executor = createExecutor(rootDir, convs, {
      log: (value: unknown) => {
        this.capture.hasValue = true;
        this.capture.value = value;
      },
      error: (...args: unknown[]) => {
        this.capture.errors.push(args);
      },
    });
  }

  /** Runs a cell; `executionCount` names it in tracebacks (`Cell In[n]`). */
  async run(code: string, executionCount?: number): Promise<CellOutcome> {
    const capture = (this.capture = newCapture());
    this.cellCode.executionCount = executionCount;
    let ok: boolean;
    try {
      ok = await this.executor.execute(code);
    } catch (err) {
      return { status: 'error', error: errorFromException(err) };
    } finally {
      this.converter.commitLastCell();
    }
    const diagnostics = capture.errors.map(asDiagnostic).filter((d): d is CellDiagnostic => d !== undefined);
    if (!ok) {
      if (diagnostics.length > 0)
        return { status: 'error', error: errorFromDiagnostics(diagnostics, { source: code, executionCount }) };
      const thrown = capture.errors.length > 0 ? capture.errors[0][0] : new Error('the cell failed');
      return { status: 'error', error: errorFromException(thrown) };
    }
    // A `/** @module name */` cell succeeds even with diagnostics (tslab registers the module anyway): show them.
    for (const args of capture.errors) process.stderr.write(`${format(...args)}\n`);
    return { status: 'ok', hasValue: capture.hasValue, value: capture.value };
  }

  /** Abandons the awaited promise of the running cell (tslab's interrupt). */
  abandonRunningCell(): void {
    this.executor.interrupt();
  }

  close(): void {
    this.executor.close();
  }
}
