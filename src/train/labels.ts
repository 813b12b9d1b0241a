/** The class-label check of `fit`: labels are integers in [0, classes), checked per batch before it trains. */
import type * as tf from '@tensorflow/tfjs';
import { LabelRangeError } from '../errors';

/** Number of classes of a classifier: the last axis of its (first) output. */
export function outputClasses(model: tf.LayersModel): number | undefined {
  const shape = model.outputs[0]?.shape;
  const c = shape?.[shape.length - 1];
  return typeof c === 'number' && c > 0 ? c : undefined;
}

/**
 * Class labels must be integers in [0, classes); checked on the batch's own label tensor (a few hundred numbers)
 * before the step, so a bad label never trains. The error names the value, its sample index and the batch.
 */
export async function checkLabels(
  y: tf.Tensor,
  classes: number,
  indices: Int32Array | undefined,
  epoch: number,
  batch: number,
): Promise<void> {
  const values = await y.data();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isInteger(v) && v >= 0 && v < classes) continue;
    const perSample = values.length / Math.max(1, y.shape[0] ?? values.length);
    const local = Math.floor(i / perSample);
    const sample = indices?.[local];
    const where = `${sample !== undefined ? `sample index ${sample}` : `position ${local}`} (batch ${batch} of epoch ${epoch}${perSample > 1 ? `, label ${i % perSample} of that sample` : ''})`;
    throw new LabelRangeError(
      `fit: label ${v} at ${where} is ${Number.isInteger(v) ? 'outside' : 'not an integer in'} [0, ${classes}); expected integer class ` +
        `indices 0..${classes - 1}, because the model outputs ${classes} classes. Check the labels, or the model's number of classes.`,
      v,
      sample ?? local,
    );
  }
}
