/**
 * What the kernel adds to each compiled cell, and how a position in the code that ran maps back to the cell.
 *
 * Porting note: tslab runs every cell as `vm.runInThisContext(prefix + output + suffix)` without a file name,
 * so every frame of every cell reads `evalmachine.<anonymous>:L:C`, with L and C in compiled JavaScript. We
 * wrap tslab's converter and change the output it returns: (1) a first line with the kernel's prelude (the cell
 * scope of cell-scope.ts: timers and `Promise` that an interrupt can cancel), opening a block so that the cell's
 * own declarations may still shadow those names; (2) the compiled cell, unchanged, starting on line 2; (3) a
 * `//# sourceURL=lessonkit-cell-<id>` comment, which V8 uses as the script's name in stack frames, so that each
 * frame names its cell. Positions are mapped back through both of tslab's compile steps (ts-hooks.ts).
 */
import type { CompletionInfo, ConvertResult, Converter, Diagnostic } from 'tslab/dist/converter';
import type { CodeMetadata } from 'tslab/dist/metadata';
import { SourceMapLookup, type Position } from './source-map';
import { SOURCE_MAPPING_URL, resetCellEmit, takeCellEmit, tslabTypeScript, type CellEmit } from './ts-hooks';

/** The script name of cell `id` in stack frames. */
export const CELL_URL_PREFIX = 'lessonkit-cell-';

/** One compiled cell, as the traceback needs it. */
export interface CellRecord {
  id: number;
  /** Execution count shown as `In[n]`, when the cell had one. */
  executionCount: number | undefined;
  /** The cell's source as the learner wrote it. */
  source: string;
  /** Lines 2 to `lastCodeLine` of the script that ran hold the cell's compiled code (line 1 is the prelude). */
  lastCodeLine: number;
  /** 1-based line and column in the cell for a 1-based position in the script that ran; undefined if unknown. */
  toCell(line: number, column: number): Position | undefined;
}

const MAX_CELLS = 1000;
const cells = new Map<number, CellRecord>();
let nextId = 1;

/** The cell whose script name is `url` (`lessonkit-cell-<id>`), if it is still known. */
export function findCell(url: string): CellRecord | undefined {
  if (!url.startsWith(CELL_URL_PREFIX)) return undefined;
  return cells.get(Number(url.slice(CELL_URL_PREFIX.length)));
}

function register(record: Omit<CellRecord, 'id'>): CellRecord {
  const full = { ...record, id: nextId++ };
  cells.set(full.id, full);
  if (cells.size > MAX_CELLS) cells.delete(cells.keys().next().value as number);
  return full;
}

/**
 * Repeats tslab's second compile step (`esModuleToCommonJSModule`: ES module -> CommonJS) with a source map, and
 * returns the map only if the output is exactly the text tslab ran.
 */
function secondStepMap(intermediate: string, output: string): SourceMapLookup | undefined {
  const ts = tslabTypeScript();
  if (!ts) return undefined;
  // tslab picks the target from the Node version (ES2022 from Node 18 on); try that first.
  for (const target of [
    ts.ScriptTarget.ES2022,
    ts.ScriptTarget.ES2021,
    ts.ScriptTarget.ES2020,
    ts.ScriptTarget.ES2019,
  ]) {
    const out = ts.transpileModule(intermediate, {
      fileName: 'custom.js',
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        esModuleInterop: true,
        target,
        newLine: ts.NewLineKind.LineFeed,
        noImplicitUseStrict: true,
        sourceMap: true,
      },
    }) as { outputText: string; sourceMapText?: string };
    if (out.sourceMapText && out.outputText.replace(SOURCE_MAPPING_URL, '\n') === output) {
      return SourceMapLookup.fromJson(out.sourceMapText);
    }
  }
  return undefined;
}

/**
 * The cell's position mapper, built on first use: the second compile and the source-map parsing are only needed
 * when a traceback is formatted, not on every cell's execute path.
 */
function lazyCellMapper(emit: CellEmit | undefined, output: string): CellRecord['toCell'] {
  let mapper: CellRecord['toCell'] | undefined;
  return (line, column) => (mapper ??= cellMapper(emit, output))(line, column);
}

/** Maps positions of the script that ran (prelude on line 1, compiled output from line 2) to the cell. */
function cellMapper(emit: CellEmit | undefined, output: string): CellRecord['toCell'] {
  if (!emit) return () => undefined;
  let first: SourceMapLookup;
  let second: SourceMapLookup | undefined;
  try {
    first = SourceMapLookup.fromJson(emit.map);
    second = secondStepMap(emit.js, output);
  } catch {
    return () => undefined;
  }
  if (!second) return () => undefined;
  const step2 = second;
  return (line, column) => {
    const generated = { line: line - 2, column: column - 1 };
    if (generated.line < 0) return undefined;
    const intermediate = step2.original(generated);
    const original = intermediate && first.original(intermediate);
    // tslab compiles `export {};\n` + the cell, so the cell's first line is line 1 (0-based) of the file.
    if (!original || original.line < 1) return undefined;
    return { line: original.line, column: original.column + 1 };
  };
}

export interface CellCodeOptions {
  /** Code put before the cell on the script's first line (no newline); it may declare `const`s. */
  prelude: string;
}

export class CellCodeConverter implements Converter {
  private readonly inner: Converter;
  private readonly prelude: string;
  /** Execution count of the cell about to be converted (set by the runner). */
  executionCount: number | undefined;

  constructor(inner: Converter, options: CellCodeOptions) {
    if (options.prelude.includes('\n')) throw new Error('CellCodeConverter: the prelude must be one line');
    this.inner = inner;
    this.prelude = options.prelude;
  }

  convert(prevDecl: string, src: string): ConvertResult {
    resetCellEmit();
    const result = this.inner.convert(prevDecl, src);
    const emit = takeCellEmit();
    if (result.diagnostics.length > 0 || !result.output) return result;
    const cell = register({
      executionCount: this.executionCount,
      source: src,
      lastCodeLine: result.output.split('\n').length + 1,
      toCell: lazyCellMapper(emit, result.output),
    });
    return {
      ...result,
      output: `${this.prelude} {\n${result.output}\n}\n//# sourceURL=${CELL_URL_PREFIX}${cell.id}\n`,
    };
  }

  inspect(prevDecl: string, src: string, position: number): ReturnType<Converter['inspect']> {
    return this.inner.inspect(prevDecl, src, position);
  }

  complete(prevDecl: string, src: string, position: number): CompletionInfo {
    return this.inner.complete(prevDecl, src, position);
  }

  addModule(name: string, content: string, meta?: CodeMetadata): Diagnostic[] {
    return this.inner.addModule(name, content, meta);
  }

  close(): void {
    this.inner.close();
  }
}
