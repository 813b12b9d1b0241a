// @ts-check
// Compares an executed notebook's summary with its stored reference, and checks metric floors.
// Every problem names the notebook, the cell (index, id and first line) and the output, with a small diff.
import { metricsFor, rulesFor } from './policy.mjs';
import { numberValue, splitNumbers, withinTolerance } from './numbers.mjs';
import { notebookText } from './summarize.mjs';

const MAX_DIFF_LINES = 12;

/** @typedef {import('./summarize.mjs').OutputSummary} OutputSummary */
/** @typedef {import('./summarize.mjs').CellSummary} CellSummary */
/** @typedef {import('./policy.mjs').Policy} Policy */
/** @typedef {Required<import('./policy.mjs').Rules>} Rules */
/** @typedef {{ where: string, lines: string[] }} Problem */

/** @param {OutputSummary | undefined} o */
function describeOutput(o) {
  if (!o) return 'nothing';
  if (o.type === 'stream') return `${o.name} stream`;
  if (o.type === 'error') return `error ${o.ename}`;
  if (o.type === 'display') {
    if (o.plotly) return `chart (${o.plotly.traces.length} traces)`;
    if (o.image) return `image ${o.image.width}x${o.image.height}`;
    return `display [${(o.mimes ?? []).join(', ')}]`;
  }
  return o.type;
}

/**
 * A short line diff of two texts: lines only in the reference (-) and only in the run (+).
 * @param {string} reference
 * @param {string} actual
 * @returns {string[]}
 */
