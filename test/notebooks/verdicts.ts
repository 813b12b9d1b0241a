/**
 * The generated verdicts of an executed notebook 03, re-derived from its own numbers: every verdict column and every
 * generated sentence must be what the library's verdict functions say for the numbers the same run shows. This is what
 * lets the regression test check verdicts whose words may change between runs (training is not bit-reproducible),
 * where comparing words with a stored reference would be flaky.
 *
 * Numbers come from the outputs themselves: the gradient-flow chart's Plotly JSON (full precision), and the HTML
 * tables of the DataFrame adapter (7 significant digits).
 */
import { gradientFlowSummary, gradientFlowVerdict, recurrentAccuracySummary } from '../../src/lessons/rnn-verdicts';
import { compareAccuracy, transferSummary, type MeasuredAccuracy } from '../../src/lessons/verdict';

const PLOTLY = 'application/vnd.plotly.v1+json';

export interface ExecutedCell {
  id?: string;
  cell_type: string;
  outputs?: { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> }[];
}
export interface ExecutedNotebook {
  cells: ExecutedCell[];
}

const joined = (v: unknown) => (Array.isArray(v) ? v.join('') : String(v ?? ''));

const unescape = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The first HTML table a cell shows, as rows of objects keyed by column name (dtype suffix removed). */
export function firstTable(cell: ExecutedCell): Record<string, string>[] {
  const html = (cell.outputs ?? []).map((o) => joined(o.data?.['text/html'])).find((h) => h.includes('<table'));
  if (!html) throw new Error(`cell ${cell.id}: no HTML table`);
  const header = [...html.matchAll(/<th>([\s\S]*?)<\/th>/g)].map((m) =>
    unescape(m[1]).replace(/ \([A-Za-z0-9]+\)$/, ''),
  );
  const body = html.slice(html.indexOf('<tbody>'));
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((tr) => {
    const cells = [...tr[1].matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => unescape(m[1]));
    return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
  });
}

const streamText = (cell: ExecutedCell) =>
  (cell.outputs ?? [])
    .filter((o) => o.output_type === 'stream')
    .map((o) => joined(o.text))
    .join('');

function chartTraces(cell: ExecutedCell): { name: string; y: number[] }[] {
  const fig = (cell.outputs ?? [])
    .map((o) => o.data?.[PLOTLY] as { data: { name: string; y: number[] }[] } | undefined)
    .find(Boolean);
  if (!fig) throw new Error(`cell ${cell.id}: no Plotly chart`);
  return fig.data;
}

/**
 * What every verdict check needs: a list of problems, a cell by id, and `expectLine`, which records a problem when a
 * cell's printed output does not contain a generated sentence. Sentences are printed wrapped (wrapText), so both
 * sides are compared with runs of whitespace made single spaces.
 */
function verdictCheck(nb: ExecutedNotebook, notebook: string) {
  const problems: string[] = [];
  const cell = (id: string) => {
    const c = nb.cells.find((x) => x.id === id);
    if (!c) throw new Error(`notebook ${notebook} has no cell ${id}`);
    return c;
  };
  const flat = (t: string) => t.replace(/\s+/g, ' ');
  const expectLine = (id: string, sentence: string) => {
    if (!flat(streamText(cell(id))).includes(flat(sentence)))
      problems.push(
        `cell ${id}: expected the generated sentence\n  ${sentence}\nin its output:\n  ${streamText(cell(id)).trim()}`,
      );
  };
  return { problems, cell, expectLine };
}

/**
 * A forecast against the naive one on the same days, as lesson 03 judges it: the mean of the daily differences of
 * squared errors (model minus naive) and two standard errors of that mean; within them, the difference is noise.
 */
export function forecastAgainstNaive(
  forecast: readonly number[],
  naive: readonly number[],
  actual: readonly number[],
): { difference: number; threshold: number; word: 'beats naive' | 'worse than naive' | 'within noise' } {
  const d = forecast.map((f, i) => (f - actual[i]) ** 2 - (naive[i] - actual[i]) ** 2);
  const m = d.reduce((a, b) => a + b, 0) / d.length;
  const se = Math.sqrt(d.reduce((a, b) => a + (b - m) ** 2, 0) / (d.length - 1) / d.length);
  return {
    difference: m,
    threshold: 2 * se,
    word: Math.abs(m) <= 2 * se ? 'within noise' : m < 0 ? 'beats naive' : 'worse than naive',
  };
}

