/**
 * Verdicts for the recurrent-network lesson: the sentences that judge a measured result are generated here from the
 * numbers, so the notebook's text cannot contradict its own outputs in any profile or run, and the regression test
 * can check them. Each function is pure (numbers in, words out) and unit-tested.
 *
 * - `gradientReach` / `gradientFlowVerdict` / `gradientFlowSummary`: what the gradient-flow probe's first-to-last
 *   ratio means (underflow to 0, vanished, weak, survives, explodes);
 * - `forecastVerdict` / `forecastSummary`: a forecaster's test RMSE against the naive "tomorrow = today" baseline;
 * - `accuracyNoise` / `accuracyVerdict` / `recurrentAccuracySummary`: test accuracies compared with the spread that
 *   chance alone gives on a test set of n images (two standard errors of a difference of two accuracies);
 * - `sequentialTimingSummary`: how forward time grows with sequence length, sequential against parallel.
 */
import { binomialStandardError } from './verdict';

/** How much of the last step's gradient reaches the first step. */
export type GradientReach = 'underflow' | 'vanished' | 'weak' | 'survives' | 'explodes';

/** Thresholds of `gradientReach`, on norms[0] / norms[last]. */
export const GRADIENT_REACH_LIMITS = { vanished: 1e-6, weak: 1e-2, explodes: 1e2 } as const;

export function gradientReach(firstToLastRatio: number): GradientReach {
  if (!Number.isFinite(firstToLastRatio) || firstToLastRatio < 0) {
    throw new Error(`gradientReach: expected a finite ratio >= 0. Received ${firstToLastRatio}`);
  }
  if (firstToLastRatio === 0) return 'underflow';
  if (firstToLastRatio < GRADIENT_REACH_LIMITS.vanished) return 'vanished';
  if (firstToLastRatio < GRADIENT_REACH_LIMITS.weak) return 'weak';
  if (firstToLastRatio <= GRADIENT_REACH_LIMITS.explodes) return 'survives';
  return 'explodes';
}

/** One table cell (at most 30 characters, so polars' text tables show it whole): what reached the first step. */
export function gradientFlowVerdict(firstToLastRatio: number): string {
  const kind = gradientReach(firstToLastRatio);
  return kind === 'underflow' ? 'vanished (underflow to 0)' : kind;
}

const list = (names: readonly string[]) =>
  names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;

/** A sentence over a whole gradient-flow table: which cells carry the gradient back, which lose it, and the order. */
export function gradientFlowSummary(
  rows: readonly { name: string; firstToLastRatio: number }[],
  steps: number,
): string {
  if (rows.length === 0) throw new Error('gradientFlowSummary: expected at least one row');
  const by = (kinds: GradientReach[]) =>
    rows.filter((r) => kinds.includes(gradientReach(r.firstToLastRatio))).map((r) => r.name);
  const lost = by(['underflow', 'vanished', 'weak']);
  const kept = by(['survives']);
  const exploded = by(['explodes']);
  const parts: string[] = [];
  if (kept.length) parts.push(`the gradient reaches step 1 of ${steps} for ${list(kept)}`);
  if (lost.length) parts.push(`it vanishes for ${list(lost)}`);
  if (exploded.length) parts.push(`it explodes for ${list(exploded)}`);
  const sorted = [...rows].sort((a, b) => a.firstToLastRatio - b.firstToLastRatio);
  const weakest = sorted.filter((r) => r.firstToLastRatio === sorted[0].firstToLastRatio).map((r) => r.name);
  const strongest = sorted[sorted.length - 1];
  const order =
    rows.length > 1
      ? ` Least reaches step 1 in ${list(weakest)}: ${sorted[0].firstToLastRatio === 0 ? 'exactly 0 in float32' : sorted[0].firstToLastRatio.toExponential(1)}; ` +
        `most in ${strongest.name}: ${strongest.firstToLastRatio.toPrecision(2)} of the last step's.`
      : '';
  const text = parts.join('; ');
  return `At initialization, ${text}.${order}`;
}

