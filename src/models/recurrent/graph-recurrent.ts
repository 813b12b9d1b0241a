/**
 * The recurrent layers' formulation for the graph path (src/engine/graph): while a training step is recorded as one
 * TensorFlow function, the fused layers call these instead of their eager block ops. Three things make them fast
 * inside one graph (BENCHMARKS.md, "Recurrent rows"):
 *
 * - **Parallel chains.** A recurrence is a chain of small ops that one thread runs one after the other; but the
 *   samples of a batch never meet until the weight gradients are summed. `inChains` splits the batch into as many
 *   independent chains as TensorFlow has inter-op threads (at most one per 32 samples), and the graph executor runs
 *   them at the same time. Measured on 2 cores: the LSTM step 1.15-1.4x faster than one chain (three A/Bs).
 * - **Gradients off the chain.** The weight and input gradients are matrix products over a chunk of steps, issued as
 *   soon as the chunk's steps are done, so the second thread computes them while the time loop goes on.
 * - **Few ops per step.** The LSTM step is one `LSTMBlockCell` forward and one `LSTMBlockCellGrad` backward (TF's own
 *   fused cell) plus one matrix product; the GRU step a handful of small ops.
 *
 * Eagerly the block ops win (`BlockLSTM`/`GRUBlockCell`: a thousand eager dispatches cost more than their slower
 * kernels). Same function, same weights, same gradients: test/graph checks them against the block ops.
 */
import * as tf from '@tensorflow/tfjs';
import * as os from 'node:os';
import { attr, lstmBlockAttrs, nativeBackend } from '../ops/native-ops';

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
 * One chain of `graphGru`, as small ops: the "reset before" GRU, `wRu` `[F + U, 2U]` (columns `[r, u]`), `wC`
 * `[F + U, U]`, biases `[2U]` and `[U]`, zero initial state; returns every step's h `[B, T, U]`.
 */
