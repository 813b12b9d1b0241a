/** A confusion-matrix heatmap with class names (rows: actual, columns: predicted). */
import { PlotlyFigure, type PlotlyFigureOptions } from './figure';

/** What the chart needs from a confusion matrix (the train area's `ConfusionMatrix` fits). */
export interface ConfusionCounts {
  counts: readonly (readonly number[])[];
  classNames: readonly string[];
}

export interface ConfusionHeatmapOptions extends PlotlyFigureOptions {
  /** Colour by the share of each actual class (row) instead of the count; cells still show counts. Default: false. */
  normalize?: boolean;
  /** Chart title. Default: 'Confusion matrix'. */
  title?: string;
}

export function confusionHeatmap(matrix: ConfusionCounts, options: ConfusionHeatmapOptions = {}): PlotlyFigure {
  const names = [...matrix.classNames];
  const counts = matrix.counts.map((row) => [...row]);
  const z = options.normalize
    ? counts.map((row) => {
        const n = row.reduce((a, b) => a + b, 0);
        return row.map((c) => (n === 0 ? 0 : c / n));
      })
    : counts;
  const total = counts.flat().reduce((a, b) => a + b, 0);
  const correct = counts.reduce((s, row, i) => s + row[i], 0);
  let worst = { count: 0, actual: '', predicted: '' };
  counts.forEach((row, i) =>
    row.forEach((c, j) => {
      if (i !== j && c > worst.count) worst = { count: c, actual: names[i], predicted: names[j] };
    }),
  );
  const summary =
    `Confusion matrix: ${names.length} classes, ${total} samples, ${correct} correct` +
    (worst.count > 0 ? `; most common error: ${worst.actual} predicted as ${worst.predicted} (${worst.count})` : '');
  const data = [
    {
      type: 'heatmap',
      x: names,
      y: names,
      z,
      text: counts.map((row) => row.map(String)),
      texttemplate: '%{text}',
      // Plotly's 'Blues' runs from dark (low) to light (high); reversed, the large counts are the dark cells.
      colorscale: 'Blues',
      reversescale: true,
      hovertemplate: 'actual %{y}<br>predicted %{x}<br>count %{text}<extra></extra>',
    },
  ];
  const layout = {
    title: { text: options.title ?? 'Confusion matrix' },
    xaxis: { title: { text: 'predicted' }, type: 'category' },
    yaxis: { title: { text: 'actual' }, type: 'category', autorange: 'reversed' },
  };
  return new PlotlyFigure(data, layout, summary, { height: 480, ...options });
}
