// @ts-check
// Numbers in the lessons' prose cannot go stale. Every number and percentage in a markdown cell must be one of:
//
// - a fixed fact in the allow-list (test/notebooks/prose-facts.json), each with its reason: the original lesson's
//   49.25%, 0.9^10 = 0.349, ImageNet's 1.28 million photos ... (per notebook, or shared by all);
// - a value of the profile that its sentence names (`ci` or `full`, or a profile field in backticks such as
//   `headEpochs`): 800 training images, batch 128, 5 epochs ... are read from src/lessons/profiles.ts (through dist/);
// - a label, not a quantity: a list or heading number at the start of a line, a reference such as "section 6.1",
//   "exercise 1", "strategy 2", "lesson 01", or the t-1 / t+1 of a time index.
//
// Code is not prose: fenced code blocks, `inline code` and $maths$ are skipped (they quote code and equations, whose
// numbers are arguments, not claims about a run). A number that depends on the run is printed by a code cell, so
// it is never written in markdown; this check fails on one that is.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { cellSource } from '../notebook-file.mjs';
import { ROOT } from '../../paths.mjs';

export const PROSE_FACTS_FILE = path.join(ROOT, 'test', 'notebooks', 'prose-facts.json');

/**
 * A number as written: digits with optional thousands commas, decimals, exponent (`1e-3`, `1.6 × 10⁻³⁰`),
 * superscript power (`0.9¹⁰`) and percent sign; or a date (`2024-01-03`), an image range (`0000-0099`) or a size
 * (`32x32`), each one token. Not part of a word (`layer4`, `ResNet-50` is the word and 50, `f32`).
 */
const TOKEN =
  /(?<![\w.])(?:\d{4}-\d{2}-\d{2}|\d{4}-\d{4}|\d+x\d+|(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?(?:\s?×\s?10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]*%?)(?![\w]|\.\d)/g;

/** An allow-list key that is one number as written (else it is a phrase around a number). */
const TOKEN_ONLY = new RegExp(`^${TOKEN.source}$`);

/** Words after which a number is a label (a reference to a part of the lesson), not a quantity. */
const LABEL_BEFORE =
  /\b(?:sections?|exercises?|strateg(?:y|ies)|lessons?|phases?|rows?)\s+(?:\d+(?:\.\d+)*(?:,\s*|\s+(?:and|or|to)\s+))*$/i;

/**
 * Removes what is not prose (fenced code, inline code, maths, HTML comments), keeping line breaks.
 * @param {string} markdown
 */
export function proseOf(markdown) {
  const blank = (/** @type {string} */ s) => s.replace(/[^\n]/g, ' ');
  return markdown
    .replace(/```[\s\S]*?```/g, blank)
    .replace(/<!--[\s\S]*?-->/g, blank)
    .replace(/\$\$[\s\S]*?\$\$/g, blank)
    .replace(/\$[^$\n]+\$/g, blank)
    .replace(/`[^`]*`/g, (s) => (/^`[A-Za-z]\w*`$/.test(s) ? s : blank(s))) // `headEpochs` names a field: keep it
    .replace(/^\s*\d+\.(?=\s)/gm, blank) // a numbered list: "1. the concepts"
    .replace(/^#+\s+\d+(?:\.\d+)*\.?(?=\s)/gm, blank) // a numbered heading: "## 6.", "### 6.1"
    .replace(/\bt\s?[-+]\s?\d\b/g, blank) // x(t-1), h(t+1)
    .replace(/\b[A-Za-z][\w&]*-\d+\b/g, blank); // names with a number: ResNet-50, CIFAR-10, ImageNet-1k
}

/**
 * The value of a number as written, or undefined for a token that is not one value (a date, a range, a size).
 * @param {string} written
 */
export function valueOf(written) {
  const square = /^(\d+)x(\d+)$/.exec(written); // an image size names one side when it is square: 32x32 is 32
  if (square) return square[1] === square[2] ? Number(square[1]) : undefined;
  if (/^\d{4}-\d{2}-\d{2}$|^\d{4}-\d{4}$/.test(written)) return undefined;
  const sup = '⁰¹²³⁴⁵⁶⁷⁸⁹';
  const digits = (/** @type {string} */ s) => [...s].map((c) => (c === '⁻' ? '-' : String(sup.indexOf(c)))).join('');
  const m = /^([\d,.eE+-]+)(?:\s?×\s?10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+))?([⁰¹²³⁴⁵⁶⁷⁸⁹]*)(%?)$/.exec(written);
  if (!m) return undefined;
  let v = Number(m[1].replace(/,/g, ''));
  if (m[2]) v *= 10 ** Number(digits(m[2]));
  if (m[3]) v **= Number(digits(m[3]));
  return m[4] ? v / 100 : v;
}

/**
 * Every number in a markdown text that is not a label: `{ written, sentence, line, near }` (`near`: the text around
 * it, for allow-list phrases such as "S&P 500").
 * @param {string} markdown
 * @param {Set<string>} [sections]  the notebook's own dotted section numbers ("6.1"): a reference to one is a label
 * @returns {{ written: string, sentence: string, line: number, near: string }[]}
 */
export function proseNumbers(markdown, sections = new Set()) {
  const prose = proseOf(markdown);
  /** @type {{ written: string, sentence: string, line: number, near: string }[]} */
  const found = [];
  for (const m of prose.matchAll(TOKEN)) {
    const at = m.index ?? 0;
    const before = prose.slice(Math.max(0, at - 60), at);
    if (LABEL_BEFORE.test(before) && !m[0].endsWith('%')) continue;
    if (sections.has(m[0])) continue;
    // The sentence around it (prose, so the profile and field names in it count): from the last full stop.
    const start = Math.max(
      markdown.lastIndexOf('. ', at),
      markdown.lastIndexOf('\n\n', at),
      markdown.lastIndexOf('\n- ', at),
    );
    const ends = ['. ', '.\n', '\n\n', '\n- '].map((e) => markdown.indexOf(e, at + m[0].length)).filter((i) => i >= 0);
    const end = ends.length ? Math.min(...ends) : markdown.length;
    const sentence = markdown
      .slice(start < 0 ? 0 : start + 1, end + 1)
      .replace(/\s+/g, ' ')
      .trim();
    const near = markdown.slice(Math.max(0, at - 40), at + m[0].length + 40).replace(/\s+/g, ' ');
    found.push({ written: m[0], sentence, line: markdown.slice(0, at).split('\n').length, near });
  }
  return found;
}

/**
 * The lesson profiles (src/lessons/profiles.ts, compiled to dist/), for the values a sentence may name.
 * @returns {Record<string, Record<string, unknown>>}
 */
export function readProfiles() {
  const file = path.join(ROOT, 'dist', 'src', 'lessons', 'profiles.js');
  if (!fs.existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing; run \`npm run build\` first`);
  return createRequire(import.meta.url)(file).PROFILES;
}

