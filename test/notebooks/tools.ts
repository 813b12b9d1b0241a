/**
 * The notebook tooling in scripts/ (plain ESM, so that `npm run lessons` needs no build step) as the tests see it:
 * tsc type-checks the scripts (allowJs) and compiles a copy to dist/scripts/, which these `import()`s load (a real
 * dynamic import under `module: node16`, which Node 20 needs for ES modules from CommonJS). Types come from the
 * scripts themselves.
 */
import * as path from 'node:path';

type NotebookFile = typeof import('../../scripts/notebook/notebook-file.mjs', {
  with: { 'resolution-mode': 'import' },
});
export type Notebook = ReturnType<NotebookFile['readNotebook']>;
export type Cell = Notebook['cells'][number];
export type Output = NonNullable<Cell['outputs']>[number];
export type Policy = ReturnType<
  (typeof import('../../scripts/notebook/regress/policy.mjs', { with: { 'resolution-mode': 'import' } }))['readPolicy']
>;

/** The repository root, seen from dist/test/notebooks. */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const ARTIFACTS_DIR = path.join(ROOT, 'test-artifacts');

export const tools = {
  notebookFile: () => import('../../scripts/notebook/notebook-file.mjs'),
  execute: () => import('../../scripts/notebook/execute.mjs'),
  pipeline: () => import('../../scripts/notebook/pipeline.mjs'),
  handout: () => import('../../scripts/notebook/handout.mjs'),
  handoutHtml: () => import('../../scripts/notebook/handout-html.mjs'),
  parameters: () => import('../../scripts/notebook/parameters.mjs'),
  references: () => import('../../scripts/notebook/regress/references.mjs'),
  compare: () => import('../../scripts/notebook/regress/compare.mjs'),
  policy: () => import('../../scripts/notebook/regress/policy.mjs'),
  sanitize: () => import('../../scripts/notebook/regress/sanitize.mjs'),
  proseNumbers: () => import('../../scripts/notebook/regress/prose-numbers.mjs'),
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
  return nb.cells.flatMap((c) =>
    (c.outputs ?? []).filter((o) => o.output_type === 'display_data' || o.output_type === 'execute_result'),
  );
}
