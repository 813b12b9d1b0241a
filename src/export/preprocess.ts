/**
 * The page's preprocessing as data (written to lessonkit-export.json), and its derivation from a lesson's
 * `Transform` (data/transforms.ts). A Transform carries only its `name`, whose format transforms.ts defines
 * (`compose(grayscaleTo3, resize(32x32), scaleTo01)`); each known step is read back from it, and anything else
 * (a random augmentation, a user's own transform) is refused with the step's name.
 */
import type { Transform } from '../data';
import { OptionError } from '../errors';

export type PreprocessStep =
  | { op: 'grayscaleTo3' }
  | { op: 'resize'; height: number; width: number }
  | { op: 'centerCrop'; height: number; width: number }
  | { op: 'scaleTo01' }
  | { op: 'normalize'; mean: number[]; std: number[] };

/** Splits `a, b(c, d), e` at the commas that are not inside brackets. */
function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = s.slice(start).trim();
  if (last) parts.push(last);
  return parts;
}

const numbers = (list: string) => list.split(',').map((v) => Number(v.trim()));

function parseStep(name: string, whole: string): PreprocessStep[] {
  const compose = /^compose\((.*)\)$/.exec(name);
  if (compose) return splitTop(compose[1]).flatMap((n) => parseStep(n, whole));
  if (name === 'grayscaleTo3') return [{ op: 'grayscaleTo3' }];
  if (name === 'scaleTo01') return [{ op: 'scaleTo01' }];
  const sized = /^(resize|centerCrop)\((\d+)x(\d+)\)$/.exec(name);
  if (sized) return [{ op: sized[1] as 'resize' | 'centerCrop', height: Number(sized[2]), width: Number(sized[3]) }];
  const norm = /^normalize\(mean=\[([^\]]*)\], std=\[([^\]]*)\]\)$/.exec(name);
  if (norm) {
    const mean = numbers(norm[1]);
    const std = numbers(norm[2]);
    if ([...mean, ...std].every(Number.isFinite)) return [{ op: 'normalize', mean, std }];
  }
  throw new OptionError(
    `exportForBrowser: the transform step "${name}" (in "${whole}") cannot run on the page. Known steps: grayscaleTo3, ` +
      `resize(HxW), centerCrop(HxW), scaleTo01, normalize(mean=[...], std=[...]) and compose of them; give ` +
      `options.preprocess as a list of steps instead.`,
    'transform',
  );
}

/** The page's preprocessing steps for a lesson `Transform` (the evaluation one, without random augmentation). */
export function preprocessFromTransform(transform: Transform): PreprocessStep[] {
  return parseStep(transform.name.trim(), transform.name);
}

/** `[height, width, channels]` after the steps, from a raw `[height, width, channels]` picture. */
export function preprocessedShape(raw: [number, number, number], steps: PreprocessStep[]): [number, number, number] {
  let [h, w, c] = raw;
  for (const s of steps) {
    if (s.op === 'grayscaleTo3') c = 3;
    if (s.op === 'resize' || s.op === 'centerCrop') [h, w] = [s.height, s.width];
  }
  return [h, w, c];
}
