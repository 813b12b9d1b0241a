/**
 * The LSTM and GRU of FusedLSTM / FusedGRU written as many small ops (matmuls and element-wise ops per time step,
 * with a hand-written whole-sequence gradient), for the graph path: inside ONE compiled TensorFlow function small ops
 * cost little, the input projection of all steps is one big matmul, and the weight gradients of all steps are two big
 * matmuls, where `BlockLSTM`/`BlockLSTMGrad` do a small contraction per step and per weight. Eagerly the block ops
 * win (a thousand eager dispatches cost more than their slower kernels); the fused layers pick this formulation
 * only while the graph path records a step (`isRecordingGraph()`). Same function, same weights, same gradients:
 * test/graph checks them against the block ops.
 */
import * as tf from '@tensorflow/tfjs';
import { attr, nativeBackend } from '../ops/native-ops';

/** `dy * y * (1 - y)` and `dy * (1 - y^2)` as one native op each (SigmoidGrad, TanhGrad) when the backend has them. */
function sigmoidGrad(y: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const b = nativeBackend();
  if (b) return b.executeMultipleOutputs('SigmoidGrad', [attr.float32(b, 'T')], [y, dy], 1)[0];
  return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
}

function tanhGrad(y: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const b = nativeBackend();
  if (b) return b.executeMultipleOutputs('TanhGrad', [attr.float32(b, 'T')], [y, dy], 1)[0];
  return tf.mul(dy, tf.sub(1, tf.square(y)));
}

/**
 * `[h_0, ..., h_{T-2}]` of a time-major `[T, B, U]` sequence, after a zero state: the previous state of every step,
 * flattened to `[T * B, U]` (time-major rows, like the gradients it multiplies).
 */
function previousStates(seq: tf.Tensor, batch: number, steps: number, units: number): tf.Tensor {
  return tf.reshape(tf.concat([tf.zeros([1, batch, units]), tf.slice(seq, [0, 0, 0], [steps - 1, -1, -1])], 0), [
    steps * batch,
    units,
  ]);
}

/** `x` `[B, T, F]` as time-major rows `[T * B, F]`. */
function timeMajorRows(x: tf.Tensor, batch: number, steps: number, features: number): tf.Tensor {
  return tf.reshape(tf.transpose(x, [1, 0, 2]), [steps * batch, features]);
}

/**
 * `blockLstm` (fused-lstm.ts) as small ops: `x` `[B, T, F]`, `w` `[F + U, 4U]` (input rows, then recurrent rows),
 * `bias` `[4U]`, gate order `[i, c, f, o]`, zero initial state, no forget bias; returns every step's h `[B, T, U]`.
 */
export function matmulLstm(x: tf.Tensor3D, w: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D {
  const [B, T, F] = x.shape;
  const U = bias.shape[0] / 4;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xs, ww, bb] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    // Time-major throughout (rows [t * B + b]): unstacking and stacking along the leading axis moves contiguous
    // blocks, where the batch-major axis 1 strides through the whole tensor (BENCHMARKS.md, profiled section).
    const xRows = timeMajorRows(xs, B, T, F);
    const wh = tf.slice(ww, [F, 0], [U, 4 * U]);
    const projected = tf.unstack(
      tf.reshape(tf.add(tf.matMul(xRows, tf.slice(ww, [0, 0], [F, 4 * U])), bb), [T, B, 4 * U]),
    );
    let h: tf.Tensor | undefined;
    let c: tf.Tensor | undefined;
    const hs: tf.Tensor[] = [];
    const kept: tf.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const z = h ? tf.add(projected[t], tf.matMul(h, wh)) : projected[t];
      const [zi, zc, zf, zo] = tf.split(z, 4, 1);
      const i = tf.sigmoid(zi);
      const g = tf.tanh(zc);
      const f = tf.sigmoid(zf);
      const o = tf.sigmoid(zo);
      c = c ? tf.add(tf.mul(f, c), tf.mul(i, g)) : tf.mul(i, g);
      const tc = tf.tanh(c);
      h = tf.mul(o, tc);
      hs.push(h);
      kept.push(i, g, f, o, c, tc);
    }
    const sequence = tf.stack(hs);
    save([xRows, ww, sequence, ...kept]);
    return {
      value: tf.transpose(sequence, [1, 0, 2]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, sseq] = saved;
        const st = saved.slice(3);
        const swx = tf.slice(sw, [0, 0], [F, 4 * U]);
        const swh = tf.slice(sw, [F, 0], [U, 4 * U]);
        const dys = tf.unstack(tf.transpose(dy, [1, 0, 2]));
        const dz: tf.Tensor[] = new Array(T);
        let dh: tf.Tensor | undefined;
        let dc: tf.Tensor | undefined;
        for (let t = T - 1; t >= 0; t--) {
          const [i, g, f, o, , tc] = st.slice(6 * t, 6 * t + 6);
          const dht = dh ? tf.add(dys[t], dh) : dys[t];
          let dct = tanhGrad(tc, tf.mul(dht, o));
          if (dc) dct = tf.add(dct, dc);
          const parts = [sigmoidGrad(i, tf.mul(dct, g)), tanhGrad(g, tf.mul(dct, i))];
          if (t > 0) {
            parts.push(sigmoidGrad(f, tf.mul(dct, st[6 * (t - 1) + 4])));
            dc = tf.mul(dct, f);
          } else {
            parts.push(tf.zerosLike(f));
          }
          parts.push(sigmoidGrad(o, tf.mul(dht, tc)));
          dz[t] = tf.concat(parts, 1);
          if (t > 0) dh = tf.matMul(dz[t], swh, false, true);
        }
        const dZ = tf.reshape(tf.stack(dz), [T * B, 4 * U]);
        return [
          tf.transpose(tf.reshape(tf.matMul(dZ, swx, false, true), [T, B, F]), [1, 0, 2]),
          tf.concat([tf.matMul(sx, dZ, true, false), tf.matMul(previousStates(sseq, B, T, U), dZ, true, false)], 0),
          tf.sum(dZ, 0),
        ];
      },
    };
  });
  return op(x, w, bias) as tf.Tensor3D;
}

