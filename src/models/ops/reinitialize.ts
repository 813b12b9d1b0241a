/**
 * torchvision's initialization, applied to an existing model (the builders' random init, and freeze strategy 1,
 * "keep the architecture, re-learn every weight"):
 * - Conv2D kernels: Kaiming normal, fan-out, ReLU gain (std = sqrt(2 / (out_channels * kh * kw)));
 * - TorchBatchNorm: gamma 1, beta 0, moving mean 0, moving variance 1;
 * - Dense: PyTorch's `nn.Linear` default, weight and bias uniform in ±1/sqrt(in_features).
 */
import * as tf from '@tensorflow/tfjs';

export interface ReinitializeOptions {
  /** Base seed (each weight gets seed + its index). Default: unseeded. */
  seed?: number;
  /** Only layers whose name passes this test. Default: every layer. */
  filter?: (layerName: string) => boolean;
}

/** Re-draws every weight of the selected layers; returns the number of layers touched. */
export function reinitialize(model: tf.LayersModel, options: ReinitializeOptions = {}): number {
  let counter = 0;
  const seed = () => (options.seed === undefined ? undefined : options.seed + counter++);
  let touched = 0;
  tf.tidy(() => {
    for (const layer of model.layers) {
      if (layer.weights.length === 0 || (options.filter && !options.filter(layer.name))) continue;
      const className = layer.getClassName();
      for (const w of layer.weights) {
        const shape = w.shape as number[];
        const kind = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
        let value: tf.Tensor;
        if (className === 'Conv2D' && kind === 'kernel') {
          const [kh, kw, , out] = shape;
          value = tf.randomNormal(shape, 0, Math.sqrt(2 / (out * kh * kw)), 'float32', seed());
        } else if (className === 'Dense') {
          const fanIn = (layer.weights.find((v) => v.originalName.endsWith('/kernel'))!.shape as number[])[0];
          const bound = 1 / Math.sqrt(fanIn);
          value = tf.randomUniform(shape, -bound, bound, 'float32', seed());
        } else if (className === 'TorchBatchNorm' || (className === 'Conv2D' && kind === 'bias')) {
          value = kind === 'gamma' || kind === 'moving_variance' ? tf.ones(shape) : tf.zeros(shape);
        } else {
          throw new Error(
            `reinitialize: no rule for weight "${w.originalName}" of ${className} layer "${layer.name}".`,
          );
        }
        w.write(value);
      }
      touched++;
    }
  });
  return touched;
}