/** A forecaster's test RMSE against the naive forecast's, in at most 30 characters; within ±`tie` (relative) is a tie. */
export function forecastVerdict(rmse: number, naiveRmse: number, tie = 0.03): string {
  if (!(rmse >= 0 && naiveRmse > 0))
    throw new Error(`forecastVerdict: expected rmse >= 0 and naiveRmse > 0. Received ${rmse}, ${naiveRmse}`);
  const rel = rmse / naiveRmse - 1;
  const pct = `${Math.abs(rel * 100).toFixed(1)}%`;
  if (rel < -tie) return `beats naive by ${pct}`;
  if (rel > tie) return `worse than naive by ${pct}`;
  return `ties naive (within ${(tie * 100).toFixed(0)}%)`;
}

/** One sentence over a forecast table: the best model, and how many beat the naive baseline. */
export function forecastSummary(
  rows: readonly { model: string; rmse: number }[],
  naiveRmse: number,
  unit = '',
  tie = 0.03,
): string {
  if (rows.length === 0) throw new Error('forecastSummary: expected at least one model');
  const u = unit ? ` ${unit}` : '';
  const best = [...rows].sort((a, b) => a.rmse - b.rmse)[0];
  const beating = rows.filter((r) => r.rmse < naiveRmse * (1 - tie)).map((r) => r.model);
  const losing = rows.filter((r) => r.rmse > naiveRmse * (1 + tie)).map((r) => r.model);
  const count =
    beating.length === rows.length
      ? `All ${rows.length} models beat the naive forecast by more than ${(tie * 100).toFixed(0)}%.`
      : beating.length === 0
        ? `No model beats the naive forecast by more than ${(tie * 100).toFixed(0)}%${losing.length ? `; ${list(losing)} ${losing.length === 1 ? 'does' : 'do'} worse than it` : ''}.`
        : `${list(beating)} beat${beating.length === 1 ? 's' : ''} the naive forecast by more than ${(tie * 100).toFixed(0)}%; ` +
          `${list(rows.filter((r) => !beating.includes(r.model)).map((r) => r.model))} ${rows.length - beating.length === 1 ? 'does' : 'do'} not.`;
  return `Lowest test error: ${best.model}, ${best.rmse.toFixed(2)}${u} against ${naiveRmse.toFixed(2)}${u} for "tomorrow = today". ${count}`;
}

/**
 * Two standard errors of the difference of two accuracies measured on `n` test items: a difference smaller than this
 * is within what chance alone moves between runs (treating the two as independent, which overstates it slightly for
 * a shared test set and so errs on the side of "within noise").
 */
export function accuracyNoise(a: number, b: number, n: number): number {
  if (!(n > 0) || !(a >= 0 && a <= 1 && b >= 0 && b <= 1))
    throw new Error(`accuracyNoise: expected accuracies in [0, 1] and n > 0. Received ${a}, ${b}, ${n}`);
  return 2 * Math.hypot(binomialStandardError(a, n), binomialStandardError(b, n));
}

/** How `a` compares with `b` (accuracies in [0, 1]) on `n` test items, in words; "chance" is `accuracyNoise`. */
export function accuracyVerdict(
  a: { name: string; accuracy: number },
  b: { name: string; accuracy: number },
  n: number,
): string {
  const d = Math.abs(a.accuracy - b.accuracy) * 100;
  const noise = accuracyNoise(a.accuracy, b.accuracy, n) * 100;
  if (d <= noise)
    return `${a.name} and ${b.name} are ${d.toFixed(1)} points apart, within chance (±${noise.toFixed(1)})`;
  const [win, lose] = a.accuracy > b.accuracy ? [a, b] : [b, a];
  return `${win.name} beats ${lose.name} by ${d.toFixed(1)} points, beyond chance (±${noise.toFixed(1)})`;
}

export interface RecurrentAccuracyRow {
  /** 'SimpleRNN', 'LSTM', 'GRU', 'BiLSTM', ... */
  name: string;
  accuracy: number;
  parameters: number;
}

/**
 * The comment on a SimpleRNN / LSTM / GRU comparison: the ranking, then SimpleRNN against each gated cell, judged
 * against noise on `n` test images, with the reason a plain RNN can keep up on short sequences when it does.
 */
