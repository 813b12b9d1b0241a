/** Gradient norm per time step for the RNN family (the vanishing-gradient picture). */
import { PlotlyFigure, type PlotlyFigureOptions } from './figure';

export interface GradientNormSeries {
  /** e.g. 'SimpleRNN', 'LSTM', 'GRU'. */
  name: string;
  /** ||d loss / d h_t|| for t = 1..T. */
  norms: readonly number[];
}

export interface GradientNormOptions extends PlotlyFigureOptions {
  /** Logarithmic y axis (vanishing gradients span many decades). Default: true. */
  logScale?: boolean;
  /** Chart title. Default: 'Gradient norm per time step'. */
  title?: string;
}

export function gradientNormChart(
  series: readonly GradientNormSeries[],
  options: GradientNormOptions = {},
): PlotlyFigure {
  if (series.length === 0) throw new Error('gradientNormChart: expected at least one series');
  const data = series.map((s) => ({
    type: 'scatter',
    mode: 'lines',
    name: s.name,
    x: s.norms.map((_, t) => t + 1),
    y: [...s.norms],
  }));
  const ratio = (n: readonly number[]) => (n.length > 0 && n[n.length - 1] !== 0 ? n[0] / n[n.length - 1] : NaN);
  const summary =
    `Gradient norm per time step: ` +
    series
      .map(
        (s) =>
          `${s.name}: first ${s.norms[0]?.toExponential(2)}, last ${s.norms[s.norms.length - 1]?.toExponential(2)} (ratio ${ratio(s.norms).toExponential(2)})`,
      )
      .join('; ');
  const layout = {
    title: { text: options.title ?? 'Gradient norm per time step' },
    xaxis: { title: { text: 'time step t' } },
    yaxis: { title: { text: '||dL/dh_t||' }, type: (options.logScale ?? true) ? 'log' : 'linear' },
  };
  return new PlotlyFigure(data, layout, summary, options);
}
