/**
 * Turns what tslab reports on failure into the content of a Jupyter `error` message: `ename`, `evalue` and a
 * `traceback` whose frames show the learner's code and the library, never tslab or the kernel itself.
 *
 * Porting note: tslab prints exceptions with `console.error(e)` and type errors as `file line:col - message`
 * lines, both as plain stderr text (no error message, and every trace ends in `tslab/dist/executor.js` frames).
 * We build ename/evalue/traceback instead. Cell frames (`evalmachine.<anonymous>:L:C`) refer to the transpiled
 * JavaScript, not to the TypeScript the learner wrote, so they are shown as `<cell>` without misleading numbers.
 */
import { inspect } from 'node:util';

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** One TypeScript diagnostic as tslab reports it (1-based line and column; file empty for the cell itself). */
export interface CellDiagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** The name TypeScript compile errors get as `ename` (ts-node uses the same). */
export const COMPILE_ERROR_NAME = 'TSError';

const RED = '\u001b[0;31m';
const RESET = '\u001b[0m';

/** Frames that belong to the kernel's machinery rather than to the learner's code or the library. */
const INTERNAL_FRAME_PATTERNS: readonly RegExp[] = [
  /[\\/]node_modules[\\/]tslab[\\/]/,
  /[\\/]dist[\\/]kernel[\\/]/,
  /\((node:)?internal[\\/]/,
  /\bnode:(vm|internal)/,
  /\bat (Script\.)?runInThisContext\b/,
];

const CELL_LOCATION = /evalmachine\.<anonymous>:\d+(:\d+)?/g;

/** Stack frame lines of `stack` with kernel internals removed and cell locations named `<cell>`. */
export function cleanFrames(stack: string): string[] {
  return stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .filter((line) => !INTERNAL_FRAME_PATTERNS.some((p) => p.test(line)))
    .map((line) => line.replace(CELL_LOCATION, '<cell>'))
    // tslab wraps each cell in a function it calls at once, so the cell shows up twice in a row.
    .filter((line, i, lines) => i === 0 || line !== lines[i - 1]);
}

function isErrorLike(value: unknown): value is Error {
  return value instanceof Error || (typeof value === 'object' && value !== null && 'message' in value && 'name' in value);
}

/** Error content for a value thrown by a cell (an Error or anything else). */
export function errorFromException(thrown: unknown): ErrorContent {
  if (!isErrorLike(thrown)) {
    const evalue = inspect(thrown, { depth: 2 });
    return { ename: 'Uncaught', evalue, traceback: [`${RED}Uncaught${RESET}: ${evalue}`] };
  }
  const ename = String(thrown.name || thrown.constructor?.name || 'Error');
  const evalue = String(thrown.message);
  const frames = typeof thrown.stack === 'string' ? cleanFrames(thrown.stack) : [];
  return { ename, evalue, traceback: [`${RED}${ename}${RESET}: ${evalue}`, ...frames] };
}

function diagnosticText(d: CellDiagnostic): string {
  return `${d.file || '<cell>'}:${d.line}:${d.column} - ${d.message}`;
}

/** Error content for TypeScript diagnostics that stopped a cell from compiling. */
export function errorFromDiagnostics(diagnostics: readonly CellDiagnostic[]): ErrorContent {
  const first = diagnostics[0];
  const evalue = first ? diagnosticText(first) : 'the cell did not compile';
  const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : '';
  return {
    ename: COMPILE_ERROR_NAME,
    evalue: evalue + more,
    traceback: [
      `${RED}${COMPILE_ERROR_NAME}${RESET}: TypeScript found ${diagnostics.length} error(s) in this cell`,
      ...diagnostics.map((d) => `  ${diagnosticText(d)}`),
    ],
  };
}