/** Problems found in notebook 03's generated verdicts (empty when every verdict follows from its numbers). */
export function rnnVerdictProblems(nb: ExecutedNotebook): string[] {
  const { problems, cell, expectLine } = verdictCheck(nb, '03');

  // 4.2: gradient flow. Ratios from the chart (full precision), verdicts from the table.
  const traces = chartTraces(cell('c15'));
  const ratio = (t: { y: number[] }) => t.y[0] / t.y[t.y.length - 1];
  for (const row of firstTable(cell('c15'))) {
    const trace = traces.find((t) => t.name === row.cell);
    if (!trace) {
      problems.push(`cell c15: no chart trace for table row ${row.cell}`);
      continue;
    }
    const want = gradientFlowVerdict(ratio(trace));
    if (row.verdict !== want)
      problems.push(`cell c15: ${row.cell}: verdict "${row.verdict}", but its ratio ${ratio(trace)} means "${want}"`);
  }
  const steps = traces[0].y.length;
  expectLine(
    'c15',
    gradientFlowSummary(
      traces.map((t) => ({ name: t.name, firstToLastRatio: ratio(t) })),
      steps,
    ),
  );

  // 6.1: forecasts against the naive baseline, judged against noise: per test day, the model's squared error minus
  // the naive forecast's (the chart holds every forecast, the naive one and the actual values).
  const forecast = firstTable(cell('c18'));
  const naive = forecast.find((r) => r.model.startsWith('naive'));
  const series = chartTraces(cell('c19'));
  const trace = (name: string) => series.find((t) => t.name === name)?.y;
  const actual = trace('actual');
  const naiveDays = trace('naive: tomorrow = today');
  if (!naive || !actual || !naiveDays) problems.push('cells c18/c19: no naive row, or no actual or naive trace');
  else {
    for (const r of forecast.filter((x) => x !== naive)) {
      const days = trace(r.model);
      if (!days) {
        problems.push(`cell c19: no chart trace for ${r.model}`);
        continue;
      }
      const v = forecastAgainstNaive(days, naiveDays, actual);
      if (r.verdict !== v.word)
        problems.push(
          `cell c18: ${r.model}: verdict "${r.verdict}", but its daily errors against the naive forecast's mean "${v.word}"`,
        );
      expectLine(
        'c18',
        `mean squared error ${Math.abs(v.difference).toFixed(2)} °C² ${v.difference < 0 ? 'lower' : 'higher'}, ` +
          `${v.word === 'within noise' ? 'within' : 'beyond'} 2 standard errors (${v.threshold.toFixed(2)} °C²): ${v.word}.`,
      );
    }
  }

  // 6.2: accuracies against chance on n test images.
  const sizes = /train (\d+) sequences of 28 steps x 28 features, test (\d+)/.exec(streamText(cell('c22')));
  const epochs = /profile \w+: (\d+) epochs per model/.exec(streamText(cell('c02')));
  const simple = traces.find((t) => t.name === 'SimpleRNN');
  if (!sizes || !epochs || !simple)
    problems.push('cells c02/c15/c22: the run sizes, epochs or the SimpleRNN probe are missing');
  else {
    const rows = firstTable(cell('c22')).map((r) => ({
      name: r.model,
      accuracy: Number(r.test_accuracy),
      parameters: Number(r.parameters),
    }));
    const last = simple.y[simple.y.length - 1];
    expectLine(
      'c22',
      recurrentAccuracySummary(rows, Number(sizes[2]), {
        steps: 28,
        epochs: Number(epochs[1]),
        trainSize: Number(sizes[1]),
        simpleReach: { atSteps: simple.y[simple.y.length - 28] / last, at100: simple.y[0] / last },
      }),
    );
  }
  return problems;
}

/** The lesson targets of the `ci` profile that the transfer notebooks' summaries name (01: MNIST, 02: CIFAR-10). */
const CI_TARGETS = { '01': 0.9, '02': 0.4 } as const;

