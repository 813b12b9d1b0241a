/** The two grids the lessons show: wrong predictions ("pred: X, actual: Y") and a first look at each class. */
import * as tf from '@tensorflow/tfjs';
import { predictionCaption, sampleGrid, type ImageGrid, type SampleGridOptions } from './image-grid';

/** What `misclassifiedGrid` reads of an evaluation (train's `EvaluationResult` has it; viz does not import train). */
export interface MisclassifiedSamples {
  /** The kept images, `[k, ...]`, or undefined when none were kept. */
  misclassifiedImages?: tf.Tensor;
  /** One row per wrong prediction, with `predicted` and `actual` class indices. */
  misclassified: { head(n: number): { toRecords(): unknown[] } };
  confusion: { classNames: readonly string[] };
}

export type MisclassifiedGridOptions = Omit<SampleGridOptions, 'captions'>;

/**
 * The misclassified samples `evaluate` kept (`keepMisclassified: N`), captioned `pred: X, actual: Y` with the class
 * names. Default layout: 2 rows x 5 columns, as in the lesson.
 */
export async function misclassifiedGrid(
  result: MisclassifiedSamples,
  options: MisclassifiedGridOptions = {},
): Promise<ImageGrid> {
  const images = result.misclassifiedImages;
  if (!images)
    throw new Error('misclassifiedGrid: the evaluation kept no images; call evaluate(..., {keepMisclassified: 10})');
  const rows = result.misclassified.head(images.shape[0]).toRecords() as { predicted: number; actual: number }[];
  const cols = options.cols ?? 5;
  const shown = Math.min(rows.length, (options.rows ?? Math.ceil(rows.length / cols)) * cols);
  const names = result.confusion.classNames;
  return sampleGrid(images, {
    title: 'Wrong predictions',
    rows: Math.ceil(shown / cols),
    ...options,
    cols,
    captions: rows.slice(0, shown).map((r) => predictionCaption(r.predicted, r.actual, names)),
  });
}

export interface ClassSamplesOptions extends Omit<SampleGridOptions, 'captions' | 'rows' | 'cols' | 'rowLabels'> {
  /** Class names; row r shows class r. Required. */
  classNames: readonly string[];
  /** Images per class (columns). Default: 8. */
  perClass?: number;
}

/** A grid with one row per class: the first `perClass` images of each class, each row labelled with its class name. */
export async function classSamplesGrid(
  images: tf.Tensor,
  labels: tf.Tensor | ArrayLike<number>,
  options: ClassSamplesOptions,
): Promise<ImageGrid> {
  const perClass = options.perClass ?? 8;
  const k = options.classNames.length;
  const labelValues = labels instanceof tf.Tensor ? await labels.data() : labels;
  if (labelValues.length !== images.shape[0])
    throw new Error(`classSamplesGrid: ${images.shape[0]} images but ${labelValues.length} labels`);
  const picks: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < labelValues.length; i++) {
    const c = Math.round(labelValues[i]);
    if (c < 0 || c >= k)
      throw new Error(`classSamplesGrid: label ${c} at position ${i} is outside the ${k} class names`);
    if (picks[c].length < perClass) picks[c].push(i);
  }
  const short = picks.findIndex((p) => p.length < perClass);
  if (short >= 0)
    throw new Error(
      `classSamplesGrid: class ${options.classNames[short]} has only ${picks[short].length} image(s); asked for ${perClass} per class`,
    );
  const chosen = tf.gather(images, picks.flat());
  try {
    return await sampleGrid(chosen, {
      title: 'Samples per class',
      ...options,
      rows: k,
      cols: perClass,
      rowLabels: options.classNames,
    });
  } finally {
    chosen.dispose();
  }
}
