/**
 * The verdict check of notebook 03 (verdicts.ts) on an executed notebook assembled from the same library outputs the
 * notebook shows (DataFrame bundles, the gradient-norm chart, the generated sentences): it passes when verdicts follow
 * from the numbers and names the cell when one does not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pl from 'nodejs-polars';
import { dataFrameBundle } from '../../src/display/adapters/dataframe';
import { gradientFlowSummary, gradientFlowVerdict, recurrentAccuracySummary } from '../../src/lessons/rnn-verdicts';
import { gradientNormChart } from '../../src/viz/gradient-norms';
import { wrapText } from '../../src/lessons/rnn-verdicts';
import { compareAccuracy, transferSummary } from '../../src/lessons/verdict';
import {
  firstTable,
  forecastAgainstNaive,
  rnnVerdictProblems,
  transferVerdictProblems,
  type ExecutedNotebook,
} from './verdicts';

const stream = (text: string) => ({ output_type: 'stream', name: 'stdout', text });
const rich = (data: Record<string, unknown>) => ({ output_type: 'display_data', data });

function executed(): ExecutedNotebook {
  const decay = (rate: number) => Array.from({ length: 100 }, (_, t) => 2.83 * rate ** (99 - t));
  const flows = [
    { name: 'SimpleRNN', norms: decay(0.73) },
    { name: 'GRU', norms: [0, ...decay(0.5).slice(1)] },
    { name: 'LSTM, forget bias 5', norms: decay(0.996) },
  ];
  const ratio = (n: number[]) => n[0] / n[99];
  const flowFrame = pl.DataFrame(
    flows.map((f) => ({ cell: f.name, first_to_last: ratio(f.norms), verdict: gradientFlowVerdict(ratio(f.norms)) })),
  );
  const chart = gradientNormChart(flows).toMimeBundle();

  // 6.1: forecasts of 60 days; SimpleRNN close to the actual values (beats naive), LSTM the naive forecast plus a
  // little (within noise).
  const actual = Array.from({ length: 60 }, (_, d) => 15 + 5 * Math.sin(d / 5) + 2 * Math.cos(d * 1.7));
  const naiveDays = actual.map((v, d) => (d === 0 ? 14 : actual[d - 1]));
  const days: Record<string, number[]> = {
    SimpleRNN: actual.map((v, d) => v + 0.5 * Math.sin(d * 2.3)),
    LSTM: naiveDays.map((v, d) => v + 0.1 * Math.cos(d * 3.1)),
  };
  const rmse = (f: number[]) => Math.sqrt(f.reduce((a, v, d) => a + (v - actual[d]) ** 2, 0) / f.length);
  const verdicts = Object.fromEntries(
    Object.entries(days).map(([m, f]) => [m, forecastAgainstNaive(f, naiveDays, actual)]),
  );
  const forecastFrame = pl.DataFrame([
    ...Object.entries(days).map(([m, f]) => ({ model: m, test_rmse_celsius: rmse(f), verdict: verdicts[m].word })),
    { model: 'naive: tomorrow = today', test_rmse_celsius: rmse(naiveDays), verdict: 'baseline' },
  ]);
  const forecastLines = Object.entries(days).map(([m, f]) => {
    const v = verdicts[m];
    return (
      `${m}: RMSE ${rmse(f).toFixed(2)} °C vs ${rmse(naiveDays).toFixed(2)} °C (naive); mean squared error ` +
      `${Math.abs(v.difference).toFixed(2)} °C² ${v.difference < 0 ? 'lower' : 'higher'}, ` +
      `${v.word === 'within noise' ? 'within' : 'beyond'} 2 standard errors (${v.threshold.toFixed(2)} °C²): ${v.word}.\n`
    );
  });
  const forecastChart = {
    'application/vnd.plotly.v1+json': {
      data: [
        { name: 'actual', y: actual },
        ...Object.entries(days).map(([name, y]) => ({ name, y })),
        { name: 'naive: tomorrow = today', y: naiveDays },
      ],
      layout: {},
    },
  };

  const acc = [
    { name: 'SimpleRNN', accuracy: 0.728, parameters: 6026 },
    { name: 'LSTM', accuracy: 0.6, parameters: 24074 },
    { name: 'GRU', accuracy: 0.65, parameters: 18058 },
  ];
  const accFrame = pl.DataFrame(
    acc.map((a) => ({ model: a.name, test_accuracy: a.accuracy, seconds: 1, parameters: a.parameters })),
  );
  const simple = flows[0].norms;
  const accSentence = recurrentAccuracySummary(acc, 500, {
    steps: 28,
    epochs: 3,
    trainSize: 2000,
    simpleReach: { atSteps: simple[72] / simple[99], at100: simple[0] / simple[99] },
  });
  return {
    cells: [
      { id: 'c02', cell_type: 'code', outputs: [stream('tensorflow backend\nprofile ci: 3 epochs per model\n')] },
      {
        id: 'c15',
        cell_type: 'code',
        outputs: [
          rich(dataFrameBundle(flowFrame)),
          stream(
            `${gradientFlowSummary(
              flows.map((f) => ({ name: f.name, firstToLastRatio: ratio(f.norms) })),
              100,
            )}\n`,
          ),
          rich(chart),
        ],
      },
      {
        id: 'c18',
        cell_type: 'code',
        outputs: [stream('1461 days\n'), rich(dataFrameBundle(forecastFrame)), stream(forecastLines.join(''))],
      },
      { id: 'c19', cell_type: 'code', outputs: [rich(forecastChart)] },
      {
        id: 'c22',
        cell_type: 'code',
        outputs: [
          stream('train 2000 sequences of 28 steps x 28 features, test 500\n'),
          rich(dataFrameBundle(accFrame)),
          stream(`${wrapText(accSentence)}\n`),
        ],
      },
    ],
  };
}

test('notebook 03 verdict check: passes when every verdict follows from the numbers shown', () => {
  const nb = executed();
  assert.deepEqual(
    firstTable(nb.cells[2]).map((r) => r.verdict),
    ['beats naive', 'within noise', 'baseline'],
  );
  assert.deepEqual(rnnVerdictProblems(nb), []);
});

test('notebook 03 verdict check: a verdict or a sentence that does not follow from the numbers is reported', () => {
  const wrongVerdict = executed();
  const table = wrongVerdict.cells[2].outputs![1].data!;
  table['text/html'] = (table['text/html'] as string).replace('<td>within noise</td>', '<td>beats naive</td>');
  const p1 = rnnVerdictProblems(wrongVerdict);
  assert.equal(p1.length, 1, p1.join('\n'));
  assert.match(
    p1[0],
    /^cell c18: LSTM: verdict "beats naive", but its daily errors against the naive forecast's mean "within noise"/,
  );

  const wrongSentence = executed();
  wrongSentence.cells[4].outputs![2] = stream('SimpleRNN 72.8% beats LSTM and GRU.\n');
  const p2 = rnnVerdictProblems(wrongSentence);
  assert.equal(p2.length, 1);
  assert.match(
    p2[0],
    /^cell c22: expected the generated sentence\n {2}Ranking: SimpleRNN 72\.8%, GRU 65\.0%, LSTM 60\.0%/,
  );

  const wrongFlow = executed();
  const flowTable = wrongFlow.cells[1].outputs![0].data!;
  flowTable['text/html'] = (flowTable['text/html'] as string).replace(
    '<td>vanished (underflow to 0)</td>',
    '<td>survives</td>',
  );
  assert.match(
    rnnVerdictProblems(wrongFlow).join('\n'),
    /cell c15: GRU: verdict "survives", but its ratio 0 means "vanished \(underflow to 0\)"/,
  );
});

/** An executed notebook 01 as the notebook builds it: the split line, the profile line, the table and the sentences. */
function executed01(accuracies = [0.647, 0.8, 0.862, 0.771, 0.561]): ExecutedNotebook {
  const n = 1000;
  const names = [
    '1: architecture-only (from scratch)',
    '2: reuse-lower',
    '3: head-only',
    '3 on a random backbone (control)',
    "1 with strategy 3's time, at least one epoch (13 steps)",
  ];
  const scratch = { name: 'from scratch', accuracy: accuracies[0], n };
  const frame = pl.DataFrame(
    names.map((name, i) => ({
      strategy: name,
      accuracy: `${(100 * accuracies[i]).toFixed(1)}%`,
      'vs from scratch': i === 0 ? 'baseline' : compareAccuracy({ name, accuracy: accuracies[i], n }, scratch).verdict,
    })),
  );
  const s3 = { name: 'strategy 3', accuracy: accuracies[2], n };
  const lines = [
    `Pretrained vs scratch: ${transferSummary(s3, scratch, { target: 0.9 })}`,
    'Time: strategy 3 took 5.7 s (feature pass + head), training from scratch 47.2 s: strategy 3 had the smaller time budget.',
    `Pre-training vs a random frozen backbone: ${compareAccuracy(s3, { name: 'random backbone', accuracy: accuracies[3], n }).sentence}`,
    `At strategy 3's time (at least one epoch): ${compareAccuracy(s3, { name: 'from scratch with that time', accuracy: accuracies[4], n }).sentence}`,
  ];
  return {
    cells: [
      { id: 'c03', cell_type: 'code', outputs: [stream('tensorflow backend\nprofile ci: images 32x32, batch 64\n')] },
      { id: 'c06', cell_type: 'code', outputs: [stream(`train 800, validation 200, test ${n}\n`)] },
      { id: 'c28', cell_type: 'code', outputs: [rich(dataFrameBundle(frame))] },
      { id: 'c29', cell_type: 'code', outputs: lines.map((l) => stream(`${l}\n`)) },
    ],
  };
}

