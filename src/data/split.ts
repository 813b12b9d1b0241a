/**
 * Stratified, seeded train/validation split (like scikit-learn's `train_test_split(..., stratify=labels)`).
 *
 * Porting note: the original lesson split index range 0..59999 and then took `Subset(train_dataset, val_idx)` from
 * the already-split 48,000-sample training subset, so its "validation" samples were training samples. Here both
 * parts are index lists into the same parent, disjoint by construction, and `ImageDataset.split` returns both.
 */
import { OptionError } from '../errors';
import { createRng, shuffleInPlace } from './random';

export interface StratifiedSplitOptions {
  /** Share of each class that goes to validation, in (0, 1). Default 0.2 (the lesson's 80/20). */
  validationFraction?: number;
  /** Seed of the shuffle inside each class. Default 42. */
  seed?: number;
}

export interface SplitIndices {
  /** Positions (in the labelled set) of the training part, ascending. */
  train: Int32Array;
  /** Positions of the validation part, ascending; disjoint from `train`. */
  validation: Int32Array;
}

/**
 * Splits positions 0..labels.length-1 so that every class keeps its share in both parts. The validation part has
 * exactly round(n * fraction) samples; per-class counts are apportioned by largest remainder.
 */
export function stratifiedSplit(labels: ArrayLike<number>, options: StratifiedSplitOptions = {}): SplitIndices {
  const fraction = options.validationFraction ?? 0.2;
  const seed = options.seed ?? 42;
  if (!(fraction > 0 && fraction < 1)) {
    throw new OptionError(
      `stratifiedSplit: validationFraction must be in (0, 1), got ${fraction}.`,
      'validationFraction',
    );
  }
  const total = Math.round(labels.length * fraction);
  if (total < 1 || total > labels.length - 1) {
    const part = total < 1 ? 'validation' : 'training';
    throw new OptionError(
      `stratifiedSplit: validationFraction ${fraction} of ${labels.length} samples gives ${total < 1 ? 0 : total} validation and ` +
        `${labels.length - total} training samples; expected at least 1 in each part (the ${part} part is empty). ` +
        (labels.length < 2
          ? 'Two samples at least are needed to split.'
          : `Use a fraction in [${(0.5 / labels.length).toPrecision(2)}, ${(1 - 0.5 / labels.length).toPrecision(3)}] for ${labels.length} samples.`),
      'validationFraction',
    );
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]);
    if (list) list.push(i);
    else byClass.set(labels[i], [i]);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const exact = classes.map((c) => byClass.get(c)!.length * fraction);
  const counts = exact.map(Math.floor);
  let missing = total - counts.reduce((a, b) => a + b, 0);
  const byRemainder = classes.map((_, k) => k).sort((a, b) => exact[b] - counts[b] - (exact[a] - counts[a]) || a - b);
  for (const k of byRemainder) {
    if (missing <= 0) break;
    counts[k]++;
    missing--;
  }
  const rng = createRng(seed);
  const train: number[] = [];
  const validation: number[] = [];
  classes.forEach((c, k) => {
    const members = shuffleInPlace(byClass.get(c)!.slice(), rng);
    validation.push(...members.slice(0, counts[k]));
    train.push(...members.slice(counts[k]));
  });
  const sorted = (xs: number[]) => Int32Array.from(xs).sort();
  return { train: sorted(train), validation: sorted(validation) };
}
