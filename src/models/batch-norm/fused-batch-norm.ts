/**
 * Training-mode BatchNorm as ONE native TensorFlow op (`FusedBatchNormV3`, is_training) with its own gradient op
 * (`FusedBatchNormGradV3`) behind a `tf.customGrad`, instead of tfjs's `tf.moments` + `tf.batchNorm`, whose forward
 * and backward run as a dozen small ops each, every one a round trip through JavaScript.
 *
 * tfjs does not expose these ops; the native backend runs them by name through `executeMultipleOutputs`. When the
 * active backend cannot (not the native TensorFlow backend, or the input is not `[n, h, w, c]`), the function returns
 * `undefined` and the caller keeps its generic path.
 *
 * The batch variance it returns is the unbiased one (n / (n - 1)), the one PyTorch and TF use for the running
 * average; the output is normalized with the biased one, as in PyTorch.
 */
import * as tf from '@tensorflow/tfjs';
import { attr, nativeBackend, type NativeBackend, type NativeOpAttr } from '../ops/native-ops';

export interface FusedBatchNormTrainingResult {
  /** The normalized, scaled and shifted output (differentiable in x, gamma and beta). */
  y: tf.Tensor4D;
  /** Batch mean per channel. Kept: the caller disposes it. */
  mean: tf.Tensor1D;
  /** Unbiased batch variance per channel. Kept: the caller disposes it. */
  variance: tf.Tensor1D;
}

function attrs(b: NativeBackend, epsilon: number): NativeOpAttr[] {
  return [
    attr.float32(b, 'T'),
    attr.float32(b, 'U'),
    attr.float(b, 'epsilon', epsilon),
    attr.string(b, 'data_format', 'NHWC'),
    attr.bool(b, 'is_training', true),
  ];
}

/**
 * Batch-statistics BatchNorm of an NHWC float32 tensor, or `undefined` when the native op is not available.
 * Example: `fusedBatchNormTraining(x, gamma, beta, 1e-5)?.y.shape` → the shape of `x`.
 */
export function fusedBatchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): FusedBatchNormTrainingResult | undefined {
  const b = nativeBackend();
  if (!b || x.rank !== 4 || x.dtype !== 'float32') return undefined;
  const opAttrs = attrs(b, epsilon);
  let mean: tf.Tensor1D | undefined;
  let variance: tf.Tensor1D | undefined;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xs, scale, offset] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const empty = tf.tensor1d([], 'float32');
    const [y, batchMean, batchVariance, r1, r2, r3] = b.executeMultipleOutputs(
      'FusedBatchNormV3',
      opAttrs,
      [xs, scale, offset, empty, empty],
      6,
    );
    mean = tf.keep(batchMean as tf.Tensor1D);
    variance = tf.keep(batchVariance as tf.Tensor1D);
    save([xs, scale, r1, r2, r3]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sscale, s1, s2, s3] = saved;
        const [dx, dscale, doffset] = b.executeMultipleOutputs(
          'FusedBatchNormGradV3',
          opAttrs,
          [dy, sx, sscale, s1, s2, s3],
          5,
        );
        return [dx, dscale, doffset];
      },
    };
  });
  const y = op(x, gamma, beta) as tf.Tensor4D;
  if (!mean || !variance) throw new Error('fusedBatchNormTraining: FusedBatchNormV3 returned no batch statistics.');
  return { y, mean, variance };
}