test('notebook 01 verdict check: passes when the strategy verdicts and sentences follow from the table', () => {
  assert.deepEqual(transferVerdictProblems(executed01(), '01'), []);
});

test('notebook 01 verdict check: a verdict or a sentence that does not follow from the table is reported', () => {
  const wrongVerdict = executed01();
  const table = wrongVerdict.cells[2].outputs![0].data!;
  // The control (77.1% against 64.7%) is higher; call it within noise.
  table['text/html'] = (table['text/html'] as string).replace(/(77\.1%<\/td>\s*<td>)higher/, '$1within noise');
  const p1 = transferVerdictProblems(wrongVerdict, '01');
  assert.equal(p1.length, 1, p1.join('\n'));
  assert.match(
    p1[0],
    /^cell c28: 3 on a random backbone \(control\): "vs from scratch" says "within noise", but 77\.1% against 64\.7% on 1000 images means "higher"/,
  );

  // The same sentences for other numbers: the table says 86.2%, the prose was written for 95%.
  const wrongSentence = executed01();
  wrongSentence.cells[3] = executed01([0.647, 0.8, 0.95, 0.771, 0.561]).cells[3];
  const p2 = transferVerdictProblems(wrongSentence, '01');
  assert.equal(p2.length, 3, p2.join('\n'));
  assert.match(p2[0], /^cell c29: expected the generated sentence\n {2}Pretrained vs scratch: .*86\.2%/);
});
