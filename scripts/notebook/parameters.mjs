// @ts-check
// Papermill-style parameters for TypeScript notebooks.
//
// Convention (documented in notebooks/README.md):
// - A lesson notebook has one code cell tagged `parameters` near its top. It declares each parameter as a
//   top-level `const NAME = <literal>;` with its default value, e.g. `const PROFILE: string = 'ci';`.
// - Before executing, the tooling inserts a code cell tagged `injected-parameters` right after it that declares the
//   same names again with the run's values: `const PROFILE = 'full';`. The kernel lets a later cell redeclare a
//   top-level name, so the injected values win, and the executed notebook records what it was run with.
// - The injected cell also prints one line, `lessonkit run: profile <name>; <engine description>`, which the
//   handout header shows and the regression tests compare.
// - A notebook without a `parameters` cell gets the injected cell at the top (as papermill does), with a warning.
// - Re-injecting replaces an earlier `injected-parameters` cell instead of adding a second one.
import { cellTags } from './notebook-file.mjs';

/** @typedef {import('./notebook-file.mjs').Notebook} Notebook */

export const PARAMETERS_TAG = 'parameters';
export const INJECTED_TAG = 'injected-parameters';
/** Cells a handout leaves out (kit plumbing: the injected parameters, tensor clean-up); the `lessonkit` template honours it. */
export const HIDE_HANDOUT_TAG = 'hide-handout';
/** The prefix of the run-information line the injected cell prints. */
export const RUN_INFO_PREFIX = 'lessonkit run: ';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A TypeScript literal for a JSON-able value (strings in single quotes, as the lessons write them).
 * @param {unknown} value
 * @returns {string}
 */
export function typescriptLiteral(value) {
  if (typeof value === 'string') {
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new Error(`Parameter value ${value}: expected a finite number`);
  }
  return JSON.stringify(value);
}

/**
 * The source of the injected cell for `parameters` (name -> value; must include PROFILE for the run line).
 * @param {Record<string, unknown>} parameters
 * @returns {string}
 */
export function injectedSource(parameters) {
  const lines = ['// Injected by scripts/lessons.mjs for this run; it overrides the defaults in the parameters cell.'];
  for (const [name, value] of Object.entries(parameters)) {
    if (!IDENTIFIER.test(name))
      throw new Error(`Parameter name ${JSON.stringify(name)}: expected a TypeScript identifier`);
    lines.push(`const ${name} = ${typescriptLiteral(value)};`);
  }
  if ('PROFILE' in parameters) {
    lines.push(
      "import { ensureEngine as injectedEnsureEngine, describeEngine as injectedDescribeEngine } from 'lessonkit';",
      `console.log(\`${RUN_INFO_PREFIX}profile \${PROFILE}; \${injectedDescribeEngine(injectedEnsureEngine())}\`);`,
    );
  }
  return lines.join('\n');
}

/**
 * A copy of `nb` with an `injected-parameters` cell after the `parameters` cell.
 * Returns `{ notebook, warning }`; `warning` is set when the notebook had no `parameters` cell.
 * @param {Notebook} nb
 * @param {Record<string, unknown>} parameters
 * @returns {{ notebook: Notebook, warning: string | undefined }}
 */
export function injectParameters(nb, parameters) {
  const cells = nb.cells.filter((c) => !cellTags(c).includes(INJECTED_TAG));
  const at = cells.findIndex((c) => c.cell_type === 'code' && cellTags(c).includes(PARAMETERS_TAG));
  /** @type {import('./notebook-file.mjs').Cell} */
  const injected = {
    cell_type: 'code',
    execution_count: null,
    id: 'injected-parameters',
    metadata: { tags: [INJECTED_TAG, HIDE_HANDOUT_TAG] },
    outputs: [],
    source: injectedSource(parameters),
  };
  if (!(nb.nbformat > 4 || (nb.nbformat === 4 && (nb.nbformat_minor ?? 0) >= 5))) delete injected.id;
  cells.splice(at + 1, 0, injected);
  const warning = at < 0 ? 'no cell tagged "parameters"; the injected parameters go first' : undefined;
  return { notebook: { ...nb, cells }, warning };
}

/**
 * Parses the run line the injected cell printed: `{ profile, engine }`, or undefined when absent.
 * @param {Notebook} nb
 * @returns {{ profile: string, engine: string } | undefined}
 */
export function runInfoOf(nb) {
  for (const cell of nb.cells) {
    if (!cellTags(cell).includes(INJECTED_TAG)) continue;
    for (const out of cell.outputs ?? []) {
      const text = out.output_type === 'stream' ? [out.text ?? []].flat().join('') : '';
      const line = text.split('\n').find((l) => l.startsWith(RUN_INFO_PREFIX));
      const m = line && /^lessonkit run: profile (\S+); (.*)$/.exec(line);
      if (m) return { profile: m[1], engine: m[2] };
    }
  }
  return undefined;
}
