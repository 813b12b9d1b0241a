/**
 * The graph the original lesson describes in words: tanh and its derivative tanh′(x) = 1 − tanh²(x). The
 * derivative is at most 1 (at x = 0) and close to 0 outside (−4, 4); backpropagation through time multiplies one such
 * factor per step. A Plotly chart, computed here (no data, no network).
 */
import { PlotlyFigure, type PlotlyFigureOptions } from '../../viz';

export interface TanhDerivativeOptions extends PlotlyFigureOptions {
  /** Half-width of the x range. Default: 6. */
  range?: number;
  /** Points on the curve. Default: 241. */
  points?: number;
  /** Where "close to 0" starts, as in the original's "(-4, 4)". Default: 4. */
  saturation?: number;
}

/** tanh′(x) = 1 − tanh²(x). */
export function tanhDerivative(x: number): number {
  const t = Math.tanh(x);
  return 1 - t * t;
}

export function tanhDerivativeChart(options: TanhDerivativeOptions = {}): PlotlyFigure {
  const range = options.range ?? 6;
  const n = options.points ?? 241;
  const s = options.saturation ?? 4;
  if (!(range > s && s > 0) || !(Number.isInteger(n) && n >= 3)) {
    throw new Error(
      `tanhDerivativeChart: expected range > saturation > 0 and points >= 3. Received range ${range}, saturation ${s}, points ${n}`,
    );
  }
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  const xs = Array.from({ length: n }, (_, i) => round(-range + (2 * range * i) / (n - 1)));
  const edge = tanhDerivative(s);
  // An upper bound with 3 significant digits (tanh′(4) = 1.3409e-3 -> "1.35e-3"): tanh′ falls as |x| grows.
  const exp = Math.floor(Math.log10(edge));
  const bound = `${(Math.ceil(edge / 10 ** (exp - 2)) / 100).toFixed(2)}e${exp}`;
  const data = [
    {
      type: 'scatter',
      mode: 'lines',
      name: 'tanh(x)',
      x: xs,
      y: xs.map((x) => round(Math.tanh(x))),
      line: { color: '#9ca3af', dash: 'dot' },
    },
    {
      type: 'scatter',
      mode: 'lines',
      name: 'tanh′(x) = 1 − tanh²(x)',
      x: xs,
      y: xs.map((x) => round(tanhDerivative(x))),
      line: { color: '#dc2626', width: 3 },
    },
  ];
  const shade = (x0: number, x1: number) => ({
    type: 'rect',
    xref: 'x',
    yref: 'paper',
    x0,
    x1,
    y0: 0,
    y1: 1,
    fillcolor: '#e5e7eb',
    opacity: 0.5,
    line: { width: 0 },
    layer: 'below',
  });
  const layout = {
    title: { text: 'tanh의 미분 tanh′: 최댓값 1, (−4, 4) 밖에서는 거의 0  ·  the derivative of tanh' },
    xaxis: { title: { text: 'x' }, range: [-range, range], zeroline: true },
    yaxis: { title: { text: 'value' }, range: [-1.1, 1.15] },
    shapes: [shade(-range, -s), shade(s, range)],
    annotations: [
      { x: 0, y: 1, text: 'max tanh′(0) = 1', showarrow: true, arrowhead: 2, ax: 60, ay: -25 },
      { x: s + (range - s) / 2, y: 0.35, text: `|x| ≥ ${s}: tanh′ ≤ ${bound}`, showarrow: false },
      { x: -(s + (range - s) / 2), y: 0.35, text: `|x| ≥ ${s}: tanh′ ≤ ${bound}`, showarrow: false },
    ],
    legend: { orientation: 'h', y: -0.18 },
  };
  const summary =
    `tanh′(x) = 1 − tanh²(x) on [−${range}, ${range}]: maximum 1 at x = 0; tanh′(${s}) ≈ ${edge.toExponential(2)}, ` +
    `so outside (−${s}, ${s}) each step of backpropagation multiplies the gradient by at most ${bound}`;
  return new PlotlyFigure(data, layout, summary, { height: options.height ?? 380 });
}
