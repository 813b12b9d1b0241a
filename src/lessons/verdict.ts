/**
 * Verdicts on measured accuracies, judged against noise, so that a notebook's prose is generated from its numbers.
 *
 * A test accuracy measured on n images is a binomial proportion: even a perfectly reproducible model scores
 * differently on another n images of the same distribution. Its standard error is sqrt(p(1 - p) / n). Two runs
 * scored on test sets of nA and nB images differ by noise alone with a standard error of
 * sqrt(pA(1 - pA)/nA + pB(1 - pB)/nB) (conservative when both are scored on the same images, where a paired test
 * would be sharper). A difference counts as real only beyond `z` standard errors (default 2, about 95%).
 *
 * A run at chance level or with a collapsed head (`degenerateRun`) is no result: a comparison that involves one is a
 * `failed run` verdict that names the cause, never "higher" or "lower".
 */
import { degenerateRun, type DegenerateOptions, type RunOutcome } from '../train';

/**
 * A run's test accuracy. `classes` and `predictedCounts` (`...predictionsOf(result.confusion)`) let the verdicts
 * tell a failed run (chance level, collapsed head) from a result.
 */
export interface MeasuredAccuracy extends RunOutcome {
  /** A short name, e.g. 'frozen, 32x32'. */
  name: string;
  /** Accuracy in [0, 1]. */
  accuracy: number;
  /** Test images it was measured on. */
  n: number;
}

export type VerdictWord = 'higher' | 'lower' | 'within noise' | 'failed run';

export interface AccuracyVerdict {
  /** The candidate's and the baseline's names. */
  name: string;
  baseline: string;
  /** candidate - baseline, in [−1, 1]. */
  difference: number;
  /** Standard error of the difference (binomial, unpaired). */
  standardError: number;
  /** The threshold used: z * standardError. */
  threshold: number;
  verdict: VerdictWord;
  /** One sentence, e.g. "frozen, upsampled to 64x64: 11.0% vs 16.2% (frozen, 32x32): 5.2 points lower, beyond 2 standard errors (4.3 points)." */
  sentence: string;
  /** When the verdict is `failed run`: which run failed and why (e.g. "its accuracy 10.0% is chance level ..."). */
  failure?: string;
}

/** Binomial standard error of an accuracy measured on n images. */
export function binomialStandardError(accuracy: number, n: number): number {
  if (!(n > 0) || !Number.isFinite(accuracy) || accuracy < 0 || accuracy > 1) {
    throw new RangeError(`binomialStandardError: expected accuracy in [0, 1] and n > 0, got ${accuracy} and ${n}.`);
  }
  return Math.sqrt((accuracy * (1 - accuracy)) / n);
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const points = (x: number) => `${(100 * Math.abs(x)).toFixed(1)} points`;

/** Compares `candidate` with `baseline`: higher, lower, or within `z` standard errors of noise. */
export function compareAccuracy(
  candidate: MeasuredAccuracy,
  baseline: MeasuredAccuracy,
  options: { z?: number; degenerate?: DegenerateOptions } = {},
): AccuracyVerdict {
  const z = options.z ?? 2;
  const difference = candidate.accuracy - baseline.accuracy;
  const standardError = Math.hypot(
    binomialStandardError(candidate.accuracy, candidate.n),
    binomialStandardError(baseline.accuracy, baseline.n),
  );
  const failed = [candidate, baseline]
    .map((run) => ({ run, why: degenerateRun(run, options.degenerate) }))
    .filter((f) => f.why !== undefined);
  if (failed.length > 0) {
    const failure = failed.map((f) => `${f.run.name} is a failed run, not a result: ${f.why!.cause}`).join('; ');
    const sentence = `${candidate.name} vs ${baseline.name}: no comparison. ${failure}.`;
    const threshold = z * standardError;
    return {
      name: candidate.name,
      baseline: baseline.name,
      difference,
      standardError,
      threshold,
      verdict: 'failed run',
      sentence,
      failure,
    };
  }
  // A floor of one image in the larger test set: two perfect (or two zero) scores still differ by noise.
  const threshold = z * Math.max(standardError, 1 / Math.max(candidate.n, baseline.n));
  const verdict: VerdictWord = Math.abs(difference) <= threshold ? 'within noise' : difference > 0 ? 'higher' : 'lower';
  const head = `${candidate.name}: ${pct(candidate.accuracy)} vs ${pct(baseline.accuracy)} (${baseline.name})`;
  const sentence =
    verdict === 'within noise'
      ? `${head}: a difference of ${points(difference)}, within noise (${z} standard errors = ${points(threshold)}).`
      : `${head}: ${points(difference)} ${verdict}, beyond ${z} standard errors (${points(threshold)}).`;
  return { name: candidate.name, baseline: baseline.name, difference, standardError, threshold, verdict, sentence };
}

/** Every candidate against one baseline, one row each (for a table with a verdict column). */
export function verdictTable(
  baseline: MeasuredAccuracy,
  candidates: readonly MeasuredAccuracy[],
  options: { z?: number; degenerate?: DegenerateOptions } = {},
): AccuracyVerdict[] {
  return candidates.map((c) => compareAccuracy(c, baseline, options));
}

/**
 * The lesson's pretrained-versus-scratch sentence: whether transfer paid off in this run, from the numbers.
 * `pretrained` and `scratch` are scored on the same test set.
 */
export function transferSummary(
  pretrained: MeasuredAccuracy,
  scratch: MeasuredAccuracy,
  options: { z?: number; target?: number; degenerate?: DegenerateOptions } = {},
): string {
  const v = compareAccuracy(pretrained, scratch, options);
  if (v.verdict === 'failed run') return `no verdict on transfer in this run. ${v.sentence}`;
  const outcome =
    v.verdict === 'higher'
      ? 'transfer paid off in this run'
      : v.verdict === 'lower'
        ? 'transfer did NOT pay off in this run: training from scratch did better'
        : 'transfer made no difference beyond noise in this run';
  let text = `${outcome}. ${v.sentence}`;
  if (options.target !== undefined) {
    text +=
      pretrained.accuracy >= options.target
        ? ` ${pretrained.name} reached the lesson's target of ${pct(options.target)}.`
        : ` ${pretrained.name} fell short of the lesson's target of ${pct(options.target)}.`;
  }
  return text;
}