export function lineDiff(reference, actual) {
  const ref = reference.split('\n');
  const act = actual.split('\n');
  // Longest common subsequence on lines (outputs are small; cap the work for huge ones).
  if (ref.length * act.length > 250_000) {
    const i = ref.findIndex((l, k) => l !== act[k]);
    return [`- ${ref[i] ?? ''}`, `+ ${act[i] ?? ''}`];
  }
  const lcs = Array.from({ length: ref.length + 1 }, () => new Uint32Array(act.length + 1));
  for (let i = ref.length - 1; i >= 0; i -= 1) {
    for (let j = act.length - 1; j >= 0; j -= 1) {
      lcs[i][j] = ref[i] === act[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  /** @type {string[]} */
  const lines = [];
  let i = 0;
  let j = 0;
  while (i < ref.length || j < act.length) {
    if (i < ref.length && j < act.length && ref[i] === act[j]) {
      i += 1;
      j += 1;
    } else if (j < act.length && (i === ref.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
      lines.push(`+ ${act[j]}`);
      j += 1;
    } else {
      lines.push(`- ${ref[i]}`);
      i += 1;
    }
  }
  return lines.length > MAX_DIFF_LINES
    ? [...lines.slice(0, MAX_DIFF_LINES), `  ... ${lines.length - MAX_DIFF_LINES} more`]
    : lines;
}

/**
 * Compares two sanitized texts under `rules`; returns problem messages (each a list of lines).
 * @param {string} reference
 * @param {string} actual
 * @param {Rules} rules
 * @returns {string[][]}
 */
export function compareText(reference, actual, rules) {
  if (rules.text === 'ignore') return [];
  const ref = splitNumbers(reference);
  const act = splitNumbers(actual);
  if (ref.skeleton !== act.skeleton || ref.numbers.length !== act.numbers.length) {
    return [['text differs:', ...lineDiff(reference, actual).map((l) => `    ${l}`)]];
  }
  if (rules.numbers === 'structure') return [];
  /** @type {string[][]} */
  const problems = [];
  const refLines = reference.split('\n');
  const actLines = actual.split('\n');
  ref.numbers.forEach((r, k) => {
    const a = act.numbers[k];
    const { ok, allowed } = withinTolerance(a, r, rules);
    if (ok) return;
    const line = lineOfNumber(act.skeleton, k);
    const how =
      allowed === 0
        ? 'whole numbers must match exactly'
        : `allowed difference ${formatNumber(allowed)} (rel ${rules.rel}, abs ${rules.abs})`;
    problems.push([
      `number ${k + 1} on line ${line + 1}: got ${a}, reference ${r}; ${how}`,
      `    - ${refLines[line] ?? ''}`,
      `    + ${actLines[line] ?? ''}`,
    ]);
  });
  return problems;
}

/**
 * The 0-based line of the `k`-th number (`#`) of a skeleton.
 * @param {string} skeleton
 * @param {number} k
 */
function lineOfNumber(skeleton, k) {
  let seen = -1;
  let line = 0;
  for (const ch of skeleton) {
    if (ch === '\n') line += 1;
    if (ch === '#') {
      seen += 1;
      if (seen === k) return line;
    }
  }
  return line;
}

/** @param {number} x */
function formatNumber(x) {
  return Number(x.toPrecision(3)).toString();
}

/**
 * @param {OutputSummary} ref
 * @param {OutputSummary} act
 * @param {Rules} rules
 * @returns {string[][]}
 */
function compareOutput(ref, act, rules) {
  if (act.type === 'error') return [[`error output: ${act.ename}: ${act.evalue}`]];
  if (ref.type !== act.type || (ref.type === 'stream' && ref.name !== act.name)) {
    return [[`expected ${describeOutput(ref)}, got ${describeOutput(act)}`]];
  }
  /** @type {string[][]} */
  const problems = [];
  if (ref.type === 'display') {
    const refMimes = ref.mimes ?? [];
    const actMimes = act.mimes ?? [];
    if (refMimes.join() !== actMimes.join()) {
      problems.push([`MIME types differ: reference [${refMimes.join(', ')}], got [${actMimes.join(', ')}]`]);
    }
    if (ref.plotly || act.plotly) {
      const r = ref.plotly?.traces ?? [];
      const a = act.plotly?.traces ?? [];
      if (r.join() !== a.join()) {
        problems.push([
          `chart structure differs: reference ${r.length} traces [${r.join(', ')}], got ${a.length} [${a.join(', ')}]`,
        ]);
      }
    }
    if (ref.image || act.image) {
      const r = ref.image ? `${ref.image.mime} ${ref.image.width}x${ref.image.height}` : 'no image';
      const a = act.image ? `${act.image.mime} ${act.image.width}x${act.image.height}` : 'no image';
      if (r !== a) problems.push([`image differs: reference ${r}, got ${a}`]);
    }
  }
  if (ref.text !== undefined || act.text !== undefined) {
    problems.push(...compareText(ref.text ?? '', act.text ?? '', rules));
  }
  return problems;
}

/**
 * @param {string} notebook
 * @param {CellSummary} cell
 */
function cellLabel(notebook, cell) {
  return `${notebook}, cell ${cell.index}${cell.id ? ` (id ${cell.id})` : ''}: ${JSON.stringify(cell.excerpt)}`;
}

/**
 * Pairs reference cells with run cells: by id when every cell on both sides has a unique id, else by index.
 * @param {CellSummary[]} refCells
 * @param {CellSummary[]} actCells
 * @returns {[CellSummary | undefined, CellSummary | undefined][]}
 */
function pairCells(refCells, actCells) {
  const ids = (/** @type {CellSummary[]} */ cells) => cells.map((c) => c.id);
  const usable = (/** @type {CellSummary[]} */ cells) =>
    cells.every((c) => c.id) && new Set(ids(cells)).size === cells.length;
  if (usable(refCells) && usable(actCells)) {
    const byId = new Map(refCells.map((c) => [c.id, c]));
    /** @type {[CellSummary | undefined, CellSummary | undefined][]} */
    const pairs = actCells.map((a) => [byId.get(a.id), a]);
    const seen = new Set(ids(actCells));
    for (const r of refCells) if (!seen.has(r.id)) pairs.push([r, undefined]);
    return pairs;
  }
  const n = Math.max(refCells.length, actCells.length);
  return Array.from(
    { length: n },
    (_, i) => /** @type {[CellSummary | undefined, CellSummary | undefined]} */ ([refCells[i], actCells[i]]),
  );
}

/**
 * Compares a run's summary (`summarizeNotebook`) with the reference, and the run's metrics with their floors.
 * `executed` is the executed notebook (for metric patterns). Returns a list of `{ where, lines }` problems.
 * @param {{ name: string, reference: { cells: CellSummary[] }, summary: { cells: CellSummary[] }, executed: import('../notebook-file.mjs').Notebook, policy: Policy }} args
 * @returns {Problem[]}
 */
export function compareNotebook({ name, reference, summary, executed, policy }) {
  /** @type {Problem[]} */
  const problems = [];
  for (let [ref, act] of pairCells(reference.cells, summary.cells)) {
    if (act) {
      const errors = act.outputs.filter((o) => o.type === 'error');
      for (const e of errors)
        problems.push({ where: cellLabel(name, act), lines: [`error output: ${e.ename}: ${e.evalue}`] });
      if (errors.length) continue;
    }
    if (!ref || !act) {
      const cell = /** @type {CellSummary} */ (ref ?? act);
      problems.push({
        where: cellLabel(name, cell),
        lines: [
          ref ? 'this reference cell is missing from the notebook' : 'this cell has no reference',
          'the notebook changed since the references were made; regenerate them (see test/notebooks/README.md)',
        ],
      });
      continue;
    }
    const rules = rulesFor(policy, name, act.id);
    // `progress: optional`: progress bars (a run that pre-trains shows them, one that reuses the cache does not) are
    // left out on both sides before comparing.
    if (rules.progress === 'optional') {
      const notBar = (/** @type {{ type: string, text?: string }} */ o) =>
        !(o.type === 'display' && /\d+%\|/.test(o.text ?? ''));
      ref = { ...ref, outputs: ref.outputs.filter(notBar) };
      act = { ...act, outputs: act.outputs.filter(notBar) };
    }
    const note = ref.source !== act.source ? ['(the cell source changed since the reference was made)'] : [];
    if (ref.outputs.length !== act.outputs.length) {
      problems.push({
        where: cellLabel(name, act),
        lines: [
          `expected ${ref.outputs.length} outputs, got ${act.outputs.length}`,
          `    reference: ${ref.outputs.map(describeOutput).join('; ') || 'none'}`,
          `    this run:  ${act.outputs.map(describeOutput).join('; ') || 'none'}`,
          ...note,
        ],
      });
      continue;
    }
    ref.outputs.forEach((r, k) => {
      for (const lines of compareOutput(r, act.outputs[k], rules)) {
        problems.push({
          where: `${cellLabel(name, act)}, output ${k + 1} (${describeOutput(act.outputs[k])})`,
          lines: [...lines, ...note],
        });
      }
    });
  }
  problems.push(...checkMetrics(name, executed, policy));
  return problems;
}

/**
 * The number that `pattern` finds in `text` (its first group, else the whole match), or a problem line.
 * @param {string} pattern
 * @param {string} text
 * @returns {{ value?: number, problem?: string }}
 */
function findMetric(pattern, text) {
  const m = new RegExp(pattern).exec(text);
  if (!m) return { problem: `not found: no output matches /${pattern}/` };
  const value = numberValue((m[1] ?? m[0]).replace(/%$/, ''));
  if (!Number.isFinite(value)) return { problem: `matched ${JSON.stringify(m[0])}, which holds no number` };
  return { value };
}

/**
 * Checks each declared metric against its floor (and ceiling); a metric that cannot be found is a problem too.
 * A metric with `minus` is a difference between two results of the same run (`pattern`'s value minus `minus`'s),
 * for claims such as "strategy 3 beats training from scratch by a clear margin".
 * @param {string} name
 * @param {import('../notebook-file.mjs').Notebook} executed
 * @param {Policy} policy
 * @returns {Problem[]}
 */
export function checkMetrics(name, executed, policy) {
  const text = notebookText(executed);
  /** @type {Problem[]} */
  const problems = [];
  for (const metric of metricsFor(policy, name)) {
    const where = `${name}, metric ${JSON.stringify(metric.name)}`;
    const a = findMetric(metric.pattern, text);
    const b = metric.minus ? findMetric(metric.minus, text) : { value: 0 };
    const missing = [a.problem, b.problem].filter((p) => p !== undefined);
    if (missing.length || a.value === undefined || b.value === undefined) {
      problems.push({ where, lines: missing });
      continue;
    }
    const value = a.value - b.value;
    if (metric.minus) console.log(`# metric ${metric.name}: ${a.value} - ${b.value} = ${Number(value.toPrecision(6))}`);
    if (metric.floor !== undefined && value < metric.floor)
      problems.push({ where, lines: [`${value} is below its floor ${metric.floor}`] });
    else if (metric.ceiling !== undefined && value > metric.ceiling)
      problems.push({ where, lines: [`${value} is above its ceiling ${metric.ceiling}`] });
  }
  return problems;
}

/**
 * A readable report of the problems.
 * @param {Problem[]} problems
 * @returns {string}
 */
export function formatProblems(problems) {
  return problems.map((p) => `✗ ${p.where}\n${p.lines.map((l) => `  ${l}`).join('\n')}`).join('\n');
}
