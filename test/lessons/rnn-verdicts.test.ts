/** The generated verdicts of the recurrent-network lesson (src/lessons/rnn-verdicts.ts): numbers in, the right words out. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accuracyNoise,
  accuracyVerdict,
  forecastSummary,
  forecastVerdict,
  gradientFlowSummary,
  gradientFlowVerdict,
  gradientReach,
  recurrentAccuracySummary,
  sequentialTimingSummary,
  wrapText,
} from '../../src/lessons/rnn-verdicts';

test('gradient reach: 0 is an underflow, tiny ratios vanish, ~1 survives, huge ones explode', () => {
  assert.equal(gradientReach(0), 'underflow');
  assert.equal(gradientReach(2.05e-14), 'vanished');
  assert.equal(gradientReach(1.7e-11), 'vanished');
  assert.equal(gradientReach(1e-4), 'weak');
  assert.equal(gradientReach(0.0161), 'survives');
  assert.equal(gradientReach(0.654), 'survives');
  assert.equal(gradientReach(1.27), 'survives');
  assert.equal(gradientReach(1e3), 'explodes');
  assert.throws(() => gradientReach(Number.NaN), /finite ratio/);
  assert.throws(() => gradientReach(-1), /finite ratio/);
  assert.deepEqual([0, 2.0518e-14, 1e-4, 0.6538, 250].map(gradientFlowVerdict), [
    'vanished (underflow to 0)',
    'vanished',
    'weak',
    'survives',
    'explodes',
  ]);
});

test('gradient-flow summary names the cells that keep and lose the gradient, and the extremes', () => {
  const rows = [
    { name: 'SimpleRNN', firstToLastRatio: 2.05e-14 },
    { name: 'GRU', firstToLastRatio: 0 },
    { name: 'LSTM (forget bias 0, tfjs)', firstToLastRatio: 0 },
    { name: 'LSTM (forget bias 1)', firstToLastRatio: 1.7e-11 },
    { name: 'LSTM (forget bias 5)', firstToLastRatio: 0.654 },
  ];
  assert.equal(
    gradientFlowSummary(rows, 100),
    'At initialization, the gradient reaches step 1 of 100 for LSTM (forget bias 5); it vanishes for SimpleRNN, GRU, LSTM (forget bias 0, tfjs) and LSTM (forget bias 1). ' +
      "Least reaches step 1 in GRU and LSTM (forget bias 0, tfjs): exactly 0 in float32; most in LSTM (forget bias 5): 0.65 of the last step's.",
  );
  // If the forget bias stopped working, the sentence would say so.
  const broken = rows.map((r) => (r.name.includes('bias 5') ? { ...r, firstToLastRatio: 1e-20 } : r));
  assert.match(
    gradientFlowSummary(broken, 100),
    /^At initialization, it vanishes for SimpleRNN, GRU, LSTM \(forget bias 0, tfjs\), LSTM \(forget bias 1\) and LSTM \(forget bias 5\)\./,
  );
  assert.throws(() => gradientFlowSummary([], 100), /at least one row/);
});

test('forecast verdicts: against the naive forecast, with a tie band', () => {
  assert.equal(forecastVerdict(2.62, 2.9), 'beats naive by 9.7%');
  assert.equal(forecastVerdict(2.95, 2.9), 'ties naive (within 3%)');
  assert.equal(forecastVerdict(3.2, 2.9), 'worse than naive by 10.3%');
  assert.ok(forecastVerdict(123.456, 1).length <= 30);
  assert.throws(() => forecastVerdict(1, 0), /naiveRmse > 0/);
  const rows = [
    { model: 'SimpleRNN', rmse: 2.75 },
    { model: 'LSTM', rmse: 2.83 },
    { model: 'GRU', rmse: 2.62 },
    { model: 'BiLSTM', rmse: 2.73 },
  ];
  assert.equal(
    forecastSummary(rows, 2.9, '°C'),
    'Lowest test error: GRU, 2.62 °C against 2.90 °C for "tomorrow = today". SimpleRNN, GRU and BiLSTM beat the naive forecast by more than 3%; LSTM does not.',
  );
  assert.equal(
    forecastSummary(rows, 3.5, '°C'),
    'Lowest test error: GRU, 2.62 °C against 3.50 °C for "tomorrow = today". All 4 models beat the naive forecast by more than 3%.',
  );
  assert.equal(
    forecastSummary(rows, 2.5),
    'Lowest test error: GRU, 2.62 against 2.50 for "tomorrow = today". No model beats the naive forecast by more than 3%; SimpleRNN, LSTM, GRU and BiLSTM do worse than it.',
  );
});

test('accuracy comparisons are judged against the noise of n test images', () => {
  // Two standard errors of a difference of two ~65% accuracies on 500 images: about 6 points.
  assert.ok(Math.abs(accuracyNoise(0.65, 0.65, 500) - 2 * Math.sqrt((2 * 0.65 * 0.35) / 500)) < 1e-12);
  assert.ok(accuracyNoise(0.65, 0.65, 10000) < accuracyNoise(0.65, 0.65, 500) / 4);
  assert.equal(
    accuracyVerdict({ name: 'SimpleRNN', accuracy: 0.608 }, { name: 'LSTM', accuracy: 0.642 }, 500),
    'SimpleRNN and LSTM are 3.4 points apart, within chance (±6.1)',
  );
  assert.equal(
    accuracyVerdict({ name: 'SimpleRNN', accuracy: 0.728 }, { name: 'LSTM', accuracy: 0.6 }, 500),
    'SimpleRNN beats LSTM by 12.8 points, beyond chance (±5.9)',
  );
  assert.equal(
    accuracyVerdict({ name: 'SimpleRNN', accuracy: 0.6 }, { name: 'GRU', accuracy: 0.9 }, 10000),
    'GRU beats SimpleRNN by 30.0 points, beyond chance (±1.1)',
  );
  assert.throws(() => accuracyNoise(1.2, 0.5, 10), /accuracies in \[0, 1\]/);
});

test('the SimpleRNN-vs-gated comment follows the numbers: explained win, tie, or gated win', () => {
  const ctx = { steps: 28, epochs: 3, trainSize: 2000, simpleReach: { atSteps: 1.2e-3, at100: 2.05e-14 } };
  const params = { SimpleRNN: 6026, LSTM: 24074, GRU: 18058, BiLSTM: 48138 } as Record<string, number>;
  const rows = (acc: Record<string, number>) =>
    Object.entries(acc).map(([name, accuracy]) => ({ name, accuracy, parameters: params[name] }));

  const simpleWins = recurrentAccuracySummary(rows({ SimpleRNN: 0.728, LSTM: 0.6, GRU: 0.62, BiLSTM: 0.7 }), 500, ctx);
  assert.match(
    simpleWins,
    /^Ranking: SimpleRNN 72\.8%, BiLSTM 70\.0%, GRU 62\.0%, LSTM 60\.0% \(500 test images; "chance" below is two standard errors/,
  );
  assert.match(
    simpleWins,
    /SimpleRNN beats LSTM by 12\.8 points, beyond chance \(±5\.9\); SimpleRNN beats GRU by 10\.8 points, beyond chance/,
  );
  assert.match(
    simpleWins,
    /Why a plain RNN can win here: the sequences are only 28 steps long \(in 4\.2's probe a SimpleRNN passes back 1\.2e-3 of the gradient 28 steps back, against 2\.1e-14 100 steps back\)/,
  );
  assert.match(simpleWins, /LSTM \(4\.0× SimpleRNN's weights\) and GRU \(3\.0× SimpleRNN's weights\) have more to fit/);

  const tie = recurrentAccuracySummary(rows({ SimpleRNN: 0.608, LSTM: 0.642, GRU: 0.65, BiLSTM: 0.724 }), 500, ctx);
  assert.match(
    tie,
    /SimpleRNN and LSTM are 3\.4 points apart, within chance \(±6\.1\); SimpleRNN and GRU are 4\.2 points apart, within chance/,
  );
  assert.match(tie, /So this run cannot rank SimpleRNN against the gated cells\.$/);
  assert.doesNotMatch(tie, /Why a plain RNN can win/);

  const gatedWin = recurrentAccuracySummary(rows({ SimpleRNN: 0.9, LSTM: 0.97, GRU: 0.975, BiLSTM: 0.98 }), 10000, ctx);
  assert.match(
    gatedWin,
    /LSTM beats SimpleRNN by 7\.0 points, beyond chance \(±0\.7\); GRU beats SimpleRNN by 7\.5 points, beyond chance/,
  );
  assert.doesNotMatch(gatedWin, /Why a plain RNN|cannot rank/);
});

test('timing summary: growth of each path and the ratio at the longest sequence', () => {
  const rows = [
    { steps: 10, rnn_ms: 2.9, parallel_ms: 0.3 },
    { steps: 100, rnn_ms: 39.4, parallel_ms: 0.9 },
    { steps: 400, rnn_ms: 100.9, parallel_ms: 2.4 },
  ];
  assert.equal(
    sequentialTimingSummary(rows),
    "From 10 to 400 steps (40.0× longer), the SimpleRNN's forward time grew 34.8× (2.9 ms → 100.9 ms) and the parallel layer's 8.0× (0.3 ms → 2.4 ms); " +
      'at 400 steps the sequential path took 42.0× as long for the same multiply-adds.',
  );
  assert.throws(() => sequentialTimingSummary(rows.slice(0, 1)), /two sequence lengths/);
});

test('wrapText breaks at spaces within the width and keeps every word', () => {
  const text =
    'At initialization, the gradient reaches step 1 of 100 for LSTM (forget bias 5); it vanishes for SimpleRNN and GRU.';
  const wrapped = wrapText(text, 40);
  assert.ok(
    wrapped.split('\n').every((l) => l.length <= 40),
    wrapped,
  );
  assert.equal(wrapped.replace(/\n/g, ' '), text);
  assert.equal(wrapText('short', 40), 'short');
  assert.equal(wrapText('a-very-long-word-that-does-not-fit', 10), 'a-very-long-word-that-does-not-fit');
  assert.throws(() => wrapText('x', 0), /width > 0/);
});
