/**
 * Small helpers for sentences that cells generate from their numbers (so that prose cannot contradict outputs).
 */

/** "a cat", "an airplane", "an hour", "a unicorn": the indefinite article by the word's first sound (English rules of thumb). */
export function withArticle(noun: string): string {
  const word = noun.trim();
  const w = word.toLowerCase();
  const vowelSound =
    /^(hour|honest|honou?r|heir)/.test(w) ||
    (/^[aeiou]/.test(w) && !/^(uni|use|usu|uti|eu|ewe|one|once)/.test(w)) ||
    /^(8|11|18)(\D|$)/.test(w) ||
    /^8\d/.test(w); // "an 8", "an 11", "an 18", "an 80"
  return `${vowelSound ? 'an' : 'a'} ${word}`;
}

/** An integer with thousands separators: 20490 -> "20,490". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`formatCount: expected a finite number, got ${n}.`);
  return Math.round(n).toLocaleString('en-US');
}
