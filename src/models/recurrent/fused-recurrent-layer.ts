/**
 * What the fused recurrent layers (FusedSimpleRNN, FusedLSTM, FusedGRU) share: the `units` / `returnSequences` /
 * `seed` options, the `[batch, steps, features]` input check, the output shape, and the last-step slice.
 * Each subclass adds its weights in `build` and runs its native op in `call`.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '../../errors';
import { chainCount } from './graph-recurrent';

export interface FusedRecurrentArgs {
  /** Hidden units. Required. */
  units: number;
  /** Return every step `[n, steps, units]` instead of the last `[n, units]`. Default: false. */
  returnSequences?: boolean;
  /** Layer name. Default: tfjs's generated name. */
  name?: string;
  /** Seed of the initializers (each weight uses seed, seed + 1, ...). Default: unseeded. */
  seed?: number;
  /**
   * Recurrent layers that run side by side with this one (2 for each half of a bidirectional pair): on the graph
   * path each takes its share of the inter-op threads for its parallel chains (graph-recurrent.ts). Default: 1.
   */
  parallelLayers?: number;
}

export abstract class FusedRecurrentLayer extends tf.layers.Layer {
  readonly units: number;
  readonly returnSequences: boolean;
  protected readonly seed?: number;
  readonly parallelLayers: number;

  constructor(args: FusedRecurrentArgs, kind: string) {
    super({ name: args.name });
    if (!Number.isInteger(args.units) || args.units < 1)
      throw new OptionError(`${kind}: units must be a positive integer. Received: ${args.units}.`);
    this.units = args.units;
    this.returnSequences = args.returnSequences ?? false;
    this.seed = args.seed;
    this.parallelLayers = args.parallelLayers ?? 1;
    if (!Number.isInteger(this.parallelLayers) || this.parallelLayers < 1)
      throw new OptionError(`${kind}: parallelLayers must be a positive integer. Received: ${args.parallelLayers}.`);
  }

  /** Parallel chains for a recorded step over `batch` samples (graph-recurrent.ts). */
  protected chains(batch: number): number {
    return chainCount(batch, this.parallelLayers);
  }

  /** The feature count of a `[batch, steps, features]` input shape; throws naming the layer otherwise. */
  protected inputFeatures(inputShape: tf.Shape | tf.Shape[]): number {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const features = shape[2];
    if (shape.length !== 3 || features === null || features === undefined) {
      throw new Error(
        `${this.getClassName()} ${this.name}: expected input [batch, steps, features] with known features. Received: [${shape}].`,
      );
    }
    return features;
  }

  /** The seed of the k-th initializer (undefined when the layer is unseeded). */
  protected seedAt(k: number): number | undefined {
    return this.seed === undefined ? undefined : this.seed + k;
  }

  /** `h` itself with `returnSequences`, else its last step `[n, units]`. */
  protected lastOrAll(h: tf.Tensor3D): tf.Tensor {
    if (this.returnSequences) return h;
    return tf.reshape(tf.slice(h, [0, h.shape[1] - 1, 0], [-1, 1, -1]), [h.shape[0], this.units]);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return this.returnSequences ? [shape[0], shape[1], this.units] : [shape[0], this.units];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      returnSequences: this.returnSequences,
      parallelLayers: this.parallelLayers,
    };
  }
}
