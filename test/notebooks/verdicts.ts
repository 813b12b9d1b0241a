/**
 * The generated verdicts of an executed notebook 03, re-derived from its own numbers: every verdict column and every
 * generated sentence must be what the library's verdict functions say for the numbers the same run shows. This is what
 * lets the regression test check verdicts whose words may change between runs (training is not bit-reproducible),
 * where comparing words with a stored reference would be flaky.
 *
 * Numbers come from the outputs themselves: the gradient-flow chart's Plotly JSON (full precision), and the HTML
 * tables of the DataFrame adapter (7 significant digits).
 */
import {
  forecastSummary,
  forecastVerdict,
  gradientFlowSummary,
  gradientFlowVerdict,
  recurrentAccuracySummary,
} from '../../src/train/rnn-verdicts';

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
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** The first HTML table a cell shows, as rows of objects keyed by column name (dtype suffix removed). */
export function firstTable(cell: ExecutedCell): Record<string, string>[] {
  const html = (cell.outputs ?? []).map((o) => joined(o.data?.['text/html'])).find((h) => h.includes('<table'));
  if (!html) throw new Error(`cell ${cell.id}: no HTML table`);
  const header = [...html.matchAll(/<th>([\s\S]*?)<\/th>/g)].map((m) => unescape(m[1]).replace(/ \([A-Za-z0-9]+\)$/, ''));
  const body = html.slice(html.indexOf('<tbody>'));
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((tr) => {
    const cells = [...tr[1].matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => unescape(m[1]));
    return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
  });
}

const streamText = (cell: ExecutedCell) => (cell.outputs ?? []).filter((o) => o.output_type === 'stream').map((o) => joined(o.text)).join('');

function chartTraces(cell: ExecutedCell): { name: string; y: number[] }[] {
  const fig = (cell.outputs ?? []).map((o) => o.data?.[PLOTLY] as { data: { name: string; y: number[] }[] } | undefined).find(Boolean);
  if (!fig) throw new Error(`cell ${cell.id}: no Plotly chart`);
  return fig.data;
}

/** Problems found in notebook 03's generated verdicts (empty when every verdict follows from its numbers). */
export function rnnVerdictProblems(nb: ExecutedNotebook): string[] {
  const problems: string[] = [];
  const cell = (id: string) => {
    const c = nb.cells.find((x) => x.id === id);
    if (!c) throw new Error(`notebook 03 has no cell ${id}`);
    return c;
  };
  // Sentences are printed wrapped (wrapText), so compare with runs of whitespace made single spaces.
  const flat = (t: string) => t.replace(/\s+/g, ' ');
  const expectLine = (id: string, sentence: string) => {
    if (!flat(streamText(cell(id))).includes(flat(sentence))) problems.push(`cell ${id}: expected the generated sentence\n  ${sentence}\nin its output:\n  ${streamText(cell(id)).trim()}`);
  };

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
    if (row.verdict !== want) problems.push(`cell c15: ${row.cell}: verdict "${row.verdict}", but its ratio ${ratio(trace)} means "${want}"`);
  }
  const steps = traces[0].y.length;
  expectLine('c15', gradientFlowSummary(traces.map((t) => ({ name: t.name, firstToLastRatio: ratio(t) })), steps));

  // 6.1: forecasts against the naive baseline.
  const forecast = firstTable(cell('c18'));
  const naive = forecast.find((r) => r.model.startsWith('naive'));
  if (!naive) problems.push('cell c18: no naive row');
  else {
    const naiveRmse = Number(naive.test_rmse_celsius);
    const models = forecast.filter((r) => r !== naive);
    for (const r of models) {
      const want = forecastVerdict(Number(r.test_rmse_celsius), naiveRmse);
      if (r.verdict !== want) problems.push(`cell c18: ${r.model}: verdict "${r.verdict}", but RMSE ${r.test_rmse_celsius} against ${naiveRmse} means "${want}"`);
    }
    expectLine('c18', forecastSummary(models.map((r) => ({ model: r.model, rmse: Number(r.test_rmse_celsius) })), naiveRmse, '°C'));
  }

  // 6.2: accuracies against chance on n test images.
  const sizes = /train (\d+) sequences of 28 steps x 28 features, test (\d+)/.exec(streamText(cell('c22')));
  const epochs = /profile \w+: (\d+) epochs per model/.exec(streamText(cell('c02')));
  const simple = traces.find((t) => t.name === 'SimpleRNN');
  if (!sizes || !epochs || !simple) problems.push('cells c02/c15/c22: the run sizes, epochs or the SimpleRNN probe are missing');
  else {
    const rows = firstTable(cell('c22')).map((r) => ({ name: r.model, accuracy: Number(r.test_accuracy), parameters: Number(r.parameters) }));
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
