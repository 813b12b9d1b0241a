/**
 * Loss functions by name, and the accuracy count that goes with them.
 *
 * - `cross-entropy`: the model outputs logits `[..., C]`, targets are int class indices `[...]`
 *   (PyTorch's `nn.CrossEntropyLoss`).
 * - `nll`: the model outputs log-probabilities (a `LogSoftmax` head), targets are class indices (`nn.NLLLoss`).
 * - `mse`: regression; the output and the target have the same shape (`nn.MSELoss`). No accuracy.
 *
 * All three return the mean over samples (and over time steps for sequence outputs), as PyTorch's defaults do.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '../errors';

export type LossName = 'cross-entropy' | 'nll' | 'mse';

export const LOSS_NAMES: readonly LossName[] = ['cross-entropy', 'nll', 'mse'];

/** Whether a loss is a classification loss (then accuracy, confusion matrices and class names make sense). */
export function isClassificationLoss(loss: LossName): boolean {
  return loss !== 'mse';
}

export function checkLossName(loss: unknown, where: string): LossName {
  if (typeof loss === 'string' && (LOSS_NAMES as readonly string[]).includes(loss)) return loss as LossName;
  throw new OptionError(
    `${where}: expected loss to be one of ${LOSS_NAMES.map((n) => `'${n}'`).join(', ')}. Received: ${JSON.stringify(loss)}`,
  );
}

/** Flattens `[..., C]` outputs to `[N, C]` and `[...]` class targets to `[N]` (int32). */
function flattenClassification(output: tf.Tensor, target: tf.Tensor): { scores: tf.Tensor2D; labels: tf.Tensor1D } {
  const classes = output.shape[output.shape.length - 1];
  if (output.rank < 2 || classes < 2) {
    throw new Error(
      `classification loss: expected model output [batch, ..., classes] with classes >= 2. Received shape [${output.shape}]`,
    );
  }
  if (target.size * classes !== output.size) {
    throw new Error(
      `classification loss: target shape [${target.shape}] does not match output shape [${output.shape}] (expected the output shape without its last axis)`,
    );
  }
  return {
    scores: tf.reshape(output, [-1, classes]) as tf.Tensor2D,
    labels: tf.cast(tf.reshape(target, [-1]), 'int32') as tf.Tensor1D,
  };
}

/** The mean loss of one batch, as a scalar. Call it inside `tf.tidy` or a gradient function. */
export function computeLoss(loss: LossName, output: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    if (loss === 'mse') {
      if (output.size !== target.size) {
        throw new Error(`mse loss: output shape [${output.shape}] and target shape [${target.shape}] differ in size`);
      }
      return tf.mean(tf.squaredDifference(output, tf.reshape(tf.cast(target, 'float32'), output.shape))) as tf.Scalar;
    }
    const { scores, labels } = flattenClassification(output, target);
    const logProbs = loss === 'cross-entropy' ? tf.logSoftmax(scores) : scores;
    const picked = tf.sum(tf.mul(tf.oneHot(labels, scores.shape[1]), logProbs), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}

/** Number of correct top-1 predictions in a batch (a scalar tensor), for classification losses. */
export function countCorrect(output: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const { scores, labels } = flattenClassification(output, target);
    return tf.sum(tf.cast(tf.equal(tf.argMax(scores, 1), labels), 'int32')) as tf.Scalar;
  });
}