/**
 * What a profile lets prose say: every number in it (nested plans included), and what follows from them (the 80/20
 * split of the labelled images, ten classes' worth of per-class counts, image ranges as `0100-0999`).
 * @param {Record<string, any>} profile
 * @returns {{ values: Map<string, number>, ranges: Set<string> }}
 */
export function profileFacts(profile) {
  /** @type {Map<string, number>} */
  const values = new Map();
  /** @type {Set<string>} */
  const ranges = new Set();
  const pad = (/** @type {number} */ n) => String(n).padStart(4, '0');
  const walk = (/** @type {any} */ obj, /** @type {string} */ at) => {
    for (const [k, v] of Object.entries(obj)) {
      const key = at ? `${at}.${k}` : k;
      if (typeof v === 'number') values.set(key, v);
      else if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) {
        ranges.add(`${pad(v[0])}-${pad(v[1] - 1)}`);
        values.set(`${key} (images)`, v[1] - v[0]);
        if (k === 'range' && obj.source === 'cifar10') values.set(`${key} (images, 10 classes)`, 10 * (v[1] - v[0]));
      } else if (v && typeof v === 'object') walk(v, key);
    }
  };
  walk(profile, '');
  const { trainSubset, validationFraction, cifarTrainPerClass, cifarTestPerClass } = profile;
  if (trainSubset) {
    values.set('trainSubset (training split)', Math.round(trainSubset * (1 - validationFraction)));
    values.set('trainSubset (validation split)', Math.round(trainSubset * validationFraction));
  }
  for (const [key, perClass] of [
    ['cifarTrainPerClass', cifarTrainPerClass],
    ['cifarTestPerClass', cifarTestPerClass],
  ]) {
    if (!perClass) continue;
    values.set(`${key} x 10 classes`, 10 * perClass);
    ranges.add(`0000-${pad(perClass - 1)}`);
  }
  if (cifarTrainPerClass) {
    values.set(
      'cifarTrainPerClass x 10 (training split)',
      Math.round(10 * cifarTrainPerClass * (1 - validationFraction)),
    );
  }
  return { values, ranges };
}

