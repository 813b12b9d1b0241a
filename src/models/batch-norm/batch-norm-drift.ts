/**
 * BatchNorm drift: how far the running statistics of a model's BatchNorm layers moved between two snapshots.
 *
 * The original lesson freezes every weight with `requires_grad = False` but trains in `model.train()` mode, so
 * PyTorch keeps updating each BatchNorm's running mean and variance from the batches it sees: its "frozen" backbone
 * is not frozen. `snapshotBatchNorm` before and after training, then `batchNormDrift`, measures it.
 */
import * as tf from '@tensorflow/tfjs';
import { TorchBatchNorm } from './batch-norm';

export interface BatchNormSnapshot {
  /** Layer name -> [running mean, running variance], copied. */
  layers: Map<string, [Float32Array, Float32Array]>;
}

export interface BatchNormDrift {
  /** BatchNorm layers compared. */
  layers: number;
  /** Layers whose statistics changed at all. */
  changedLayers: number;
  /** Mean over layers of |Δ running mean| / sqrt(running variance before), averaged over channels: the shift in units of the old standard deviation. */
  meanShift: number;
  /** Mean over layers and channels of |log(var after / var before)|. */
  logVarianceChange: number;
  /** The layer with the largest mean shift, and that shift. */
  worstLayer: string;
  worstShift: number;
}

/** Copies the running statistics of every TorchBatchNorm layer. */
export function snapshotBatchNorm(model: tf.LayersModel): BatchNormSnapshot {
  const layers = new Map<string, [Float32Array, Float32Array]>();
  for (const layer of model.layers) {
    if (!(layer instanceof TorchBatchNorm)) continue;
    // Weights in order: gamma, beta, running mean, running variance.
    const w = layer.getWeights();
    layers.set(layer.name, [Float32Array.from(w[2].dataSync()), Float32Array.from(w[3].dataSync())]);
  }
  return { layers };
}

/** How far the statistics moved from `before` to `after` (same model or same architecture). */
export function batchNormDrift(before: BatchNormSnapshot, after: BatchNormSnapshot): BatchNormDrift {
  let n = 0;
  let changed = 0;
  let shiftSum = 0;
  let logVarSum = 0;
  let worstLayer = '';
  let worstShift = -1;
  for (const [name, [m0, v0]] of before.layers) {
    const a = after.layers.get(name);
    if (!a) throw new Error(`batchNormDrift: layer ${name} is missing from the second snapshot.`);
    const [m1, v1] = a;
    let shift = 0;
    let logVar = 0;
    let any = false;
    for (let c = 0; c < m0.length; c++) {
      if (m0[c] !== m1[c] || v0[c] !== v1[c]) any = true;
      shift += Math.abs(m1[c] - m0[c]) / Math.sqrt(v0[c] + 1e-5);
      logVar += Math.abs(Math.log((v1[c] + 1e-5) / (v0[c] + 1e-5)));
    }
    shift /= m0.length;
    logVar /= m0.length;
    n++;
    if (any) changed++;
    shiftSum += shift;
    logVarSum += logVar;
    if (shift > worstShift) {
      worstShift = shift;
      worstLayer = name;
    }
  }
  if (n === 0) throw new Error('batchNormDrift: the snapshots hold no BatchNorm layers.');
  return {
    layers: n,
    changedLayers: changed,
    meanShift: shiftSum / n,
    logVarianceChange: logVarSum / n,
    worstLayer,
    worstShift,
  };
}
