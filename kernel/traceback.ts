/**
 * Turns what tslab reports on failure into the content of a Jupyter `error` message: `ename`, `evalue` and an
 * IPython-style `traceback` (most recent call last) that shows the learner's cells with line numbers, collapses
 * library frames into one line per package, and never shows tslab, the kernel or Node internals.
 *
 * Porting note: tslab prints exceptions with `console.error(e)` and type errors as `file line:col - message`
 * lines, both as plain stderr text (no error message, and every trace ends in `tslab/dist/executor.js` frames).
 * We build ename/evalue/traceback instead. Cell frames name their cell (`lessonkit-cell-<id>`, see cell-code.ts)
 * and are mapped back to the TypeScript line and column the learner wrote, shown as
 * `Cell In[n], line l` with a `---->` marker and the lines around it, as IPython shows them.
 */
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { CELL_URL_PREFIX, findCell, type CellRecord } from './cell-code';
import type { Position } from './source-map';

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
const GREEN = '\u001b[0;32m';
const RESET = '\u001b[0m';

/** Frames that belong to the kernel's machinery rather than to the learner's code or the library. */
const INTERNAL_FRAME_PATTERNS: readonly RegExp[] = [
  /[\\/]node_modules[\\/]tslab[\\/]/,
  /[\\/]dist[\\/]kernel[\\/]/,
  /^(node:)?internal[\\/]/,
  /^node:/,
];

/** The library's own compiled sources (dist/src, seen from dist/kernel). */
const LIBRARY_ROOT = path.resolve(__dirname, '..', 'src');
const LIBRARY_NAME = 'lessonkit';

/** Lines of context shown before and after the marked line of a cell. */
const CONTEXT = 2;

/** One parsed stack frame. */
export interface Frame {
  fn: string;
  file?: string;
  line?: number;
  column?: number;
}

/** Parses the `    at ...` lines of a V8 stack. */
export function parseFrames(stack: string): Frame[] {
  const frames: Frame[] = [];
  for (const raw of stack.split('\n')) {
    const m = /^\s+at (?:async )?(.*)$/.exec(raw);
    if (!m) continue;
    const body = m[1];
    const withFn = /^(.*?) \((.*)\)$/.exec(body);
    const fn = withFn ? withFn[1] : '';
    const location = withFn ? withFn[2] : body;
    const loc = /^(.*):(\d+):(\d+)$/.exec(location);
    if (loc) frames.push({ fn, file: loc[1], line: Number(loc[2]), column: Number(loc[3]) });
    else
      frames.push({
        fn,
        file:
          location === '<anonymous>' || location === 'native' || /^index \d+$/.test(location) ? undefined : location,
      });
  }
  return frames;
}

type Kind =
  | { kind: 'cell'; cell: CellRecord | undefined }
  | { kind: 'library'; name: string }
  | { kind: 'file'; file: string }
  | { kind: 'drop' };

function packageOf(file: string): string | undefined {
  const parts = file.split(/[\\/]/);
  const i = parts.lastIndexOf('node_modules');
  if (i < 0 || i + 1 >= parts.length) return undefined;
  return parts[i + 1].startsWith('@') && i + 2 < parts.length ? `${parts[i + 1]}/${parts[i + 2]}` : parts[i + 1];
}

function classify(frame: Frame): Kind {
  const file = frame.file;
  if (file === undefined) return { kind: 'drop' };
  if (file.startsWith(CELL_URL_PREFIX)) return { kind: 'cell', cell: findCell(file) };
  if (file === 'evalmachine.<anonymous>') return { kind: 'cell', cell: undefined };
  if (INTERNAL_FRAME_PATTERNS.some((p) => p.test(file))) return { kind: 'drop' };
  const pkg = packageOf(file);
  if (pkg) return { kind: 'library', name: pkg };
  if (path.isAbsolute(file) && (file + path.sep).startsWith(LIBRARY_ROOT + path.sep))
    return { kind: 'library', name: LIBRARY_NAME };
  return { kind: 'file', file };
}

function shortName(fn: string): string {
  return fn.replace(/^(Object|Proxy)\./, '');
}

/**
 * An IPython-style block for one cell frame: header, context lines, `---->` at the line, `^` at the column.
 * Undefined for frames of the kernel's own lines around the cell's code (the call of tslab's cell wrapper).
 */
