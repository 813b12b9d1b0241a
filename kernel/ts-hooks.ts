/**
 * Source maps for tslab's cell compiler. Import this module before anything that loads `tslab/dist/converter`.
 *
 * Porting note: tslab compiles a cell in two steps, neither with source maps: a TypeScript watch program emits
 * ES-module JavaScript (with tslab's own transformers), then `esModuleToCommonJSModule` turns that into CommonJS,
 * which runs. Stack frames therefore point into JavaScript the learner never saw. tslab builds its compiler
 * inside `createConverter` from the TypeScript package `@tslab/typescript-for-tslab` and exposes no option, so we
 * hand tslab's converter a view of that package whose `createWatchCompilerHost` adds `sourceMap: true`, and whose
 * `createWatchProgram` wraps each builder's `emit` to keep the cell's first-step JavaScript and its map (the
 * `sourceMappingURL` comment is removed, so tslab runs exactly the code it ran before). The second step is
 * deterministic: cell-code.ts repeats it with a source map and checks that it gives tslab's output text.
 */
import path from 'node:path';

/** What the first step emitted for the cell file (`outDir/__tslab__.js`). */
export interface CellEmit {
  js: string;
  map: string;
}

/** The TypeScript package tslab compiles with (the same module instance tslab uses). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TypeScriptModule = any;

const CELL_JS = /(^|[\\/])__tslab__\.js$/;
const CELL_MAP = /(^|[\\/])__tslab__\.js\.map$/;
/** The source-map comment TypeScript appends; cell-code.ts strips it the same way when it compares outputs. */
export const SOURCE_MAPPING_URL = /\n?\/\/# sourceMappingURL=\S*\s*$/;

let lastEmit: Partial<CellEmit> = {};
let installed: { ts: TypeScriptModule } | undefined;
let failure: string | undefined;

function tslabTypeScriptPath(): string {
  const tslabDir = path.dirname(require.resolve('tslab/package.json'));
  return require.resolve('@tslab/typescript-for-tslab', { paths: [tslabDir] });
}

/** Wraps a builder's emit so that the cell file's JavaScript and map are kept, and the map comment is dropped. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Emit = (...args: any[]) => unknown;

function wrapEmit(builder: { emit: Emit }): void {
  const emit = builder.emit.bind(builder);
  builder.emit = (
    sourceFile: unknown,
    writeFile: (name: string, data: string, ...rest: unknown[]) => void,
    ...rest: unknown[]
  ) =>
    emit(
      sourceFile,
      (name: string, data: string, ...more: unknown[]) => {
        if (CELL_MAP.test(name)) {
          lastEmit.map = data;
          return;
        }
        if (name.endsWith('.js')) data = data.replace(SOURCE_MAPPING_URL, '\n');
        if (CELL_JS.test(name)) lastEmit.js = data;
        writeFile(name, data, ...more);
      },
      ...rest,
    );
}

/** Installs the hook; idempotent. Returns why source maps are unavailable, or undefined when installed. */
export function installTsHooks(): string | undefined {
  if (installed || failure) return failure;
  try {
    const tsPath = tslabTypeScriptPath();
    const converterPath = require.resolve('tslab/dist/converter');
    if (require.cache[converterPath]) {
      failure = 'tslab/dist/converter was loaded before kernel/tsHooks; cell positions cannot be mapped';
      return failure;
    }
    const ts = require(tsPath) as TypeScriptModule;
    const view = Object.create(ts, {
      // tslab's `__importStar` uses a module marked __esModule as it is.
      __esModule: { value: true },
      createWatchCompilerHost: {
        value: (rootFiles: unknown, options: Record<string, unknown>, ...rest: unknown[]) =>
          ts.createWatchCompilerHost(rootFiles, { ...options, sourceMap: true }, ...rest),
      },
      createWatchProgram: {
        value: (host: { afterProgramCreate?: (b: { emit: Emit }) => void }) => {
          const after = host.afterProgramCreate;
          host.afterProgramCreate = function (this: unknown, builder) {
            wrapEmit(builder);
            after?.call(this, builder);
          };
          return ts.createWatchProgram(host);
        },
      },
    });
    require.cache[tsPath]!.exports = view;
    installed = { ts };
    return undefined;
  } catch (err) {
    failure = `could not hook tslab's TypeScript compiler: ${(err as Error).message}`;
    return failure;
  }
}

/** The TypeScript module tslab uses, once the hook is installed. */
export function tslabTypeScript(): TypeScriptModule | undefined {
  return installed?.ts;
}

/** Forgets the last emit (call before converting a cell). */
export function resetCellEmit(): void {
  lastEmit = {};
}

/** What the first step emitted for the cell since the last reset, if both the code and its map came. */
export function takeCellEmit(): CellEmit | undefined {
  const { js, map } = lastEmit;
  lastEmit = {};
  return js !== undefined && map !== undefined ? { js, map } : undefined;
}

installTsHooks();