/**
 * Problems found in the generated verdicts of an executed notebook 01 or 02: the verdict columns of the strategy
 * table and every generated sentence under it must be what `compareAccuracy` and `transferSummary` say for the
 * accuracies the same table shows (with n test images; at n = 1000 a one-decimal percentage is exact).
 */
export function transferVerdictProblems(nb: ExecutedNotebook, lesson: '01' | '02'): string[] {
  const { problems, cell, expectLine } = verdictCheck(nb, lesson);
  const sizes = /train (\d+), validation (\d+), test (\d+)/.exec(streamText(cell(lesson === '01' ? 'c06' : 'c05')));
  const profile = /profile (\w+)/.exec(streamText(cell('c03')))?.[1];
  if (!sizes || !profile)
    return [
      `notebook ${lesson}: the split sizes (cell ${lesson === '01' ? 'c06' : 'c05'}) or the profile line (c03) are missing`,
    ];
  const n = Number(sizes[3]);
  const target = profile === 'ci' ? CI_TARGETS[lesson] : undefined;
  const tableCell = lesson === '01' ? 'c28' : 'c21';
  const table = firstTable(cell(tableCell));
  const nameColumn = lesson === '01' ? 'strategy' : 'variation';
  const rows: MeasuredAccuracy[] = table.map((r) => ({
    name: r[nameColumn],
    accuracy: Number(r.accuracy.replace('%', '')) / 100,
    n,
  }));
  if (rows.some((r) => !Number.isFinite(r.accuracy)))
    return [`cell ${tableCell}: an accuracy is not a percentage: ${table.map((r) => r.accuracy).join(', ')}`];
  const checkColumn = (column: string, baseline: number) =>
    table.forEach((r, i) => {
      const want = i === baseline ? 'baseline' : compareAccuracy(rows[i], rows[baseline]).verdict;
      if (r[column] !== want)
        problems.push(
          `cell ${tableCell}: ${rows[i].name}: "${column}" says "${r[column]}", but ${r.accuracy} against ${table[baseline].accuracy} on ${n} images means "${want}"`,
        );
    });
  if (lesson === '01') {
    if (rows.length !== 5) return [`cell c28: expected 5 strategy rows, found ${rows.length}`];
    checkColumn('vs from scratch', 0);
    const [s1, , s3, control, sameTime] = rows;
    const pretrained = { name: 'strategy 3', accuracy: s3.accuracy, n };
    expectLine(
      'c29',
      `Pretrained vs scratch: ${transferSummary(pretrained, { name: 'from scratch', accuracy: s1.accuracy, n }, { target })}`,
    );
    expectLine(
      'c29',
      `Pre-training vs a random frozen backbone: ${compareAccuracy(pretrained, { name: 'random backbone', accuracy: control.accuracy, n }).sentence}`,
    );
    expectLine(
      'c29',
      `At strategy 3's time (at least one epoch): ${compareAccuracy(pretrained, { name: 'from scratch with that time', accuracy: sameTime.accuracy, n }).sentence}`,
    );
  } else {
    if (rows.length !== 8) return [`cell c21: expected 8 variation rows, found ${rows.length}`];
    checkColumn('vs frozen 32x32', 0);
    checkColumn('vs from scratch', 4);
    expectLine('c23', `Pretrained vs scratch: ${transferSummary(rows[0], rows[4], { target })}`);
    for (const i of [1, 2]) expectLine('c23', compareAccuracy(rows[i], rows[0]).sentence);
    expectLine(
      'c23',
      compareAccuracy(rows[3], rows[2]).sentence.replace(
        /^two-phase: \+ layer4 fine-tuned \+ augmentation/,
        'augmentation',
      ),
    );
    expectLine('c23', `Pre-training vs a random frozen backbone: ${compareAccuracy(rows[0], rows[5]).sentence}`);
    expectLine('c23', `At section 4's time (at least one epoch): ${compareAccuracy(rows[0], rows[6]).sentence}`);
    expectLine(
      'c23',
      `BatchNorm in phase 2, inference (Keras) vs training mode: ${compareAccuracy(rows[7], rows[2]).sentence}`,
    );
  }
  return problems;
}
