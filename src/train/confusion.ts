/**
 * Confusion matrix: `counts[actual][predicted]` (rows are the true class, as in scikit-learn), and the numbers read
 * from it. Pure arithmetic on JS arrays; the tensors were read once at the edge.
 */
import * as pl from 'nodejs-polars';
import type { MimeBundle } from '../display';
import { escapeHtml } from '../display';
import { LabelRangeError, OptionError } from '../errors';

export class ConfusionMatrix {
  readonly counts: number[][];
  readonly classNames: string[];

  /** An empty matrix for `numClasses` classes; `classNames` defaults to '0', '1', ... */
  constructor(numClasses: number, classNames?: readonly string[]) {
    if (!Number.isInteger(numClasses) || numClasses < 1)
      throw new OptionError(`ConfusionMatrix: expected numClasses >= 1. Received: ${numClasses}`);
    if (classNames && classNames.length !== numClasses) {
      throw new Error(`ConfusionMatrix: expected ${numClasses} class names. Received: ${classNames.length}`);
    }
    this.counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
    this.classNames = classNames ? [...classNames] : Array.from({ length: numClasses }, (_, i) => String(i));
  }

  /** Builds a matrix from pairs of actual and predicted class indices. */
  static fromLabels(
    actual: ArrayLike<number>,
    predicted: ArrayLike<number>,
    numClasses: number,
    classNames?: readonly string[],
  ): ConfusionMatrix {
    const m = new ConfusionMatrix(numClasses, classNames);
    m.add(actual, predicted);
    return m;
  }

  get numClasses(): number {
    return this.counts.length;
  }

  add(actual: ArrayLike<number>, predicted: ArrayLike<number>): void {
    if (actual.length !== predicted.length) {
      throw new Error(`ConfusionMatrix.add: ${actual.length} actual labels but ${predicted.length} predictions`);
    }
    const k = this.numClasses;
    for (let i = 0; i < actual.length; i++) {
      const a = actual[i];
      const p = predicted[i];
      if (!(Number.isInteger(a) && a >= 0 && a < k && Number.isInteger(p) && p >= 0 && p < k)) {
        const badActual = !(Number.isInteger(a) && a >= 0 && a < k);
        throw new LabelRangeError(
          `ConfusionMatrix.add: label pair ${i} is (actual ${a}, predicted ${p}); expected integers in [0, ${k})`,
          badActual ? a : p,
          i,
        );
      }
      this.counts[a][p] += 1;
    }
  }

  get total(): number {
    return this.counts.reduce((s, row) => s + row.reduce((t, c) => t + c, 0), 0);
  }

  get correct(): number {
    return this.counts.reduce((s, row, i) => s + row[i], 0);
  }

  get accuracy(): number {
    return this.total === 0 ? NaN : this.correct / this.total;
  }

  /** Samples per true class (row sums). */
  support(): number[] {
    return this.counts.map((row) => row.reduce((t, c) => t + c, 0));
  }

  /** Accuracy per true class (recall): diagonal over row sum; NaN for a class with no samples. */
  perClassAccuracy(): number[] {
    return this.counts.map((row, i) => {
      const n = row.reduce((t, c) => t + c, 0);
      return n === 0 ? NaN : row[i] / n;
    });
  }

  /** Per-class table: class, name, correct, total, accuracy. */
  perClassFrame(): pl.DataFrame {
    const support = this.support();
    const acc = this.perClassAccuracy();
    return pl.DataFrame([
      pl.Series(
        'class',
        this.counts.map((_, i) => i),
        pl.Int32,
      ),
      pl.Series('name', this.classNames, pl.Utf8),
      pl.Series(
        'correct',
        this.counts.map((row, i) => row[i]),
        pl.Int32,
      ),
      pl.Series('total', support, pl.Int32),
      pl.Series(
        'accuracy',
        acc.map((a) => (Number.isNaN(a) ? null : a)),
        pl.Float64,
      ),
    ]);
  }

  toMimeBundle(): MimeBundle {
    const names = this.classNames;
    const width = Math.max(6, ...names.map((n) => n.length), ...this.counts.flat().map((c) => String(c).length));
    const pad = (s: string) => s.padStart(width);
    const lines = [
      `Confusion matrix (rows: actual, columns: predicted), ${this.total} samples, accuracy ${(this.accuracy * 100).toFixed(2)}%`,
      [pad(''), ...names.map(pad)].join(' '),
      ...this.counts.map((row, i) => [pad(names[i]), ...row.map((c) => pad(String(c)))].join(' ')),
    ];
    const head = `<tr><th>actual \\ predicted</th>${names.map((n) => `<th>${escapeHtml(n)}</th>`).join('')}</tr>`;
    const rows = this.counts
      .map(
        (row, i) =>
          `<tr><th>${escapeHtml(names[i])}</th>${row.map((c, j) => `<td${i === j ? ' style="font-weight:bold"' : ''}>${c}</td>`).join('')}</tr>`,
      )
      .join('');
    return {
      'text/plain': lines.join('\n'),
      'text/html': `<table class="lessonkit-confusion" border="1" style="border-collapse:collapse">${head}${rows}</table>`,
    };
  }
}
