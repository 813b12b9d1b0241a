/**
 * `evaluate`: the lesson's test loop. Loss, accuracy, per-class accuracy, a confusion matrix, and the misclassified
 * samples (index, predicted, actual, confidence) as a DataFrame, optionally with their images for a grid.
 */
import * as pl from 'nodejs-polars';
import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../data';
import { ensureEngine } from '../engine';
import { throwIfInterrupted } from '../runtime';
import { dataFrameBundle, escapeHtml, type MimeBundle } from '../display';
import { LossAccumulator } from './accumulator';
import { ConfusionMatrix } from './confusion';
import { checkLossName, computeLoss, isClassificationLoss, type LossName } from './losses';
import { OptionError } from '../errors';
import { graphForward } from '../engine/graph'; // graph path

export interface EvaluateOptions {
  /** Names for class indices (e.g. CIFAR-10's). Default: '0', '1', ... */
  classNames?: readonly string[];
  /** Loss on the model's output: 'cross-entropy' (logits) or 'nll' (log-probabilities). Default: 'cross-entropy'. */
  loss?: LossName;
  /** Keep the input images of the first N misclassified samples (for `sampleGrid`). Default: 0. */
  keepMisclassified?: number;
}

export interface EvaluationResult {
  /** Mean loss per prediction. */
  loss: number;
  accuracy: number;
  samples: number;
  confusion: ConfusionMatrix;
  /** class, name, correct, total, accuracy. */
  perClass: pl.DataFrame;
  /** index, predicted, actual, predicted_name, actual_name, confidence; in source order. */
  misclassified: pl.DataFrame;
  /** `[k, ...]` inputs of the first `keepMisclassified` wrong samples (rows of `misclassified`), or undefined. Dispose it (or call `dispose()`). */
  misclassifiedImages?: tf.Tensor;
  /** Frees `misclassifiedImages`. */
  dispose(): void;
  toMimeBundle(): MimeBundle;
}

/** One misclassified prediction. */
export interface Misclassification {
  /** The sample's index in the source (`batch.indices`), or -1 when the source gives none. */
  index: number;
  predicted: number;
  actual: number;
  /** The predicted class's probability. */
  confidence: number;
}

/** What the test loop measures, before any table or display (`computeEvaluation`). */
export interface EvaluationCounts {
  /** Mean loss per prediction. */
  loss: number;
  samples: number;
  confusion: ConfusionMatrix;
  /** In source order. */
  misclassified: Misclassification[];
  /** `[k, ...]` inputs of the first `keepMisclassified` wrong samples, or undefined. */
  images?: tf.Tensor;
}

/**
 * The test loop of `evaluate`: loss, the confusion matrix, the misclassified predictions (and the first images of
 * them, on request). No tables, no display.
 */