function cellBlock(frame: Frame, cell: CellRecord | undefined): string | undefined {
  const name = shortName(frame.fn);
  const where = name && name !== '<anonymous>' && name !== 'eval' ? `, in ${name}` : '';
  const count = cell?.executionCount !== undefined ? String(cell.executionCount) : ' ';
  const line = frame.line ?? 0;
  if (!cell || line < 2 || line > cell.lastCodeLine) return undefined;
  const pos = frame.column !== undefined ? cell.toCell(line, frame.column) : undefined;
  if (!pos) return `${GREEN}Cell In[${count}]${RESET}${where} (the position in the cell is unknown)`;
  return sourceBlock(`Cell In[${count}], line ${pos.line}, column ${pos.column}${RESET}${where}`, cell.source, pos);
}

/** A title line, then the lines around `pos` with `---->` at its line and `^` under its column. */
function sourceBlock(title: string, source: string, pos: Position): string {
  const lines = source.split('\n');
  const first = Math.max(1, pos.line - CONTEXT);
  const last = Math.min(lines.length, pos.line + CONTEXT);
  const width = String(last).length;
  const out = [`${GREEN}${title}`];
  for (let n = first; n <= last; n++) {
    const text = lines[n - 1] ?? '';
    const number = String(n).padStart(width);
    if (n === pos.line) {
      out.push(`${GREEN}---->${RESET} ${GREEN}${number}${RESET} ${text}`);
      out.push(`${' '.repeat(6 + width + pos.column)}${RED}^${RESET}`);
    } else {
      out.push(`      ${number} ${text}`);
    }
  }
  return out.join('\n');
}

/**
 * The traceback lines for a stack: cell frames as IPython-style blocks, consecutive library frames collapsed to
 * `… N frames in <package> (outer … inner)`, other files relative to the working directory, most recent call last.
 */
export function formatFrames(stack: string): string[] {
  const frames = parseFrames(stack).reverse();
  const blocks: string[] = [];
  let group: { name: string; fns: string[] } | undefined;
  const flush = () => {
    if (!group) return;
    const n = group.fns.length;
    const fns = group.fns.filter((f) => f && f !== '<anonymous>');
    const names = fns.length === 0 ? '' : fns.length === 1 ? ` (${fns[0]})` : ` (${fns[0]} … ${fns[fns.length - 1]})`;
    blocks.push(`… ${n} frame${n === 1 ? '' : 's'} in ${group.name}${names}`);
    group = undefined;
  };
  for (const frame of frames) {
    const k = classify(frame);
    if (k.kind === 'drop') continue;
    if (k.kind === 'library') {
      if (group && group.name !== k.name) flush();
      group ??= { name: k.name, fns: [] };
      group.fns.push(shortName(frame.fn));
      continue;
    }
    flush();
    const block =
      k.kind === 'cell'
        ? cellBlock(frame, k.cell)
        : `File ${path.relative(process.cwd(), k.file)}:${frame.line}:${frame.column}${frame.fn ? `, in ${shortName(frame.fn)}` : ''}`;
    // tslab wraps each cell in a function it calls at once, so a cell frame can repeat itself.
    if (block !== undefined && blocks[blocks.length - 1] !== block) blocks.push(block);
  }
  flush();
  return blocks;
}

/** Bytes per element of the typed arrays a tensor's values live in. */
const TYPED_ARRAY_BYTES: Record<string, number> = {
  Float32Array: 4,
  Int32Array: 4,
  Uint8Array: 1,
  Float64Array: 8,
  Int16Array: 2,
  Uint16Array: 2,
  Int8Array: 1,
  Uint32Array: 4,
  BigInt64Array: 8,
  Uint8ClampedArray: 1,
};
const DTYPE_OF: Record<string, string> = { Float32Array: 'float32', Int32Array: 'int32', Uint8Array: 'bool or uint8' };

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return `${value.toFixed(value < 10 && i > 0 ? 1 : 0)} ${units[i]}`;
}

/** The largest typed array length this Node accepts (`buffer.constants.MAX_LENGTH`). */
function maxTypedArrayLength(): number {
  return (require('node:buffer') as typeof import('node:buffer')).constants.MAX_LENGTH;
}

/**
 * A message for an allocation that JavaScript refused (`tf.zeros([1e6, 1e5])` gives `RangeError: Invalid typed
 * array length: 100000000000`): the number of elements and bytes asked for, the limits, and what to do.
 */
