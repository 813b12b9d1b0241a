/**
 * An LSTM whose whole time loop is ONE native TensorFlow op: `BlockLSTM` forward and `BlockLSTMGrad` backward, behind
 * a `tf.customGrad`. tfjs's own `tf.layers.lstm` runs the loop in JavaScript, about fifteen ops per step forward and
 * thirty backward; with 28 steps that is over a thousand op dispatches per training step.
 *
 * Gates: i, f, o sigmoid; candidate and output tanh; no peepholes, no cell clipping, forget bias 0 (so the weights
 * hold the whole bias, as in PyTorch and Keras). Column order of the fused kernel and bias is TensorFlow's block
 * order `[i, c, f, o]` (Porting note: tfjs/Keras store `[i, f, c, o]`, PyTorch `[i, f, g, o]`).
 *
 * Needs the native backend (`nativeBackend()`); `FusedLSTM` throws a clear error without it.
 */
import * as tf from '@tensorflow/tfjs';
import { orthogonalInitializer } from './orthogonal';
import { FusedRecurrentLayer, type FusedRecurrentArgs } from './fused-recurrent-layer';
import { lstmBlockAttrs, nativeBackend, nativeInt64Scalar, type NativeBackend } from '../ops/native-ops';
import { isRecordingGraph } from '../../engine/graph'; // graph path
import { graphLstm } from './graph-recurrent'; // graph path

function requireNative(where: string): NativeBackend {
  const b = nativeBackend();
  if (!b)
    throw new Error(
      `${where}: needs the native TensorFlow backend (BlockLSTM); the active backend is "${tf.getBackend()}". Call ensureEngine() first.`,
    );
  return b;
}

/**
 * Runs an LSTM over `x` `[batch, steps, features]` from zero state; returns every step's hidden state
 * `[batch, steps, units]`. `kernel` is `[features + units, 4 * units]` (input rows, then recurrent rows), `bias`
 * `[4 * units]`, both in `[i, c, f, o]` column order. Differentiable in x, kernel and bias.
 */
export function blockLstm(x: tf.Tensor3D, kernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D {
  const b = requireNative('blockLstm');
  const [batch, steps] = x.shape;
  const units = bias.shape[0] / 4;
  if (kernel.shape[0] !== x.shape[2] + units || kernel.shape[1] !== 4 * units) {
    throw new Error(
      `blockLstm: kernel must be [features + units, 4 * units] = [${x.shape[2] + units}, ${4 * units}]. Received: [${kernel.shape}].`,
    );
  }
  const seqLen = nativeInt64Scalar(b, steps);
  const { forward: forwardAttrs, grad: gradAttrs } = lstmBlockAttrs(b);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xs, w, bb] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const timeMajor = tf.transpose(xs, [1, 0, 2]);
    const state = tf.zeros([batch, units]);
    const peephole = tf.zeros([units]);
    const gates = b.executeMultipleOutputs(
      'BlockLSTM',
      forwardAttrs,
      [seqLen, timeMajor, state, state, w, peephole, peephole, peephole, bb],
      7,
    );
    save([timeMajor, w, bb, ...gates]);
    return {
      value: tf.transpose(gates[6], [1, 0, 2]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, sb, i, cs, f, o, ci, co, h] = saved;
        const zeroState = tf.zeros([batch, units]);
        const zeroPeephole = tf.zeros([units]);
        const grads = b.executeMultipleOutputs(
          'BlockLSTMGrad',
          gradAttrs,
          [
            seqLen,
            sx,
            zeroState,
            zeroState,
            sw,
            zeroPeephole,
            zeroPeephole,
            zeroPeephole,
            sb,
            i,
            cs,
            f,
            o,
            ci,
            co,
            h,
            tf.zerosLike(cs),
            tf.transpose(dy, [1, 0, 2]),
          ],
          8,
        );
        return [tf.transpose(grads[0], [1, 0, 2]), grads[3], grads[7]];
      },
    };
  });
  return op(x, kernel, bias) as tf.Tensor3D;
}

export interface FusedLSTMArgs extends FusedRecurrentArgs {
  /** Read the sequence from the end (the backward half of a bidirectional LSTM). Default: false. */
  goBackwards?: boolean;
}

/**
 * A Keras-style LSTM layer on `blockLstm`: weights `kernel` `[features, 4u]`, `recurrent_kernel` `[u, 4u]`, `bias`
 * (Glorot-uniform kernel, orthogonal recurrent kernel, forget bias 1).
 */
export class FusedLSTM extends FusedRecurrentLayer {
  static className = 'FusedLSTM';
  readonly goBackwards: boolean;
  private kernel!: tf.LayerVariable;
  private recurrentKernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;

  constructor(args: FusedLSTMArgs) {
    super(args, 'FusedLSTM');
    this.goBackwards = args.goBackwards ?? false;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const features = this.inputFeatures(inputShape);
    const u = this.units;
    this.kernel = this.addWeight(
      'kernel',
      [features, 4 * u],
      'float32',
      tf.initializers.glorotUniform({ seed: this.seedAt(0) }),
    );
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [u, 4 * u],
      'float32',
      orthogonalInitializer(this.seedAt(1)),
    );
    this.bias = this.addWeight('bias', [4 * u], 'float32', tf.initializers.zeros());
    // Forget-gate bias 1 (columns [2u, 3u) in the block order), as Keras's unit_forget_bias.
    this.bias.write(tf.tidy(() => tf.concat([tf.zeros([2 * u]), tf.ones([u]), tf.zeros([u])])));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      let x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      if (this.goBackwards) x = tf.reverse(x, 1);
      const w = tf.concat([this.kernel.read(), this.recurrentKernel.read()], 0) as tf.Tensor2D;
      // graph path: while a step is recorded, the graph formulation (graph-recurrent.ts).
      const bias = this.bias.read() as tf.Tensor1D;
      return this.lastOrAll(
        isRecordingGraph() ? graphLstm(x, w, bias, this.chains(x.shape[0])) : blockLstm(x, w, bias),
      );
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), goBackwards: this.goBackwards };
  }
}
