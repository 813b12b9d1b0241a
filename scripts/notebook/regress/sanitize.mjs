// @ts-check
// Makes output text comparable across runs and machines: timings, rates, clock times, dates, absolute paths and
// memory addresses are replaced by placeholders; a terminal's carriage returns and colours are resolved; whitespace
// runs (table alignment) are collapsed. Numbers that remain are compared later, within tolerances (compare.mjs).

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
/** Table header words that mark a column of timings (its numbers become <duration>). */
const TIMING_HEADER = /\b(time|times|seconds|secs?|elapsed|duration|took|wall|ms)\b|_s\b|_sec\b|\(s\)|_ms\b|seconds?_/i;

/**
 * What a terminal would show: for each line, the text after its last carriage return.
 * @param {string} text
 * @returns {string}
 */
function resolveCarriageReturns(text) {
  return text
    .split('\n')
    .map((line) => {
      const parts = line.split('\r').filter((p, i, all) => p !== '' || i === all.length - 1);
      return parts.length ? parts[parts.length - 1] : '';
    })
    .join('\n');
}

/**
 * @param {string} line
 * @returns {string[]}
 */
function splitRow(line) {
  const inner = line.trim().replace(/^[│|]/, '').replace(/[│|]$/, '');
  return inner.split(/[┆│|]/);
}

/**
 * A table's rule line (box drawing, or ASCII +---+ / |---|): it keeps the table going.
 * @param {string} line
 */
function isBorder(line) {
  const t = line.trim();
  return t !== '' && /^[\u2500-\u257f+|:=\- ]+$/.test(t);
}

/** @param {string} line */
function isTableRow(line) {
  const t = line.trim();
  return /^[│|]/.test(t) && /[┆│|].*[┆│|]/.test(t.slice(1));
}

/**
 * In box-drawn or pipe tables, numbers under a timing header (time, seconds, elapsed, ...) become <duration>.
 * @param {string} text
 * @returns {string}
 */
export function maskTimingColumns(text) {
  const lines = text.split('\n');
  /** @type {boolean[] | undefined} */
  let header;
  for (let i = 0; i < lines.length; i += 1) {
    if (!isTableRow(lines[i])) {
      if (!isBorder(lines[i])) header = undefined;
      continue;
    }
    const cells = splitRow(lines[i]);
    if (!header) {
      header = cells.map((c) => TIMING_HEADER.test(c.trim()));
      continue;
    }
    if (!header.some(Boolean)) continue;
    const timing = header;
    lines[i] = rebuildRow(
      lines[i],
      cells.map((c, j) => (timing[j] ? c.replace(/(?<![\w.])-?\d+(\.\d+)?(e[+-]?\d+)?(?![\w.])/gi, '<duration>') : c)),
    );
  }
  return lines.join('\n');
}

/**
 * @param {string} original
 * @param {string[]} cells
 * @returns {string}
 */
function rebuildRow(original, cells) {
  const t = original.trim();
  const open = t[0];
  const close = t[t.length - 1];
  const separators = t.slice(1, -1).match(/[┆│|]/g) ?? [];
  let row = open;
  cells.forEach((c, j) => {
    row += c + (j < separators.length ? separators[j] : '');
  });
  return row + close;
}

/**
 * The ordered replacements; each is documented by its name.
 * @type {[name: string, pattern: RegExp, replacement: string][]}
 */
const RULES = [
  // describeEngine() lines: the backend name stays; TF version, device and the reason for the choice vary by machine.
  ['engine details', /\b(\w+ backend) \(TF [^)]*\)[^\n]*/g, '$1 <engine details>'],
  // loadLessonCifar10's description: which copy of the same images was read depends on the machine (full offline
  // copy in CI, the shipped sample in a fresh clone), and so do the sources it passed over.
  [
    'CIFAR-10 source',
    /CIFAR-10 from (?:the full offline JPEG copy|the official binary release|the sample shipped in the repository)[^:]*?(?: \(a JPEG re-encoding[^)]*\))?:([^\n]*?\.)(?: Not used: [^\n]*)?$/gm,
    'CIFAR-10 from <source>:$1',
  ],
  // describePretrained(): whether the stand-in backbone was trained in this run or reused from the weights cache
  // (and when, where, how fast) depends on the machine's cache, not on the lesson; the recipe hash stays.
  [
    'stand-in trained or reused',
    /(?:trained now in [^;()]*\(recipe ([0-9a-f]{12}), cached for the next run\)|reused from the weights cache \(recipe ([0-9a-f]{12}), trained in [^)]*\))/g,
    'trained now or reused from the weights cache (recipe $1$2)',
  ],
  ['iso datetimes', /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/g, '<datetime>'],
  ['epoch-millisecond timestamps', /(?<![\w.])1[5-9]\d{11}(?![\w.])/g, '<timestamp>'],
  ['memory addresses', /\b0x[0-9a-fA-F]{4,}\b/g, '0x<address>'],
  ['file URLs', /file:\/\/\/?[^\s'"`)\]>]+/g, '<path>'],
  ['absolute paths', /(?<![\w.:/<>-])(~|\/)(?:[\w.@+~-]+\/)+[\w.@+~-]*/g, '<path>'],
  [
    'rates',
    /\d+(\.\d+)?\s?(it|its|samples|sample|img|imgs|images|batch|batches|step|steps|ex|examples|tok|tokens)\/s\b/gi,
    '<rate>',
  ],
  ['seconds per item', /\d+(\.\d+)?\s?s\/(it|batch|step|epoch)\b/gi, '<rate>'],
  ['clock durations', /(?<![\w.:])\d{1,2}:\d{2}(:\d{2})?(\.\d+)?(?![\w:])/g, '<duration>'],
  [
    'durations with units',
    /(?<![\w.])\d+(\.\d+)?\s?(ns|µs|us|ms|s|sec|secs|seconds?|mins?|minutes?|h|hrs?|hours?)(?![\w/])/g,
    '<duration>',
  ],
  [
    'labelled durations',
    /\b(time|elapsed|took|eta|seconds|duration|wall)(\s*[:=]?\s*)-?\d+(\.\d+)?/gi,
    '$1$2<duration>',
  ],
];

/**
 * The sanitized form of an output's text.
 * @param {unknown} raw
 * @returns {string}
 */
export function sanitizeText(raw) {
  let text = String(raw).replace(/\r\n/g, '\n').replace(ANSI, '');
  text = resolveCarriageReturns(text);
  text = maskTimingColumns(text);
  for (const [, pattern, replacement] of RULES) text = text.replace(pattern, replacement);
  return text
    .split('\n')
    .map((line) =>
      line
        .replace(/[─━═]{2,}/g, '─')
        .replace(/[ \t]+/g, ' ')
        .trimEnd(),
    )
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
}

/** The placeholder names, for documentation and tests. */
export const SANITIZE_RULES = RULES.map(([name]) => name);