/**
 * `blockGru` (fused-gru.ts) as small ops: the "reset before" GRU, `wRu` `[F + U, 2U]` (columns `[r, u]`), `wC`
 * `[F + U, U]`, biases `[2U]` and `[U]`, zero initial state; returns every step's h `[B, T, U]`.
 */
export function matmulGru(
  x: tf.Tensor3D,
  wRu: tf.Tensor2D,
  wC: tf.Tensor2D,
  bRu: tf.Tensor1D,
  bC: tf.Tensor1D,
): tf.Tensor3D {
  const [B, T, F] = x.shape;
  const U = bC.shape[0];
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xs, wru, wc, bru, bc] = args as tf.Tensor[];
    const save = args[5] as tf.GradSaveFunc;
    // Time-major throughout, as in matmulLstm.
    const xRows = timeMajorRows(xs, B, T, F);
    const pRu = tf.unstack(tf.reshape(tf.add(tf.matMul(xRows, tf.slice(wru, [0, 0], [F, 2 * U])), bru), [T, B, 2 * U]));
    const pC = tf.unstack(tf.reshape(tf.add(tf.matMul(xRows, tf.slice(wc, [0, 0], [F, U])), bc), [T, B, U]));
    const whRu = tf.slice(wru, [F, 0], [U, 2 * U]);
    const whC = tf.slice(wc, [F, 0], [U, U]);
    let h: tf.Tensor | undefined;
    const hs: tf.Tensor[] = [];
    const kept: tf.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const ru = tf.sigmoid(h ? tf.add(pRu[t], tf.matMul(h, whRu)) : pRu[t]);
      const [r, u] = tf.split(ru, 2, 1);
      const c = tf.tanh(h ? tf.add(pC[t], tf.matMul(tf.mul(r, h), whC)) : pC[t]);
      // h' = u h + (1 - u) c = c + u (h - c)
      h = h ? tf.add(c, tf.mul(u, tf.sub(h, c))) : tf.sub(c, tf.mul(u, c));
      hs.push(h);
      kept.push(r, u, c);
    }
    const sequence = tf.stack(hs);
    save([xRows, wru, wc, sequence, ...kept]);
    return {
      value: tf.transpose(sequence, [1, 0, 2]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, swru, swc, sseq] = saved;
        const st = saved.slice(4);
        const sWhRu = tf.slice(swru, [F, 0], [U, 2 * U]);
        const sWhC = tf.slice(swc, [F, 0], [U, U]);
        const dys = tf.unstack(tf.transpose(dy, [1, 0, 2]));
        const hPrevAll = previousStates(sseq, B, T, U);
        const hPrev = tf.unstack(tf.reshape(hPrevAll, [T, B, U]));
        const dzRu: tf.Tensor[] = new Array(T);
        const dzC: tf.Tensor[] = new Array(T);
        const rh: tf.Tensor[] = new Array(T);
        let dh: tf.Tensor | undefined;
        for (let t = T - 1; t >= 0; t--) {
          const [r, u, c] = st.slice(3 * t, 3 * t + 3);
          const dht = dh ? tf.add(dys[t], dh) : dys[t];
          const dzc = tanhGrad(c, tf.sub(dht, tf.mul(dht, u)));
          const du = tf.mul(dht, tf.sub(hPrev[t], c));
          const dRh = tf.matMul(dzc, sWhC, false, true);
          const dzr = sigmoidGrad(r, tf.mul(dRh, hPrev[t]));
          dzRu[t] = tf.concat([dzr, sigmoidGrad(u, du)], 1);
          dzC[t] = dzc;
          rh[t] = tf.mul(r, hPrev[t]);
          if (t > 0) dh = tf.addN([tf.mul(dht, u), tf.mul(dRh, r), tf.matMul(dzRu[t], sWhRu, false, true)]);
        }
        const dRu = tf.reshape(tf.stack(dzRu), [T * B, 2 * U]);
        const dC = tf.reshape(tf.stack(dzC), [T * B, U]);
        const rhAll = tf.reshape(tf.stack(rh), [T * B, U]);
        const dx = tf.add(
          tf.matMul(dRu, tf.slice(swru, [0, 0], [F, 2 * U]), false, true),
          tf.matMul(dC, tf.slice(swc, [0, 0], [F, U]), false, true),
        );
        return [
          tf.transpose(tf.reshape(dx, [T, B, F]), [1, 0, 2]),
          tf.concat([tf.matMul(sx, dRu, true, false), tf.matMul(hPrevAll, dRu, true, false)], 0),
          tf.concat([tf.matMul(sx, dC, true, false), tf.matMul(rhAll, dC, true, false)], 0),
          tf.sum(dRu, 0),
          tf.sum(dC, 0),
        ];
      },
    };
  });
  return op(x, wRu, wC, bRu, bC) as tf.Tensor3D;
}
