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
import { attr, nativeBackend, type NativeBackend } from './native-ops';

function requireNative(where: string): NativeBackend {
  const b = nativeBackend();
  if (!b) throw new Error(`${where}: needs the native TensorFlow backend (GRUBlockCell); the active backend is "${tf.getBackend()}". Call ensureEngine() first.`);
  return b;
}

/**
 * Runs a GRU over `x` `[batch, steps, features]` from zero state; returns every step's hidden state
 * `[batch, steps, units]`. `wRu` is `[features + units, 2 * units]`, `wC` `[features + units, units]`, `bRu`
 * `[2 * units]`, `bC` `[units]`. Differentiable in all five inputs.
 */
export function blockGru(x: tf.Tensor3D, wRu: tf.Tensor2D, wC: tf.Tensor2D, bRu: tf.Tensor1D, bC: tf.Tensor1D): tf.Tensor3D {
  const b = requireNative('blockGru');
  const [batch, steps, features] = x.shape;
  const units = bC.shape[0];
  if (wRu.shape[0] !== features + units || wRu.shape[1] !== 2 * units || wC.shape[0] !== features + units || wC.shape[1] !== units) {
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
          const [dxt, dhPrev, dcBar, druBar] = b.executeMultipleOutputs('GRUBlockCellGrad', attrs, [xsT[t], sh[t], swru, swc, sbru, sbc, r, u, c, dhTotal], 4);
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

export interface FusedGRUArgs {
  /** Hidden units. Required. */
  units: number;
  /** Return every step `[n, steps, units]` instead of the last `[n, units]`. Default: false. */
  returnSequences?: boolean;
  /** Layer name. Default: tfjs's generated name. */
  name?: string;
  /** Seed of the Glorot-uniform initializer. Default: unseeded. */
  seed?: number;
}

/** A GRU layer on `blockGru`: weights `gates_kernel` `[f + u, 2u]`, `candidate_kernel` `[f + u, u]` and their biases. */
export class FusedGRU extends tf.layers.Layer {
  static className = 'FusedGRU';
  readonly units: number;
  readonly returnSequences: boolean;
  private readonly seed?: number;
  private wRu!: tf.LayerVariable;
  private wC!: tf.LayerVariable;
  private bRu!: tf.LayerVariable;
  private bC!: tf.LayerVariable;

  constructor(args: FusedGRUArgs) {
    super({ name: args.name });
    if (!Number.isInteger(args.units) || args.units < 1) throw new Error(`FusedGRU: units must be a positive integer. Received: ${args.units}.`);
    this.units = args.units;
    this.returnSequences = args.returnSequences ?? false;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const features = shape[2];
    if (shape.length !== 3 || features === null || features === undefined) {
      throw new Error(`FusedGRU ${this.name}: expected input [batch, steps, features] with known features. Received: [${shape}].`);
    }
    const u = this.units;
    const seed = this.seed;
    this.wRu = this.addWeight('gates_kernel', [features + u, 2 * u], 'float32', tf.initializers.glorotUniform({ seed }));
    this.wC = this.addWeight('candidate_kernel', [features + u, u], 'float32', tf.initializers.glorotUniform({ seed: seed === undefined ? undefined : seed + 1 }));
    this.bRu = this.addWeight('gates_bias', [2 * u], 'float32', tf.initializers.zeros());
    this.bC = this.addWeight('candidate_bias', [u], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return this.returnSequences ? [shape[0], shape[1], this.units] : [shape[0], this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const h = blockGru(x, this.wRu.read() as tf.Tensor2D, this.wC.read() as tf.Tensor2D, this.bRu.read() as tf.Tensor1D, this.bC.read() as tf.Tensor1D);
      if (this.returnSequences) return h;
      return tf.reshape(tf.slice(h, [0, h.shape[1] - 1, 0], [-1, 1, -1]), [h.shape[0], this.units]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, returnSequences: this.returnSequences };
  }
}
