/** Loss and accuracy of a model over a batch source, in inference mode (the validation pass of `fit`). */
import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../data/batch';
import { computeLoss, countCorrect, isClassificationLoss, type LossName } from './losses';

export interface LossAndAccuracy {
  /** Mean loss per sample. */
  loss: number;
  /** Top-1 accuracy, or null for regression. */
  accuracy: number | null;
  samples: number;
}

export async function measureLoss(model: tf.LayersModel, source: BatchSource, loss: LossName): Promise<LossAndAccuracy> {
  const classification = isClassificationLoss(loss);
  let lossSum = 0;
  let samples = 0;
  let correct = 0;
  let targets = 0;
  for await (const b of source) {
    const [l, c] = tf.tidy(() => {
      const output = model.apply(b.x, { training: false }) as tf.Tensor;
      return [computeLoss(loss, output, b.y), classification ? countCorrect(output, b.y) : tf.scalar(0)];
    });
    const n = b.x.shape[0] ?? 0;
    lossSum += (await l.data())[0] * n;
    correct += (await c.data())[0];
    tf.dispose([l, c]);
    samples += n;
    targets += b.y.size;
  }
  if (samples === 0) throw new Error('measureLoss: the source yielded no batches');
  return { loss: lossSum / samples, accuracy: classification ? correct / targets : null, samples };
}