/**
 * The profiles a sentence names: `ci` / `full` (in backticks, or "... profile"), or a profile field in backticks,
 * which names the field in both.
 * @param {string} sentence
 * @param {Record<string, Record<string, unknown>>} profiles
 */
function namedProfiles(sentence, profiles) {
  const names = Object.keys(profiles).filter((p) =>
    new RegExp(`\`${p}\`|\\b${p}\\b(?= profile)|profile \`?${p}\\b|\\b${p}\\b run`).test(sentence),
  );
  const field = Object.keys(profiles.ci ?? {}).some((k) => sentence.includes(`\`${k}\``));
  return names.length ? names : field ? Object.keys(profiles) : [];
}

/**
 * @typedef {{ shared?: Record<string, string>, notebooks?: Record<string, Record<string, string>> }} ProseFacts
 */

/**
 * Reads the allow-list: `{ shared: { "<number as written>": "<reason>" }, notebooks: { "<name>": { ... } } }`.
 * A key is a number as written (`49.25%`, `0.9¹⁰`), allowed anywhere in the notebook, or a phrase around one
 * (`S&P 500`), which allows the number only inside that phrase.
 * @param {string} [file]
 * @returns {ProseFacts}
 */
export function readProseFacts(file = PROSE_FACTS_FILE) {
  const facts = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const [where, list] of [['shared', facts.shared], ...Object.entries(facts.notebooks ?? {})]) {
    for (const [number, reason] of Object.entries(list ?? {})) {
      if (typeof reason !== 'string' || reason.trim().length < 10)
        throw new Error(
          `${file}: ${where}: "${number}" needs its reason (a sentence), found ${JSON.stringify(reason)}`,
        );
    }
  }
  return facts;
}

/**
 * Problems with the numbers in a notebook's markdown cells (empty: every number is a fact, a profile value it
 * names, or a label). Each problem names the cell, the number and its sentence.
 * @param {string} name  the notebook's name (its allow-list key)
 * @param {import('../notebook-file.mjs').Notebook} nb
 * @param {{ facts?: ProseFacts, profiles?: Record<string, Record<string, any>> }} [options]
 * @returns {{ where: string, lines: string[] }[]}
 */
export function proseNumberProblems(name, nb, { facts = readProseFacts(), profiles = readProfiles() } = {}) {
  const allowed = { ...(facts.shared ?? {}), ...(facts.notebooks?.[name] ?? {}) };
  const byProfile = Object.fromEntries(Object.entries(profiles).map(([p, v]) => [p, profileFacts(v)]));
  // A phrase key ("S&P 500") allows its number only where the phrase stands around it.
  const phrases = Object.keys(allowed).filter((k) => !TOKEN_ONLY.test(k));
  const sections = new Set(
    nb.cells
      .filter((c) => c.cell_type === 'markdown')
      .flatMap((c) => [...cellSource(c).matchAll(/^#+\s+(\d+\.\d+(?:\.\d+)*)\s/gm)].map((m) => m[1])),
  );
  /** @type {{ where: string, lines: string[] }[]} */
  const problems = [];
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== 'markdown') return;
    const source = cellSource(cell);
    for (const n of proseNumbers(source, sections)) {
      if (n.written in allowed) continue;
      if (
        phrases.some(
          (k) =>
            n.near.includes(k.replace(/\s+/g, ' ')) && [...proseOf(k).matchAll(TOKEN)].some((t) => t[0] === n.written),
        )
      )
        continue;
      const value = valueOf(n.written);
      const named = namedProfiles(n.sentence, profiles);
      const matches = named.filter((p) =>
        value === undefined
          ? byProfile[p].ranges.has(n.written)
          : [...byProfile[p].values.values()].some((v) => Math.abs(v - value) <= 1e-9 * Math.max(1, Math.abs(v))),
      );
      if (matches.length) continue;
      problems.push({
        where: `${name}, markdown cell ${index}${cell.id ? ` (id ${cell.id})` : ''}, line ${n.line}`,
        lines: [
          `the number ${n.written} is neither a fixed fact in ${path.relative(ROOT, PROSE_FACTS_FILE)} nor a value of the profile its sentence names` +
            (named.length ? ` (${named.join(', ')})` : ' (it names none)') +
            '; print a number that depends on the run from a code cell, or add a fixed fact with its reason:',
          `    ${n.sentence}`,
        ],
      });
    }
  });
  return problems;
}
