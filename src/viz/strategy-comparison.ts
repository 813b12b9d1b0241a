/** The transfer-learning strategies side by side: test accuracy against training time. */
import { PlotlyFigure, type PlotlyFigureOptions } from './figure';

export interface StrategyResult {
  /** e.g. 'strategy 1: architecture only'. */
  strategy: string;
  /** Test accuracy in [0, 1]. */
  accuracy: number;
  /** Training wall time in seconds. */
  seconds: number;
}

export interface StrategyComparisonOptions extends PlotlyFigureOptions {
  /** Chart title. Default: 'Freeze strategies: accuracy vs training time'. */
  title?: string;
}

export function strategyComparison(
  results: readonly StrategyResult[],
  options: StrategyComparisonOptions = {},
): PlotlyFigure {
  if (results.length === 0) throw new Error('strategyComparison: expected at least one strategy result');
  // Each label opens away from the nearer side of the plot, so that the slowest strategy's label is not cut off at
  // the right edge (nor the fastest one's at the left).
  const slowest = Math.max(...results.map((r) => r.seconds), 1e-9);
  const labelSide = (seconds: number) =>
    seconds / slowest > 0.67 ? 'top left' : seconds / slowest < 0.33 ? 'top right' : 'top center';
  const data = results.map((r) => ({
    type: 'scatter',
    mode: 'markers+text',
    name: r.strategy,
    x: [r.seconds],
    y: [r.accuracy],
    text: [r.strategy],
    textposition: labelSide(r.seconds),
    cliponaxis: false,
    marker: { size: 14 },
  }));
  const summary = `Strategy comparison: ${results.map((r) => `${r.strategy}: ${(r.accuracy * 100).toFixed(2)}% in ${r.seconds.toFixed(1)} s`).join('; ')}`;
  const layout = {
    title: { text: options.title ?? 'Freeze strategies: accuracy vs training time' },
    xaxis: { title: { text: 'training time (s)' }, range: [0, slowest * 1.08] },
    yaxis: { title: { text: 'test accuracy' }, range: [0, 1.05] },
    showlegend: true,
  };
  return new PlotlyFigure(data, layout, summary, options);
}