export function explainAllocationError(err: Error): string | undefined {
  const m =
    /^Invalid typed array length: (\d+)$/.exec(err.message) ?? /^Array buffer allocation failed$/.exec(err.message);
  if (!m || typeof err.stack !== 'string') return undefined;
  const frames = parseFrames(err.stack);
  const arrayFrame = frames.find((f) => /^new \w+Array$/.test(f.fn));
  const arrayType = arrayFrame?.fn.slice(4);
  // The op the caller called: the outermost frame of the innermost run of TensorFlow.js frames.
  const isTf = (f: Frame) => f.file !== undefined && (packageOf(f.file)?.startsWith('@tensorflow/') ?? false);
  let i = frames.findIndex(isTf);
  if (!arrayType || i < 0) return undefined;
  while (i + 1 < frames.length && isTf(frames[i + 1])) i++;
  const op = `tf.${shortName(frames[i].fn).replace(/_*op$/, '').replace(/_+$/, '')}`;
  const elements = m[1] !== undefined ? Number(m[1]) : undefined;
  const perElement = TYPED_ARRAY_BYTES[arrayType] ?? 4;
  const dtype = DTYPE_OF[arrayType] ?? arrayType;
  const memory = os.totalmem();
  if (elements === undefined) {
    return `TensorFlow.js could not allocate memory for a tensor's values (${dtype}, in ${op}): the machine ran out of memory (${formatBytes(memory)} in all). Use a smaller shape or batch size, or dispose tensors you no longer need (tf.tidy, dispose()).`;
  }
  const bytes = elements * perElement;
  const limits = [
    elements > maxTypedArrayLength()
      ? `more than one JavaScript array can hold (${maxTypedArrayLength().toLocaleString('en-US')} elements)`
      : undefined,
    bytes > memory ? `more than this machine's memory (${formatBytes(memory)})` : undefined,
  ].filter((s): s is string => s !== undefined);
  return (
    `Cannot allocate a tensor of ${elements.toLocaleString('en-US')} ${dtype} elements (${formatBytes(bytes)}, ${perElement} bytes each) in ${op}` +
    (limits.length > 0 ? `: that is ${limits.join(' and ')}` : '') +
    '. Check the shape (its dimensions multiply to the element count); use fewer or smaller dimensions, a smaller batch, or process the data in chunks.'
  );
}

function isErrorLike(value: unknown): value is Error {
  return (
    value instanceof Error || (typeof value === 'object' && value !== null && 'message' in value && 'name' in value)
  );
}

function header(ename: string): string[] {
  return [`${RED}${'-'.repeat(75)}${RESET}`, `${RED}${ename.padEnd(42)}${RESET}Traceback (most recent call last)`];
}

/** Error content for a value thrown by a cell (an Error or anything else). */
export function errorFromException(thrown: unknown): ErrorContent {
  if (!isErrorLike(thrown)) {
    const evalue = inspect(thrown, { depth: 2 });
    return { ename: 'Uncaught', evalue, traceback: [`${RED}Uncaught${RESET}: ${evalue}`] };
  }
  const ename = String(thrown.name || thrown.constructor?.name || 'Error');
  const original = String(thrown.message);
  const explained = explainAllocationError(thrown);
  const evalue = explained ?? original;
  const blocks = typeof thrown.stack === 'string' ? formatFrames(thrown.stack) : [];
  const last = `${RED}${ename}${RESET}: ${evalue}${explained ? `\n(JavaScript said: ${original})` : ''}`;
  if (blocks.length === 0) return { ename, evalue, traceback: [last] };
  return {
    ename,
    evalue,
    traceback: [...header(ename), ...blocks.flatMap((b, i) => (i === 0 ? [b] : ['', b])), '', last],
  };
}

function diagnosticText(d: CellDiagnostic): string {
  return `${d.file || '<cell>'}:${d.line}:${d.column} - ${d.message}`;
}

/** The cell a diagnostic refers to: its source and execution count. */
export interface DiagnosedCell {
  source: string;
  executionCount: number | undefined;
}

/**
 * Error content for TypeScript diagnostics that stopped a cell from compiling. With the cell's source, each
 * diagnostic in the cell is shown at its line and column as tracebacks are; others as `file:line:col - message`.
 */
export function errorFromDiagnostics(diagnostics: readonly CellDiagnostic[], cell?: DiagnosedCell): ErrorContent {
  const first = diagnostics[0];
  const evalue = first ? diagnosticText(first) : 'the cell did not compile';
  const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : '';
  const count = cell?.executionCount !== undefined ? String(cell.executionCount) : ' ';
  const shown = diagnostics.map((d) =>
    cell && d.file === '' && d.line >= 1 && d.line <= cell.source.split('\n').length
      ? `${sourceBlock(`Cell In[${count}], line ${d.line}, column ${d.column}${RESET}`, cell.source, d)}\n${d.message}`
      : `  ${diagnosticText(d)}`,
  );
  return {
    ename: COMPILE_ERROR_NAME,
    evalue: evalue + more,
    traceback: [
      `${RED}${COMPILE_ERROR_NAME}${RESET}: TypeScript found ${diagnostics.length} error(s) in this cell`,
      ...(cell ? shown.flatMap((b) => ['', b]) : shown),
    ],
  };
}
