/**
 * `TorchBatchNorm`: PyTorch's `nn.BatchNorm2d`, channels-last, with an explicit rule for what a *frozen* BatchNorm
 * does during training.
 *
 * Porting note: tfjs's `BatchNormalization` ignores `trainable` in training mode: a frozen layer still normalizes
 * with batch statistics and still moves its moving mean and variance (tfjs-layers `normalization.ts`). Keras 3 runs
 * a frozen BN in inference mode; PyTorch's `model.train()` keeps using batch statistics and updating the running
 * stats even when `requires_grad=False` (the original lesson's behaviour). This layer makes the choice explicit:
 *
 * | training call | `trainable` | mode                          | normalizes with  | moving stats |
 * | ------------- | ----------- | ----------------------------- | ---------------- | ------------ |
 * | no            | any         | any                           | moving stats     | unchanged    |
 * | yes           | true        | `unfrozenMode: 'train'`       | batch stats      | updated      |
 * | yes           | true        | `unfrozenMode: 'inference'`   | moving stats     | unchanged    |
 * | yes           | false       | `frozenMode: 'inference'`     | moving stats     | unchanged    |
 * | yes           | false       | `frozenMode: 'pytorch-train'` | batch stats      | updated      |
 *
 * `unfrozenMode: 'inference'` is the Keras transfer-learning guide's rule for fine-tuning: when BatchNorm layers are
 * unfrozen, call them with `training=False`, so they keep the pre-trained moving statistics (neither used from the
 * small batches nor updated), while gamma and beta still train: gradients flow through the normalization with fixed
 * statistics. Otherwise a few updates on a small data set would wreck what the backbone learned.
 *
 * Updates follow PyTorch: `running = (1 - momentum) * running + momentum * batch`, momentum 0.1, with the unbiased
 * batch variance (n / (n - 1)); normalization uses the biased one.
 * The update reads the batch statistics but is not part of the loss, so it adds nothing to any gradient. The layer works both under `model.fit` and under
 * `optimizer.minimize(() => loss(model.apply(x, {training: true})), false, varList)`: the stats update is a variable
 * write on the side, outside the gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedBatchNormTraining } from './fused-batch-norm';
import { LogSoftmax } from '../ops/log-softmax';

/** What a frozen (`trainable = false`) BatchNorm does in a training call. */
export type FrozenBatchNormMode = 'inference' | 'pytorch-train';
/**
 * What a trainable BatchNorm does in a training call: `'train'` (batch statistics, moving ones updated; PyTorch's
 * `train()` and tfjs's default) or `'inference'` (moving statistics, unchanged; gamma and beta still train: Keras's
 * fine-tuning rule).
 */
export type UnfrozenBatchNormMode = 'train' | 'inference';

export interface TorchBatchNormArgs {
  /** Layer name (the weight key prefix, e.g. `layer1.0.bn1`). Default: tfjs's generated name. */
  name?: string;
  /** Added to the variance. Default: 1e-5 (PyTorch). */
  epsilon?: number;
  /** Weight of the new batch statistic in the running average (PyTorch convention). Default: 0.1. */
  momentum?: number;
  /** Behaviour when frozen and called in training mode. Default: `'inference'`. */
  frozenMode?: FrozenBatchNormMode;
  /** Behaviour when trainable and called in training mode. Default: `'train'`. */
  unfrozenMode?: UnfrozenBatchNormMode;
  /** Whether gamma and beta train. Default: true. */
  trainable?: boolean;
  inputShape?: tf.Shape;
  batchInputShape?: tf.Shape;
}

const BN_DEFAULTS = {
  epsilon: 1e-5,
  momentum: 0.1,
  frozenMode: 'inference' as FrozenBatchNormMode,
  unfrozenMode: 'train' as UnfrozenBatchNormMode,
};

type LayerVariable = tf.LayerVariable;

export class TorchBatchNorm extends tf.layers.Layer {
  static className = 'TorchBatchNorm';
  readonly epsilon: number;
  /** Weight of the new batch statistic in the running average; `recalibrateBatchNorm` changes it for a while. */
  momentum: number;
  frozenMode: FrozenBatchNormMode;
  unfrozenMode: UnfrozenBatchNormMode;
  private gamma!: LayerVariable;
  private beta!: LayerVariable;
  private movingMean!: LayerVariable;
  private movingVariance!: LayerVariable;

