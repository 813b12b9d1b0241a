/** Per-class accuracy as bars. */
import { PlotlyFigure, type PlotlyFigureOptions } from './figure';

export interface ClassAccuracyOptions extends PlotlyFigureOptions {
  /** Chart title. Default: 'Accuracy per class'. */
  title?: string;
}

/** `accuracy[i]` is the accuracy of class `classNames[i]` (NaN or null for a class with no samples). */
export function classAccuracyBars(
  classNames: readonly string[],
  accuracy: readonly (number | null)[],
  options: ClassAccuracyOptions = {},
): PlotlyFigure {
  if (classNames.length !== accuracy.length) {
    throw new Error(`classAccuracyBars: ${classNames.length} class names but ${accuracy.length} accuracies`);
  }
  const y = accuracy.map((a) => (a === null || Number.isNaN(a) ? null : a));
  const valid = y.map((a, i) => [a, i] as const).filter((p): p is readonly [number, number] => p[0] !== null);
  const worst = valid.reduce<readonly [number, number] | undefined>(
    (w, p) => (w === undefined || p[0] < w[0] ? p : w),
    undefined,
  );
  const summary =
    `Accuracy per class: ${classNames.map((n, i) => `${n} ${y[i] === null ? 'n/a' : `${((y[i] as number) * 100).toFixed(1)}%`}`).join(', ')}` +
    (worst ? `; lowest: ${classNames[worst[1]]}` : '');
  const data = [
    {
      type: 'bar',
      x: [...classNames],
      y,
      text: y.map((a) => (a === null ? '' : `${(a * 100).toFixed(1)}%`)),
      textposition: 'auto',
    },
  ];
  const layout = {
    title: { text: options.title ?? 'Accuracy per class' },
    xaxis: { title: { text: 'class' }, type: 'category' },
    yaxis: { title: { text: 'accuracy' }, range: [0, 1] },
  };
  return new PlotlyFigure(data, layout, summary, options);
}
