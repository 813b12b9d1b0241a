/**
 * Typed access, from the compiled (CommonJS) tests, to the notebook tooling in scripts/notebook/*.mjs (plain ESM,
 * so that `npm run lessons` needs no build step). A real dynamic `import()` is used: TypeScript would turn a plain
 * `import()` into `require()`, which cannot load ES modules on Node 20.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The repository root, seen from dist/test/notebooks. */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const ARTIFACTS_DIR = path.join(ROOT, 'test-artifacts');

const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

async function tool<T>(relative: string): Promise<T> {
  return (await importEsm(pathToFileURL(path.join(ROOT, 'scripts', 'notebook', relative)).href)) as T;
}

export interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  execution_count?: number | null;
}
export interface Cell {
  cell_type: 'code' | 'markdown' | 'raw';
  id?: string;
  source: string | string[];
  metadata: { tags?: string[] } & Record<string, unknown>;
  outputs?: Output[];
  execution_count?: number | null;
}
export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}
export interface Problem {
  where: string;
  lines: string[];
}
export interface Policy {
  default: Record<string, unknown>;
  notebooks: Record<string, unknown>;
}

export interface NotebookTools {
  listNotebooks(names?: string[]): string[];
  notebookName(file: string): string;
  readNotebook(file: string): Notebook;
  cellSource(cell: Cell): string;
}
export interface ExecuteTools {
  requireKernel(name?: string): { display_name: string; argv: string[] };
}
export interface PipelineTools {
  runNotebook(file: string, options: { profile: string; buildDir?: string }): Promise<{ name: string; executed: Notebook; output: string; seconds: number }>;
}
/** What an exported document is made of (scripts/notebook/handout-html.mjs `measureHandout`). */
export interface HandoutMeasure {
  bytes: number;
  plotly: number;
  mathjax: number;
  images: number;
  rest: number;
  charts: number;
  plotlyLibraries: number;
  mathjaxLibraries: number;
  external: string[];
}
export interface HandoutTools {
  HANDOUT_MAX_BYTES: number;
  NOTEBOOK_MAX_BYTES: number;
  exportHandout(nb: Notebook, options: { output: string; name: string; source?: string; executedAt?: string; cwd?: string }): Promise<{ output: string } & HandoutMeasure>;
}
export interface HandoutHtmlTools {
  finishHandout(
    html: string,
    info: { title: string; profile: string; engine: string; executedAt?: string; source?: string },
  ): { html: string } & HandoutMeasure;
  measureHandout(html: string): HandoutMeasure;
  formatHandoutSize(m: HandoutMeasure): string;
}
export interface ParameterTools {
  injectParameters(nb: Notebook, parameters: Record<string, unknown>): { notebook: Notebook; warning?: string };
  runInfoOf(nb: Notebook): { profile: string; engine: string } | undefined;
}
export interface ReferenceTools {
  writeReference(name: string, executed: Notebook, dir?: string): string;
  checkAgainstReference(name: string, executed: Notebook, options?: { dir?: string; policy?: Policy }): Problem[];
}
export interface CompareTools {
  formatProblems(problems: Problem[]): string;
  compareText(reference: string, actual: string, rules: Record<string, unknown>): string[][];
}
export interface PolicyTools {
  readPolicy(file?: string): Policy;
}
export interface SanitizeTools {
  sanitizeText(text: string): string;
}

export const tools = {
  notebookFile: () => tool<NotebookTools>('notebook-file.mjs'),
  execute: () => tool<ExecuteTools>('execute.mjs'),
  pipeline: () => tool<PipelineTools>('pipeline.mjs'),
  handout: () => tool<HandoutTools>('handout.mjs'),
  handoutHtml: () => tool<HandoutHtmlTools>('handout-html.mjs'),
  parameters: () => tool<ParameterTools>('parameters.mjs'),
  references: () => tool<ReferenceTools>('regress/references.mjs'),
  compare: () => tool<CompareTools>('regress/compare.mjs'),
  policy: () => tool<PolicyTools>('regress/policy.mjs'),
  sanitize: () => tool<SanitizeTools>('regress/sanitize.mjs'),
};

/** Joined text of every stream and text/plain output of a cell. */
export function cellText(cell: Cell): string {
  return (cell.outputs ?? [])
    .map((o) => {
      const t = o.output_type === 'stream' ? o.text : (o.data?.['text/plain'] as string | string[] | undefined);
      return Array.isArray(t) ? t.join('') : (t ?? '');
    })
    .join('');
}

/** Every rich output of a notebook (display_data and execute_result), in document order. */
export function richOutputs(nb: Notebook): Output[] {
  return nb.cells.flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === 'display_data' || o.output_type === 'execute_result'));
}
