// @ts-check
// Splits sanitized text into a skeleton (the words) and its numbers, so numbers can be compared within tolerances.

/**
 * A number standing on its own: not part of a word (`f64`, `224x224`, `conv2d`) or of a version (`2.21.0`).
 * A leading minus counts only when it does not follow a word (`ResNet-50` is the word and 50).
 */
const NUMBER = /(?<![\w.])(?:(?<![\w)\]])-)?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?(?!\.?\w)/g;

/**
 * `{ skeleton, numbers }`: the text with each number replaced by `#`, and the numbers as written.
 * @param {string} text
 * @returns {{ skeleton: string, numbers: string[] }}
 */
export function splitNumbers(text) {
  /** @type {string[]} */
  const numbers = [];
  const skeleton = text.replace(NUMBER, (m) => {
    numbers.push(m);
    return '#';
  });
  return { skeleton, numbers };
}

/**
 * The value of a number as written (commas dropped).
 * @param {string} written
 */
export function numberValue(written) {
  return Number(written.replace(/,/g, ''));
}

/** @param {string} written */
export function isWholeNumber(written) {
  return !/[.eE]/.test(written);
}

/**
 * Whether `actual` is within tolerance of `reference` under `rules` ({ rel, abs, integers }).
 * Returns `{ ok, allowed }` where `allowed` is the largest difference accepted.
 * @param {string} actual
 * @param {string} reference
 * @param {{ rel: number, abs: number, integers: string }} rules
 * @returns {{ ok: boolean, allowed: number }}
 */
export function withinTolerance(actual, reference, rules) {
  const a = numberValue(actual);
  const r = numberValue(reference);
  if (rules.integers === 'exact' && isWholeNumber(actual) && isWholeNumber(reference)) {
    return { ok: a === r, allowed: 0 };
  }
  const allowed = rules.abs + rules.rel * Math.abs(r);
  return { ok: Math.abs(a - r) <= allowed + 1e-12, allowed };
}
