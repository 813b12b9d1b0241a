/** Loss and accuracy of a model over a batch source, in inference mode (the validation pass of `fit`). */
import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../data';
import { LossAccumulator } from './accumulator';
import { computeLoss, countCorrect, isClassificationLoss, type LossName } from './losses';

export interface LossAndAccuracy {
  /** Mean loss per sample. */
  loss: number;
  /** Top-1 accuracy, or null for regression. */
  accuracy: number | null;
  samples: number;
}

export async function measureLoss(
  model: tf.LayersModel,
  source: BatchSource,
  loss: LossName,
): Promise<LossAndAccuracy> {
  const classification = isClassificationLoss(loss);
  const acc = new LossAccumulator();
  for await (const b of source) {
    const [l, c] = tf.tidy(() => {
      const output = model.apply(b.x, { training: false }) as tf.Tensor;
      return [computeLoss(loss, output, b.y), classification ? countCorrect(output, b.y) : tf.scalar(0)];
    });
    const n = b.x.shape[0] ?? 0;
    const meanLoss = (await l.data())[0];
    const correct = (await c.data())[0];
    tf.dispose([l, c]);
    acc.add(meanLoss, n, correct, b.y.size);
  }
  if (acc.samples === 0) throw new Error('measureLoss: the source yielded no batches');
  return { loss: acc.loss, accuracy: classification ? acc.accuracy : null, samples: acc.samples };
}
