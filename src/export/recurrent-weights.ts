/**
 * The fused recurrent layers' weights in the layout of tfjs's standard layers (checked numerically by the tests and
 * by `exportForBrowser`'s own parity check).
 *
 * LSTM: FusedLSTM keeps Keras's split (`kernel` [f, 4u], `recurrent_kernel` [u, 4u], `bias` [4u]) but with the gate
 * columns in TensorFlow's BlockLSTM order `[i, c, f, o]`; tfjs's LSTM wants `[i, f, c, o]`. Forget bias 0 in both
 * (BlockLSTM runs with forget_bias 0; the layer's bias holds the whole bias).
 *
 * GRU: FusedGRU (GRUBlockCell) holds `gates_kernel` [f + u, 2u] with columns `[r, u]`, `candidate_kernel` [f + u, u],
 * `gates_bias` [2u], `candidate_bias` [u]; the first f rows act on x, the last u on h (on r * h for the candidate).
 * tfjs's GRU (reset before the recurrent matmul, Keras reset_after=False, the same cell) holds `kernel` [f, 3u],
 * `recurrent_kernel` [u, 3u], `bias` [3u] with columns `[z, r, h]`, where z is GRUBlockCell's u
 * (h' = z * h + (1 - z) * h~ in both).
 */
import * as tf from '@tensorflow/tfjs';

function columns(m: tf.Tensor, from: number, width: number): tf.Tensor {
  return m.rank === 1 ? tf.slice(m, [from], [width]) : tf.slice(m, [0, from], [-1, width]);
}

/** `[kernel, recurrent_kernel, bias]` of tfjs's LSTM from FusedLSTM's weights (new tensors; the caller disposes). */
export function lstmWeightsFromFused(weights: tf.Tensor[], units: number): tf.Tensor[] {
  const u = units;
  const reorder = (m: tf.Tensor) =>
    tf.concat([columns(m, 0, u), columns(m, 2 * u, u), columns(m, u, u), columns(m, 3 * u, u)], m.rank - 1);
  return tf.tidy(() => weights.map(reorder));
}

/** `[kernel, recurrent_kernel, bias]` of tfjs's GRU (reset_after=false) from FusedGRU's weights (new tensors). */
export function gruWeightsFromFused(weights: tf.Tensor[], units: number): tf.Tensor[] {
  const u = units;
  const [wRu, wC, bRu, bC] = weights;
  const features = wRu.shape[0] - u;
  return tf.tidy(() => {
    const xRows = (m: tf.Tensor) => tf.slice(m, [0, 0], [features, -1]);
    const hRows = (m: tf.Tensor) => tf.slice(m, [features, 0], [u, -1]);
    const zrh = (ru: tf.Tensor, c: tf.Tensor) => tf.concat([columns(ru, u, u), columns(ru, 0, u), c], ru.rank - 1);
    return [zrh(xRows(wRu), xRows(wC)), zrh(hRows(wRu), hRows(wC)), zrh(bRu, bC)];
  });
}