export async function computeEvaluation(
  model: tf.LayersModel,
  source: BatchSource,
  options: EvaluateOptions = {},
): Promise<EvaluationCounts> {
  ensureEngine();
  const loss = checkLossName(options.loss ?? 'cross-entropy', 'evaluate options.loss');
  if (!isClassificationLoss(loss))
    throw new OptionError(
      `evaluate: needs a classification loss ('cross-entropy' or 'nll'). Received: '${loss}'; use measureLoss for regression`,
    );
  const keep = options.keepMisclassified ?? 0;
  let confusion: ConfusionMatrix | undefined;
  const wrong: Misclassification[] = [];
  const kept: tf.Tensor[] = [];
  const losses = new LossAccumulator();
  const forward = graphForward((x) => model.apply(x, { training: false }) as tf.Tensor); // graph path
  try {
    for await (const b of source) {
      let classes = 0;
      const [batchLoss, predicted, confidence] = tf.tidy(() => {
        const output = forward(b.x);
        classes = output.shape[output.shape.length - 1];
        const scores = tf.reshape(output, [-1, classes]);
        const probs = loss === 'cross-entropy' ? tf.softmax(scores) : tf.exp(scores);
        return [computeLoss(loss, output, b.y), tf.argMax(scores, 1), tf.max(probs, 1)];
      }) as [tf.Scalar, tf.Tensor1D, tf.Tensor1D];
      const [l, pred, conf, actual] = await Promise.all([
        batchLoss.data(),
        predicted.data(),
        confidence.data(),
        b.y.data(),
      ]);
      tf.dispose([batchLoss, predicted, confidence]);
      confusion ??= new ConfusionMatrix(classes, options.classNames);
      const actualInts = Array.from(actual, (v) => Math.round(v));
      confusion.add(actualInts, pred);
      losses.add(l[0], pred.length);
      const perSample = pred.length / (b.x.shape[0] ?? pred.length);
      for (let i = 0; i < pred.length; i++) {
        if (pred[i] === actualInts[i]) continue;
        const local = Math.floor(i / perSample);
        wrong.push({ index: b.indices[local] ?? -1, predicted: pred[i], actual: actualInts[i], confidence: conf[i] });
        if (kept.length < keep) kept.push(tf.tidy(() => tf.gather(b.x, [local]).squeeze([0])));
      }
      throwIfInterrupted();
    }
  } catch (err) {
    tf.dispose(kept);
    throw err;
  } finally {
    forward.dispose(); // graph path
  }
  if (!confusion) throw new Error('evaluate: the source yielded no batches');
  const images = kept.length > 0 ? tf.stack(kept) : undefined;
  tf.dispose(kept);
  return { loss: losses.loss, samples: losses.samples, confusion, misclassified: wrong, images };
}

/** The misclassified predictions as a DataFrame: index, predicted, actual, predicted_name, actual_name, confidence. */
function misclassifiedFrame(wrong: readonly Misclassification[], names: readonly string[]): pl.DataFrame {
  return pl.DataFrame([
    pl.Series(
      'index',
      wrong.map((w) => w.index),
      pl.Int32,
    ),
    pl.Series(
      'predicted',
      wrong.map((w) => w.predicted),
      pl.Int32,
    ),
    pl.Series(
      'actual',
      wrong.map((w) => w.actual),
      pl.Int32,
    ),
    pl.Series(
      'predicted_name',
      wrong.map((w) => names[w.predicted]),
      pl.Utf8,
    ),
    pl.Series(
      'actual_name',
      wrong.map((w) => names[w.actual]),
      pl.Utf8,
    ),
    pl.Series(
      'confidence',
      wrong.map((w) => w.confidence),
      pl.Float64,
    ),
  ]);
}

/**
 * `evaluate`'s presentation of the counts: the per-class and misclassified tables, and the display (a summary line,
 * per-class accuracy and the confusion matrix). The result owns `counts.images`.
 */
export function presentEvaluation(counts: EvaluationCounts): EvaluationResult {
  const cm = counts.confusion;
  const images = counts.images;
  const wrongCount = counts.misclassified.length;
  const result: EvaluationResult = {
    loss: counts.loss,
    accuracy: cm.accuracy,
    samples: counts.samples,
    confusion: cm,
    perClass: cm.perClassFrame(),
    misclassified: misclassifiedFrame(counts.misclassified, cm.classNames),
    misclassifiedImages: images,
    dispose: () => images?.dispose(),
    toMimeBundle: () => {
      const head = `Evaluation: ${result.samples} predictions, loss ${result.loss.toFixed(4)}, accuracy ${(result.accuracy * 100).toFixed(2)}%, ${wrongCount} misclassified`;
      const cmBundle = cm.toMimeBundle();
      const perClass = dataFrameBundle(result.perClass);
      return {
        'text/plain': `${head}\n\nPer-class accuracy:\n${perClass['text/plain']}\n\n${cmBundle['text/plain']}`,
        'text/html': `<p>${escapeHtml(head)}</p><p>Per-class accuracy:</p>${perClass['text/html']}<br>${cmBundle['text/html']}`,
      };
    },
  };
  return result;
}

/**
 * Evaluates a classifier on a batch source: `computeEvaluation` (the loop) then `presentEvaluation` (tables and
 * display).
 */
export async function evaluate(
  model: tf.LayersModel,
  source: BatchSource,
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  return presentEvaluation(await computeEvaluation(model, source, options));
}
