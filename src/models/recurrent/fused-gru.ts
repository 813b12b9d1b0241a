/**
 * A GRU whose steps are native TensorFlow ops: `GRUBlockCell` forward (one op per step instead of about twelve) and
 * `GRUBlockCellGrad` backward, behind one `tf.customGrad` over the whole sequence. The weight gradients of all steps
 * are summed in two large matmuls at the end instead of two small ones per step. TensorFlow has no whole-sequence
 * GRU op, so the time loop stays in JavaScript, but with far fewer ops per step.
 *
 * The cell is the "reset before" GRU (Keras `reset_after=False`, tfjs's GRU, see the porting note in rnn.ts):
 *     [r, u] = sigmoid([x, h] W_ru + b_ru),   c = tanh([x, r * h] W_c + b_c),   h' = u * h + (1 - u) * c.
 * Column order of `W_ru` is `[r, u]` (Porting note: Keras/tfjs store `[z, r, h]` with z = u).
 */
import * as tf from '@tensorflow/tfjs';
import { FusedRecurrentLayer, type FusedRecurrentArgs } from './fused-recurrent-layer';
import { attr, nativeBackend, type NativeBackend } from '../ops/native-ops';
import { isRecordingGraph } from '../../engine/graph'; // graph path
import { graphGru } from './graph-recurrent'; // graph path

function requireNative(where: string): NativeBackend {
  const b = nativeBackend();
  if (!b)
    throw new Error(
      `${where}: needs the native TensorFlow backend (GRUBlockCell); the active backend is "${tf.getBackend()}". Call ensureEngine() first.`,
    );
  return b;
}

/**
 * Runs a GRU over `x` `[batch, steps, features]` from zero state; returns every step's hidden state
 * `[batch, steps, units]`. `wRu` is `[features + units, 2 * units]`, `wC` `[features + units, units]`, `bRu`
 * `[2 * units]`, `bC` `[units]`. Differentiable in all five inputs.
 */
export function blockGru(
  x: tf.Tensor3D,
  wRu: tf.Tensor2D,
  wC: tf.Tensor2D,
  bRu: tf.Tensor1D,
  bC: tf.Tensor1D,
): tf.Tensor3D {
  const b = requireNative('blockGru');
  const [batch, steps, features] = x.shape;
  const units = bC.shape[0];
  if (
    wRu.shape[0] !== features + units ||
    wRu.shape[1] !== 2 * units ||
    wC.shape[0] !== features + units ||
    wC.shape[1] !== units
  ) {
    throw new Error(
      `blockGru: expected wRu [${features + units}, ${2 * units}] and wC [${features + units}, ${units}]. Received: [${wRu.shape}] and [${wC.shape}].`,
    );
  }
  const attrs = [attr.float32(b, 'T')];
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xs, wru, wc, bru, bc] = args as tf.Tensor[];
    const save = args[5] as tf.GradSaveFunc;
    const inputs = tf.unstack(xs, 1);
    let h: tf.Tensor = tf.zeros([batch, units]);
    const hPrev: tf.Tensor[] = [];
    const gates: tf.Tensor[] = [];
    const outputs: tf.Tensor[] = [];
    for (let t = 0; t < steps; t++) {
      hPrev.push(h);
      const [r, u, c, next] = b.executeMultipleOutputs('GRUBlockCell', attrs, [inputs[t], h, wru, wc, bru, bc], 4);
      gates.push(r, u, c);
      outputs.push(next);
      h = next;
    }
    save([xs, wru, wc, bru, bc, ...hPrev, ...gates]);
    return {
      value: tf.stack(outputs, 1),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, swru, swc, sbru, sbc] = saved;
        const sh = saved.slice(5, 5 + steps);
        const sg = saved.slice(5 + steps);
        const xsT = tf.unstack(sx, 1);
        const dys = tf.unstack(dy, 1);
        const dx: tf.Tensor[] = new Array(steps);
        const dRu: tf.Tensor[] = new Array(steps);
        const dC: tf.Tensor[] = new Array(steps);
        const xhRu: tf.Tensor[] = new Array(steps);
        const xhC: tf.Tensor[] = new Array(steps);
        let dh: tf.Tensor | undefined;
        for (let t = steps - 1; t >= 0; t--) {
          const [r, u, c] = sg.slice(3 * t, 3 * t + 3);
          const dhTotal = dh ? tf.add(dys[t], dh) : dys[t];
          const [dxt, dhPrev, dcBar, druBar] = b.executeMultipleOutputs(
            'GRUBlockCellGrad',
            attrs,
            [xsT[t], sh[t], swru, swc, sbru, sbc, r, u, c, dhTotal],
            4,
          );
          dx[t] = dxt;
          dRu[t] = druBar;
          dC[t] = dcBar;
          xhRu[t] = tf.concat([xsT[t], sh[t]], 1);
          xhC[t] = tf.concat([xsT[t], tf.mul(r, sh[t])], 1);
          dh = dhPrev;
        }
        const allRu = tf.concat(dRu, 0);
        const allC = tf.concat(dC, 0);
        return [
          tf.stack(dx, 1),
          tf.matMul(tf.concat(xhRu, 0), allRu, true, false),
          tf.matMul(tf.concat(xhC, 0), allC, true, false),
          tf.sum(allRu, 0),
          tf.sum(allC, 0),
        ];
      },
    };
  });
  return op(x, wRu, wC, bRu, bC) as tf.Tensor3D;
}

export type FusedGRUArgs = FusedRecurrentArgs;

/** A GRU layer on `blockGru`: weights `gates_kernel` `[f + u, 2u]`, `candidate_kernel` `[f + u, u]` and their biases. */
export class FusedGRU extends FusedRecurrentLayer {
  static className = 'FusedGRU';
  private wRu!: tf.LayerVariable;
  private wC!: tf.LayerVariable;
  private bRu!: tf.LayerVariable;
  private bC!: tf.LayerVariable;

  constructor(args: FusedGRUArgs) {
    super(args, 'FusedGRU');
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const features = this.inputFeatures(inputShape);
    const u = this.units;
    this.wRu = this.addWeight(
      'gates_kernel',
      [features + u, 2 * u],
      'float32',
      tf.initializers.glorotUniform({ seed: this.seedAt(0) }),
    );
    this.wC = this.addWeight(
      'candidate_kernel',
      [features + u, u],
      'float32',
      tf.initializers.glorotUniform({ seed: this.seedAt(1) }),
    );
    this.bRu = this.addWeight('gates_bias', [2 * u], 'float32', tf.initializers.zeros());
    this.bC = this.addWeight('candidate_bias', [u], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      // graph path: while a step is recorded, the graph formulation (graph-recurrent.ts).
      const args = [
        x,
        this.wRu.read() as tf.Tensor2D,
        this.wC.read() as tf.Tensor2D,
        this.bRu.read() as tf.Tensor1D,
        this.bC.read() as tf.Tensor1D,
      ] as const;
      return this.lastOrAll(isRecordingGraph() ? graphGru(...args, this.chains(x.shape[0])) : blockGru(...args));
    });
  }
}