export interface RecurrentAccuracyContext {
  /** Sequence length of the task (28 rows for MNIST). */
  steps: number;
  epochs: number;
  trainSize: number;
  /** From the gradient-flow probe: the SimpleRNN's gradient `steps` steps back, and 100 steps back, over the last step's. */
  simpleReach?: { atSteps: number; at100: number };
}

export function recurrentAccuracySummary(
  rows: readonly RecurrentAccuracyRow[],
  n: number,
  context: RecurrentAccuracyContext,
): string {
  if (rows.length === 0) throw new Error('recurrentAccuracySummary: expected at least one row');
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const ranking = [...rows].sort((a, b) => b.accuracy - a.accuracy);
  const lines = [
    `Ranking: ${ranking.map((r) => `${r.name} ${pct(r.accuracy)}`).join(', ')} ` +
      `(${n} test images; "chance" below is two standard errors of a difference of two accuracies on them).`,
  ];
  const simple = rows.find((r) => r.name === 'SimpleRNN');
  const gated = rows.filter((r) => r.name === 'LSTM' || r.name === 'GRU');
  if (simple && gated.length) {
    const verdicts = gated.map((g) => accuracyVerdict(simple, g, n));
    lines.push(`${verdicts.join('; ')}.`);
    const beatenBySimple = gated.filter(
      (g) => (simple.accuracy - g.accuracy) * 100 > accuracyNoise(simple.accuracy, g.accuracy, n) * 100,
    );
    const tied = gated.filter(
      (g) => Math.abs(simple.accuracy - g.accuracy) <= accuracyNoise(simple.accuracy, g.accuracy, n),
    );
    const ratio = (g: RecurrentAccuracyRow) => `${(g.parameters / simple.parameters).toFixed(1)}× SimpleRNN's weights`;
    if (beatenBySimple.length) {
      lines.push(
        `Why a plain RNN can win here: the sequences are only ${context.steps} steps long` +
          (context.simpleReach
            ? ` (in 4.2's probe a SimpleRNN passes back ${context.simpleReach.atSteps.toExponential(1)} of the gradient ${context.steps} steps back, against ${context.simpleReach.at100.toExponential(1)} 100 steps back)`
            : '') +
          `, gradients are clipped, and in ${context.epochs} epoch(s) on ${context.trainSize} images ` +
          `${list(beatenBySimple.map((g) => `${g.name} (${ratio(g)})`))} ${beatenBySimple.length === 1 ? 'has' : 'have'} more to fit. ` +
          `Gates are built for long dependencies, and these are short.`,
      );
    } else if (tied.length === gated.length) {
      lines.push(`So this run cannot rank SimpleRNN against the gated cells.`);
    }
  }
  return lines.join(' ');
}

/** How forward time grows with sequence length, for a sequential (RNN) and a parallel (per-step Dense) path. */
export function sequentialTimingSummary(
  rows: readonly { steps: number; rnn_ms: number; parallel_ms: number }[],
): string {
  if (rows.length < 2) throw new Error('sequentialTimingSummary: expected at least two sequence lengths');
  const first = rows[0];
  const last = rows[rows.length - 1];
  const grow = (a: number, b: number) => `${(b / a).toFixed(1)}×`;
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  return (
    `From ${first.steps} to ${last.steps} steps (${grow(first.steps, last.steps)} longer), the SimpleRNN's forward time grew ` +
    `${grow(first.rnn_ms, last.rnn_ms)} (${ms(first.rnn_ms)} → ${ms(last.rnn_ms)}) and the parallel layer's ${grow(first.parallel_ms, last.parallel_ms)} ` +
    `(${ms(first.parallel_ms)} → ${ms(last.parallel_ms)}); at ${last.steps} steps the sequential path took ${grow(last.parallel_ms, last.rnn_ms)} as long for the same multiply-adds.`
  );
}

/** Breaks a generated sentence into lines of at most `width` characters at spaces (a word longer than that stays whole). */
export function wrapText(text: string, width = 110): string {
  if (!(width > 0)) throw new Error(`wrapText: expected width > 0. Received ${width}`);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join('\n');
}