  constructor(args: TorchBatchNormArgs = {}) {
    super({
      name: args.name,
      trainable: args.trainable ?? true,
      inputShape: args.inputShape,
      batchInputShape: args.batchInputShape,
    });
    this.epsilon = args.epsilon ?? BN_DEFAULTS.epsilon;
    this.momentum = args.momentum ?? BN_DEFAULTS.momentum;
    this.frozenMode = args.frozenMode ?? BN_DEFAULTS.frozenMode;
    this.unfrozenMode = args.unfrozenMode ?? BN_DEFAULTS.unfrozenMode;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (channels === null || channels === undefined) {
      throw new Error(`TorchBatchNorm ${this.name}: the channel (last) dimension must be known, got shape [${shape}].`);
    }
    // Order matters: the weight-key table (torch-keys.ts) maps weight, bias, running_mean, running_var in this order.
    this.gamma = this.addWeight('gamma', [channels], 'float32', tf.initializers.ones(), undefined, true);
    this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros(), undefined, true);
    this.movingMean = this.addWeight('moving_mean', [channels], 'float32', tf.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight(
      'moving_variance',
      [channels],
      'float32',
      tf.initializers.ones(),
      undefined,
      false,
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  /** True when a call with `training` normalizes with batch statistics and updates the moving ones. */
  usesBatchStatistics(training: boolean): boolean {
    return training && (this.trainable ? this.unfrozenMode === 'train' : this.frozenMode === 'pytorch-train');
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const gamma = this.gamma.read();
      const beta = this.beta.read();
      if (!this.usesBatchStatistics(kwargs.training ?? false)) {
        return tf.batchNorm(x, this.movingMean.read(), this.movingVariance.read(), beta, gamma, this.epsilon);
      }
      const m = this.momentum;
      // One native op (and one for its gradient) when the backend has it; see fused-batch-norm.ts.
      const fused = fusedBatchNormTraining(x, gamma, beta, this.epsilon);
      if (fused) {
        this.movingMean.write(tf.add(tf.mul(this.movingMean.read(), 1 - m), tf.mul(fused.mean, m)));
        this.movingVariance.write(tf.add(tf.mul(this.movingVariance.read(), 1 - m), tf.mul(fused.variance, m)));
        tf.dispose([fused.mean, fused.variance]);
        return fused.y;
      }
      const axes = x.shape.slice(0, -1).map((_, i) => i);
      const { mean, variance } = tf.moments(x, axes);
      const n = axes.reduce((acc, a) => acc * (x.shape[a] as number), 1);
      const unbiased = tf.mul(variance, n > 1 ? n / (n - 1) : 1);
      this.movingMean.write(tf.add(tf.mul(this.movingMean.read(), 1 - m), tf.mul(mean, m)));
      this.movingVariance.write(tf.add(tf.mul(this.movingVariance.read(), 1 - m), tf.mul(unbiased, m)));
      return tf.batchNorm(x, mean, variance, beta, gamma, this.epsilon);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      epsilon: this.epsilon,
      momentum: this.momentum,
      frozenMode: this.frozenMode,
      unfrozenMode: this.unfrozenMode,
    };
  }
}

/** Registers the kit's custom layers with tfjs serialization (idempotent); needed before `tf.loadLayersModel`. */
export function registerModelLayers(): void {
  tf.serialization.registerClass(TorchBatchNorm);
  tf.serialization.registerClass(LogSoftmax);
}

/** Calls `set` on every TorchBatchNorm of a model; returns how many layers it changed. */
function forEachTorchBatchNorm(model: tf.LayersModel, set: (layer: TorchBatchNorm) => void): number {
  const layers = model.layers.filter((l): l is TorchBatchNorm => l instanceof TorchBatchNorm);
  layers.forEach(set);
  return layers.length;
}

/** Sets `frozenMode` on every TorchBatchNorm of a model; returns how many layers it changed. */
export function setFrozenBatchNormMode(model: tf.LayersModel, mode: FrozenBatchNormMode): number {
  return forEachTorchBatchNorm(model, (layer) => (layer.frozenMode = mode));
}

/** Sets `unfrozenMode` on every TorchBatchNorm of a model; returns how many layers it changed. */
export function setUnfrozenBatchNormMode(model: tf.LayersModel, mode: UnfrozenBatchNormMode): number {
  return forEachTorchBatchNorm(model, (layer) => (layer.unfrozenMode = mode));
}