function gruChain(x: tf.Tensor3D, wRu: tf.Tensor2D, wC: tf.Tensor2D, bRu: tf.Tensor1D, bC: tf.Tensor1D): tf.Tensor3D {
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

/** Fewest samples per chain: below this a chain's matrix products get too thin to pay for the split. */
const MIN_CHAIN_ROWS = 32;

/**
 * How many independent chains `inChains` makes of a batch: TensorFlow's inter-op threads (`TF_NUM_INTEROP_THREADS`,
 * else the core count) shared among `parallelLayers` layers that run side by side (the two halves of a
 * bidirectional layer: measured, one chain per direction on 2 threads beats two), at most one per `MIN_CHAIN_ROWS`
 * samples, at least one.
 */
export function chainCount(batch: number, parallelLayers = 1): number {
  const threads = Number(process.env.TF_NUM_INTEROP_THREADS) || os.cpus().length;
  return Math.max(1, Math.min(Math.floor(threads / parallelLayers), Math.floor(batch / MIN_CHAIN_ROWS)));
}

/** `f` over `chains` near-equal slices of the batch (axis 0 of `x` `[B, T, F]`), concatenated back. */
export function inChains(x: tf.Tensor3D, chains: number, f: (part: tf.Tensor3D) => tf.Tensor3D): tf.Tensor3D {
  const batch = x.shape[0];
  if (chains <= 1) return f(x);
  const sizes = Array.from(
    { length: chains },
    (_, k) => Math.floor((batch * (k + 1)) / chains) - Math.floor((batch * k) / chains),
  );
  return tf.concat(
    tf.split(x, sizes, 0).map((part) => f(part as tf.Tensor3D)),
    0,
  ) as tf.Tensor3D;
}

/** Steps per chunk of the weight and input gradients (issued while the time loop goes on). */
const GRADIENT_CHUNK = 4;

/**
 * `blockLstm` (fused-lstm.ts) for the graph path: `x` `[B, T, F]`, `w` `[F + U, 4U]` (input rows, then recurrent
 * rows), `bias` `[4U]`, gate order `[i, c, f, o]`, zero initial state, no forget bias; returns every step's h
 * `[B, T, U]`. `chains`: independent slices of the batch (default `chainCount(B)`).
 */
export function graphLstm(
  x: tf.Tensor3D,
  w: tf.Tensor2D,
  bias: tf.Tensor1D,
  chains = chainCount(x.shape[0]),
): tf.Tensor3D {
  return inChains(x, chains, (part) => lstmChain(part, w, bias));
}

/** `graphGru` as `blockGru` (fused-gru.ts): the "reset before" GRU; `chains` as in `graphLstm`. */
export function graphGru(
  x: tf.Tensor3D,
  wRu: tf.Tensor2D,
  wC: tf.Tensor2D,
  bRu: tf.Tensor1D,
  bC: tf.Tensor1D,
  chains = chainCount(x.shape[0]),
): tf.Tensor3D {
  return inChains(x, chains, (part) => gruChain(part, wRu, wC, bRu, bC));
}

/** One chain of `graphLstm`: `LSTMBlockCell` per step forward; `LSTMBlockCellGrad` and one matmul per step backward. */
function lstmChain(x: tf.Tensor3D, w: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D {
  const b = nativeBackend();
  if (!b)
    throw new Error(
      `graphLstm: needs the native TensorFlow backend (LSTMBlockCell); the active backend is "${tf.getBackend()}".`,
    );
  const [B, T, F] = x.shape;
  const U = bias.shape[0] / 4;
  const { forward: cellAttrs, grad: gradAttrs } = lstmBlockAttrs(b);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xs, ww, bb] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const xRows = timeMajorRows(xs, B, T, F);
    const inputs = tf.unstack(tf.reshape(xRows, [T, B, F]));
    const zero = tf.zeros([B, U]);
    const noPeephole = tf.zeros([U]);
    let h = zero;
    let c = zero;
    const hs: tf.Tensor[] = [];
    const kept: tf.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      // Outputs: i, cs, f, o, ci, co, h.
      const out = b.executeMultipleOutputs(
        'LSTMBlockCell',
        cellAttrs,
        [inputs[t], c, h, ww, noPeephole, noPeephole, noPeephole, bb],
        7,
      );
      kept.push(...out.slice(0, 6));
      c = out[1];
      h = out[6];
      hs.push(h);
    }
    const sequence = tf.stack(hs); // [T, B, U]
    save([xRows, ww, bb, sequence, ...kept]);
    return {
      value: tf.transpose(sequence, [1, 0, 2]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, sb, sseq] = saved;
        const cells = saved.slice(4);
        const xsT = tf.unstack(tf.reshape(sx, [T, B, F]));
        const hsT = tf.unstack(sseq);
        const whT = tf.transpose(tf.slice(sw, [F, 0], [U, 4 * U])); // [4U, U]: no transposed operand in the loop
        const wx = tf.slice(sw, [0, 0], [F, 4 * U]);
        const dys = tf.unstack(tf.transpose(dy, [1, 0, 2]));
        const zeroState = tf.zeros([B, U]);
        const zeroPeephole = tf.zeros([U]);
        // [T * B, F + U + 1]: each (step, sample)'s input, previous state and a one (the bias's row).
        const rows = tf.concat([sx, previousStates(sseq, B, T, U), tf.ones([T * B, 1])], 1);
        const dz: tf.Tensor[] = new Array(T);
        const dWbParts: tf.Tensor[] = [];
        const dxParts: tf.Tensor[] = new Array(Math.ceil(T / GRADIENT_CHUNK));
        let dh: tf.Tensor | undefined;
        let dc: tf.Tensor = zeroState;
        for (let t = T - 1; t >= 0; t--) {
          const [i, cs, f, o, ci, co] = cells.slice(6 * t, 6 * t + 6);
          const csPrev = t > 0 ? cells[6 * (t - 1) + 1] : zeroState;
          const hPrev = t > 0 ? hsT[t - 1] : zeroState;
          const dht = dh ? tf.add(dys[t], dh) : dys[t];
          // Outputs: cs_prev_grad, dicfo (the gates' pre-activation gradient), three peephole gradients.
          const g = b.executeMultipleOutputs(
            'LSTMBlockCellGrad',
            gradAttrs,
            [xsT[t], csPrev, hPrev, sw, zeroPeephole, zeroPeephole, zeroPeephole, sb, i, cs, f, o, ci, co, dc, dht],
            5,
          );
          dc = g[0];
          dz[t] = g[1];
          if (t > 0) dh = tf.matMul(dz[t], whT);
          if (t % GRADIENT_CHUNK === 0) {
            const n = Math.min(GRADIENT_CHUNK, T - t);
            const dZ = tf.reshape(tf.stack(dz.slice(t, t + n)), [n * B, 4 * U]);
            dWbParts.push(tf.matMul(tf.slice(rows, [t * B, 0], [n * B, F + U + 1]), dZ, true, false));
            dxParts[t / GRADIENT_CHUNK] = tf.matMul(dZ, wx, false, true);
          }
        }
        const dWb = dWbParts.length > 1 ? tf.addN(dWbParts) : dWbParts[0]; // [F + U + 1, 4U]
        return [
          tf.transpose(tf.reshape(tf.concat(dxParts, 0), [T, B, F]), [1, 0, 2]),
          tf.slice(dWb, [0, 0], [F + U, 4 * U]),
          tf.reshape(tf.slice(dWb, [F + U, 0], [1, 4 * U]), [4 * U]),
        ];
      },
    };
  });
  return op(x, w, bias) as tf.Tensor3D;
}
