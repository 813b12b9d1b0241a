/**
 * Failed runs are not findings. A classifier that scores within noise of chance (1 / classes), or whose head predicts
 * one class for nearly every image (a collapsed head: an exploded or vanished input scale, a learning rate far too
 * high), did not measure what its experiment asked; comparing its accuracy with another run's would report the
 * failure as an effect. `degenerateRun` names such a run and its cause; the verdicts (`compareAccuracy`) report it as
 * a failed run instead of a comparison.
 */
import type { ConfusionMatrix } from './confusion';

/** What `degenerateRun` reads of a run: its test accuracy, and what it knows of the classes and the predictions. */
export interface RunOutcome {
  /** Test accuracy in [0, 1]. */
  accuracy: number;
  /** Test images it was measured on. */
  n: number;
  /** Number of classes, for the chance level 1 / classes. Default: unknown (the chance check is skipped). */
  classes?: number;
  /** How many test images were predicted as each class (a confusion matrix's column sums). Default: unknown. */
  predictedCounts?: readonly number[];
  /** Class names, for the cause's wording. Default: the class indices. */
  classNames?: readonly string[];
}

export interface DegenerateRun {
  /** `chance`: accuracy within noise of 1 / classes; `collapsed`: one class predicted for nearly every image. */
  kind: 'chance' | 'collapsed';
  /** One clause for a sentence, e.g. "the head collapsed: it predicted cat for 97.0% of the 1000 test images". */
  cause: string;
}

export interface DegenerateOptions {
  /** Standard errors around chance that count as chance level. Default: 2. */
  z?: number;
  /** Share of all predictions in one class from which a head counts as collapsed. Default: 0.9. */
  collapsedShare?: number;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * Why a run is a failure rather than a result, or undefined when it looks like a result. A collapsed head is
 * reported first (it says what went wrong; its accuracy is then about the share of that class); otherwise an
 * accuracy within `z` binomial standard errors of 1 / classes is chance level.
 */
export function degenerateRun(run: RunOutcome, options: DegenerateOptions = {}): DegenerateRun | undefined {
  const z = options.z ?? 2;
  const share = options.collapsedShare ?? 0.9;
  const counts = run.predictedCounts;
  if (counts && counts.length > 1) {
    const total = counts.reduce((s, c) => s + c, 0);
    const top = counts.reduce((best, c, i) => (c > counts[best] ? i : best), 0);
    if (total > 0 && counts[top] / total > share) {
      const name = run.classNames?.[top] ?? `class ${top}`;
      return {
        kind: 'collapsed',
        cause: `the head collapsed: it predicted ${name} for ${pct(counts[top] / total)} of the ${total} test images`,
      };
    }
  }
  const classes = run.classes ?? counts?.length;
  if (classes && classes > 1 && run.n > 0) {
    const chance = 1 / classes;
    const band = z * Math.sqrt((chance * (1 - chance)) / run.n);
    if (Math.abs(run.accuracy - chance) <= band) {
      return {
        kind: 'chance',
        cause:
          `its accuracy ${pct(run.accuracy)} is chance level for ${classes} classes ` +
          `(${pct(chance)} ± ${(100 * band).toFixed(1)} points at n = ${run.n})`,
      };
    }
  }
  return undefined;
}

/** Classes and predicted counts of an evaluation's confusion matrix, to spread into a `MeasuredAccuracy`. */
export function predictionsOf(confusion: ConfusionMatrix): {
  classes: number;
  predictedCounts: number[];
  classNames: string[];
} {
  const k = confusion.numClasses;
  const predictedCounts = Array.from({ length: k }, (_, p) => confusion.counts.reduce((s, row) => s + row[p], 0));
  return { classes: k, predictedCounts, classNames: [...confusion.classNames] };
}
