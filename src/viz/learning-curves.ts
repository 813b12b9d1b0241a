/** Learning curves: train vs validation loss (left) and accuracy (right) per epoch. */
import { PlotlyFigure, type PlotlyFigureOptions, type PlotlyTrace } from './figure';

/** The numbers of one epoch that the chart reads (train's `EpochRecord` has them; viz does not import train). */
export interface EpochPoint {
  epoch: number;
  train_loss: number;
  train_acc: number | null;
  val_loss: number | null;
  val_acc: number | null;
}

/** A History, or its records. */
export type EpochSeries = { records: readonly EpochPoint[] } | readonly EpochPoint[];

export interface LearningCurveOptions extends PlotlyFigureOptions {
  /** Chart title. Default: 'Learning curves'. */
  title?: string;
}

function recordsOf(history: EpochSeries): readonly EpochPoint[] {
  return Array.isArray(history)
    ? (history as readonly EpochPoint[])
    : (history as { records: readonly EpochPoint[] }).records;
}

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(4));

export function learningCurves(history: EpochSeries, options: LearningCurveOptions = {}): PlotlyFigure {
  const records = recordsOf(history);
  const epochs = records.map((r) => r.epoch);
  const series: [keyof EpochPoint, string, string, string, boolean][] = [
    ['train_loss', 'train loss', 'x', 'y', false],
    ['val_loss', 'validation loss', 'x', 'y', true],
    ['train_acc', 'train accuracy', 'x2', 'y2', false],
    ['val_acc', 'validation accuracy', 'x2', 'y2', true],
  ];
  const data: PlotlyTrace[] = [];
  for (const [key, name, xaxis, yaxis, dashed] of series) {
    const y = records.map((r) => r[key] as number | null);
    if (y.every((v) => v === null)) continue;
    data.push({
      type: 'scatter',
      mode: 'lines+markers',
      name,
      x: epochs,
      y,
      xaxis,
      yaxis,
      line: { dash: dashed ? 'dash' : 'solid', color: key.endsWith('loss') ? '#1f77b4' : '#d62728' },
    });
  }
  const last = records[records.length - 1];
  const summary =
    records.length === 0
      ? 'Learning curves: no epochs yet'
      : `Learning curves: ${records.length} epoch(s); last epoch ${last.epoch}: train_loss ${fmt(last.train_loss)}, ` +
        `train_acc ${fmt(last.train_acc)}, val_loss ${fmt(last.val_loss)}, val_acc ${fmt(last.val_acc)}`;
  // The legend sits in the top margin, between the title and the plots: below the plots, a horizontal legend
  // would cover the "epoch" axis titles.
  const layout = {
    title: { text: options.title ?? 'Learning curves', y: 0.97, yanchor: 'top', yref: 'container' },
    margin: { t: 110 },
    grid: { rows: 1, columns: 2, pattern: 'independent' },
    xaxis: { title: { text: 'epoch' }, dtick: 1 },
    yaxis: { title: { text: 'loss' } },
    xaxis2: { title: { text: 'epoch' }, dtick: 1 },
    yaxis2: { title: { text: 'accuracy' }, range: [0, 1] },
    legend: { orientation: 'h', x: 0.5, xanchor: 'center', y: 1.04, yanchor: 'bottom' },
  };
  return new PlotlyFigure(data, layout, summary, options);
}
