/**
 * A SimpleRNN (`h' = tanh(x W + h U + b)`) over a whole sequence with a hand-written gradient (`tf.customGrad`):
 * the input projection of every step is one matmul, each step is three ops forward (matmul, add, tanh) and three
 * backward (add, TensorFlow's native `TanhGrad`, matmul), and the weight gradients of all steps are summed in two
 * large matmuls at the end. tfjs's `tf.layers.simpleRNN` runs several times as many ops per step through its generic
 * RNN loop and autodiff tape. TensorFlow has no SimpleRNN op, so the time loop stays in JavaScript.
 */
import * as tf from '@tensorflow/tfjs';
import { orthogonalInitializer } from './orthogonal';
import { FusedRecurrentLayer, type FusedRecurrentArgs } from './fused-recurrent-layer';
import { attr, nativeBackend } from '../ops/native-ops';
import { isRecordingGraph } from '../../engine/graph'; // graph path
import { inChains } from './graph-recurrent'; // graph path

/** dy * (1 - y^2), as one native op when the backend has it. */
function tanhGrad(y: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const b = nativeBackend();
  if (b) return b.executeMultipleOutputs('TanhGrad', [attr.float32(b, 'T')], [y, dy], 1)[0];
  return tf.mul(dy, tf.sub(1, tf.square(y)));
}

/**
 * Runs a tanh RNN over `x` `[batch, steps, features]` from zero state; returns every step's hidden state
 * `[batch, steps, units]`. `kernel` `[features, units]`, `recurrentKernel` `[units, units]`, `bias` `[units]`.
 */
export function sequenceSimpleRnn(
  x: tf.Tensor3D,
  kernel: tf.Tensor2D,
  recurrentKernel: tf.Tensor2D,
  bias: tf.Tensor1D,
): tf.Tensor3D {
  const [batch, steps, features] = x.shape;
  const units = bias.shape[0];
  if (
    kernel.shape[0] !== features ||
    kernel.shape[1] !== units ||
    recurrentKernel.shape[0] !== units ||
    recurrentKernel.shape[1] !== units
  ) {
    throw new Error(
      `sequenceSimpleRnn: expected kernel [${features}, ${units}] and recurrentKernel [${units}, ${units}]. Received: [${kernel.shape}] and [${recurrentKernel.shape}].`,
    );
  }
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xs, w, u, b] = args as tf.Tensor[];
    const save = args[4] as tf.GradSaveFunc;
    const projected = tf.unstack(
      tf.reshape(tf.add(tf.matMul(tf.reshape(xs, [batch * steps, features]), w), b), [batch, steps, units]),
      1,
    );
    const hs: tf.Tensor[] = [];
    let h: tf.Tensor | undefined;
    for (let t = 0; t < steps; t++) {
      h = tf.tanh(h ? tf.add(projected[t], tf.matMul(h, u)) : projected[t]);
      hs.push(h);
    }
    const sequence = tf.stack(hs, 1);
    save([xs, w, u, sequence]);
    return {
      value: sequence,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, su, sseq] = saved;
        const hAt = tf.unstack(sseq, 1);
        const dys = tf.unstack(dy, 1);
        const dPre: tf.Tensor[] = new Array(steps);
        let dh: tf.Tensor | undefined;
        for (let t = steps - 1; t >= 0; t--) {
          dPre[t] = tanhGrad(hAt[t], dh ? tf.add(dys[t], dh) : dys[t]);
          if (t > 0) dh = tf.matMul(dPre[t], su, false, true);
        }
        const dPreFlat = tf.reshape(tf.stack(dPre, 1), [batch * steps, units]);
        // h_{t-1} for every step (zeros before the first), flattened like dPre.
        const hPrev = tf.reshape(
          tf.concat([tf.zeros([batch, 1, units]), tf.slice(sseq, [0, 0, 0], [-1, steps - 1, -1])], 1),
          [batch * steps, units],
        );
        return [
          tf.reshape(tf.matMul(dPreFlat, sw, false, true), [batch, steps, features]),
          tf.matMul(tf.reshape(sx, [batch * steps, features]), dPreFlat, true, false),
          tf.matMul(hPrev, dPreFlat, true, false),
          tf.sum(dPreFlat, 0),
        ];
      },
    };
  });
  return op(x, kernel, recurrentKernel, bias) as tf.Tensor3D;
}

export type FusedSimpleRNNArgs = FusedRecurrentArgs;

/** A SimpleRNN layer on `sequenceSimpleRnn`, with Keras's weight names and shapes (`kernel`, `recurrent_kernel`, `bias`). */
export class FusedSimpleRNN extends FusedRecurrentLayer {
  static className = 'FusedSimpleRNN';
  private kernel!: tf.LayerVariable;
  private recurrentKernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;

  constructor(args: FusedSimpleRNNArgs) {
    super(args, 'FusedSimpleRNN');
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const features = this.inputFeatures(inputShape);
    this.kernel = this.addWeight(
      'kernel',
      [features, this.units],
      'float32',
      tf.initializers.glorotUniform({ seed: this.seedAt(0) }),
    );
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [this.units, this.units],
      'float32',
      orthogonalInitializer(this.seedAt(1)),
    );
    this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const run = (part: tf.Tensor3D) =>
        sequenceSimpleRnn(
          part,
          this.kernel.read() as tf.Tensor2D,
          this.recurrentKernel.read() as tf.Tensor2D,
          this.bias.read() as tf.Tensor1D,
        );
      // graph path: while a step is recorded, the batch as parallel chains (graph-recurrent.ts).
      return this.lastOrAll(isRecordingGraph() ? inChains(x, this.chains(x.shape[0]), run) : run(x));
    });
  }
}
