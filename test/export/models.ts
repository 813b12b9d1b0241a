/**
 * The models the export tests convert: a small ResNet from the project's builder (one block per stage) with
 * non-trivial BatchNorm statistics, with a logits head and a LogSoftmax head, and a stack of the fused recurrent
 * layers with random weights (biases included, so that the gate order matters everywhere).
 */
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../src/engine';
import { createResNet, FusedGRU, FusedLSTM, FusedSimpleRNN, replaceHead, TorchBatchNorm } from '../../src/models';

/** ResNet with BasicBlocks [1, 1, 1, 1] (a "ResNet-10"), random weights and BatchNorm statistics. */
export async function smallResNet(seed = 1): Promise<tf.LayersModel> {
  ensureEngine();
  const backbone = await createResNet(
    { arch: 'resnet18', block: 'basic', stages: [1, 1, 1, 1] },
    { includeTop: false, seed, inputShape: [null, null, 3] },
  );
  let k = 100 * seed;
  for (const layer of backbone.layers) {
    if (!(layer instanceof TorchBatchNorm)) continue;
    const c = layer.getWeights()[0].shape[0];
    const stats = tf.tidy(() => [
      tf.randomUniform([c], 0.6, 1.4, 'float32', k++),
      tf.randomNormal([c], 0, 0.2, 'float32', k++),
      tf.randomNormal([c], 0, 0.3, 'float32', k++),
      tf.randomUniform([c], 0.5, 2, 'float32', k++),
    ]);
    layer.setWeights(stats);
    tf.dispose(stats);
  }
  return backbone;
}

/** A 10-class classifier on `backbone`: logits (`fc`) or log-probabilities (`fc.0` + `fc.1` LogSoftmax). */
export function classifier(backbone: tf.LayersModel, logSoftmax: boolean, seed = 3): tf.LayersModel {
  const model = replaceHead(backbone, { classes: 10, logSoftmax }, { seed });
  // Logits of a few units (a random ResNet's features are small): probabilities neither uniform nor one-hot, so that
  // the comparisons mean something.
  const fc = model.getLayer(logSoftmax ? 'fc.0' : 'fc');
  const [w, b] = fc.getWeights();
  const scaled = tf.tidy(() => [tf.mul(w, 3), b.clone()]);
  fc.setWeights(scaled);
  tf.dispose(scaled);
  return model;
}

function randomize(layer: tf.layers.Layer, seed: number): void {
  const ws = layer.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.4, 'float32', seed + i));
  layer.setWeights(ws);
  tf.dispose(ws);
}

/** input [steps, features] -> FusedLSTM (sequences) -> FusedGRU (sequences) -> FusedSimpleRNN -> Dense(outputs). */
export function fusedSequenceModel(
  options: { steps?: number; features?: number; outputs?: number; goBackwards?: boolean; seed?: number } = {},
): tf.LayersModel {
  ensureEngine();
  const { steps = 7, features = 3, outputs = 4, goBackwards = false, seed = 11 } = options;
  const input = tf.input({ shape: [steps, features], name: 'sequence' });
  const lstm = new FusedLSTM({ units: 8, returnSequences: true, goBackwards, name: 'lstm' });
  const gru = new FusedGRU({ units: 6, returnSequences: true, name: 'gru' });
  const rnn = new FusedSimpleRNN({ units: 5, name: 'rnn' });
  const dense = tf.layers.dense({ units: outputs, name: 'out' });
  let x = lstm.apply(input) as tf.SymbolicTensor;
  x = gru.apply(x) as tf.SymbolicTensor;
  x = rnn.apply(x) as tf.SymbolicTensor;
  x = dense.apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: x, name: 'fused-sequence' });
  [lstm, gru, rnn, dense].forEach((l, i) => randomize(l, seed + 10 * i));
  return model;
}
