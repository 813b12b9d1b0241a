/**
 * Adam with the update of each variable in a scope of its own. tfjs's `AdamOptimizer.applyGradients` updates every
 * variable inside ONE `tf.tidy`, so the dozen temporaries of each variable's update (the new moments, their bias
 * corrections, the square root, the step) all stay alive until the last variable is done: for a fine-tuned
 * ResNet-34 (21.8M weights, 87 MB) that is over 1 GB at the end of every eager step, which is most of the eager
 * step's peak memory (measured with `tf.profile`: peak 1,463 MiB of tensors). Here each variable's temporaries are
 * freed before the next variable is updated, so the peak holds one variable's worth.
 *
 * Same algorithm (Kingma & Ba, with tfjs's bias correction and epsilon placement), same state (the moments are the
 * base class's, by position, so `getWeights` / `setWeights` and saved optimizer state are unchanged), and the same
 * float32 operations in the same order: results are bit-identical to `tf.train.adam` (test/train/adam.test.ts).
 */
import * as tf from '@tensorflow/tfjs';

/** The base class's state this subclass reads and writes (private in tfjs's typings, same objects at run time). */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
}

export class LeanAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: tf.NamedTensorMap | Array<{ name: string; tensor: tf.Tensor }>): void {
    const state = this as unknown as AdamState;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const oneMinusAccBeta1 = tf.sub(1, state.accBeta1);
    const oneMinusAccBeta2 = tf.sub(1, state.accBeta2);
    try {
      this.updateEach(names, variableGradients, oneMinusAccBeta1, oneMinusAccBeta2);
    } finally {
      tf.dispose([oneMinusAccBeta1, oneMinusAccBeta2]);
    }
    tf.tidy(() => {
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }

  private updateEach(
    names: string[],
    variableGradients: tf.NamedTensorMap | Array<{ name: string; tensor: tf.Tensor }>,
    oneMinusAccBeta1: tf.Tensor,
    oneMinusAccBeta2: tf.Tensor,
  ): void {
    const state = this as unknown as AdamState;
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name];
      state.accumulatedFirstMoment[i] ??= {
        originalName: `${name}/m`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      state.accumulatedSecondMoment[i] ??= {
        originalName: `${name}/v`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
      if (gradient == null) return;
      const m = (state.accumulatedFirstMoment[i] as { variable: tf.Variable }).variable;
      const v = (state.accumulatedSecondMoment[i] as { variable: tf.Variable }).variable;
      // One variable's temporaries at a time.
      tf.tidy(() => {
        const newM = tf.add(tf.mul(m, this.beta1), tf.mul(gradient, 1 - this.beta1));
        const newV = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2));
        const mHat = tf.div(newM, oneMinusAccBeta1);
        const vHat = tf.div(newV, oneMinusAccBeta2);
        m.assign(newM);
        v.assign(newV);
        value.assign(tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), -this.learningRate), value));
      });
    });
  }
}

/** Adam (`tf.train.adam`'s arguments) that frees each variable's temporaries before the next: see LeanAdamOptimizer. */
export function leanAdam(learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8): LeanAdamOptimizer {
  return new LeanAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
