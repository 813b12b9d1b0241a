/**
 * `LogSoftmax`: PyTorch's `nn.LogSoftmax(dim=1)` as a layer, for heads trained with an NLL loss as in the lesson
 * (`nn.Sequential(nn.Linear(in, 10), nn.LogSoftmax(dim=1))`). tfjs has no log-softmax activation.
 */
import * as tf from '@tensorflow/tfjs';

export class LogSoftmax extends tf.layers.Layer {
  static className = 'LogSoftmax';

  constructor(args: { name?: string } = {}) {
    super(args);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.logSoftmax(Array.isArray(inputs) ? inputs[0] : inputs);
  }
}
