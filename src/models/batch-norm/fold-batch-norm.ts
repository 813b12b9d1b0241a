/**
 * A fast inference path for a frozen (or evaluated) ResNet backbone: every conv + BatchNorm pair is folded into one
 * conv with a bias,
 *     W' = W * gamma / sqrt(var + eps),   b' = beta - mean * gamma / sqrt(var + eps),
 * and run as `tf.fused.conv2d` with the ReLU fused in. The result is a function from images to pooled features with
 * the same values as the layers model in inference mode (tested to 1e-4 relative), with fewer ops per layer.
 *
 * The folded weights are a snapshot: recompile after the backbone's weights change. Structure is read from the layer
 * names (`layerN.B.convK`, `...downsample.0`), so it works for every ResNet built by resnet.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { TorchBatchNorm } from './batch-norm';

interface FoldedConv {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
  stride: number;
  pad: number;
}

export interface CompiledBackbone {
  /** Images `[n, h, w, 3]` → pooled features `[n, C]` (inference mode). Caller disposes the result. */
  features(x: tf.Tensor4D): tf.Tensor2D;
  /** Releases the folded weights. */
  dispose(): void;
}

function foldConvBn(model: tf.LayersModel, convName: string, bnName: string): FoldedConv {
  const conv = model.getLayer(convName);
  const bn = model.getLayer(bnName);
  if (!(bn instanceof TorchBatchNorm))
    throw new Error(`compileFrozenBackbone: layer "${bnName}" is not a TorchBatchNorm.`);
  const [kernel] = conv.getWeights();
  const [gamma, beta, mean, variance] = bn.getWeights();
  const config = conv.getConfig() as { strides: number[]; kernelSize: number[] };
  return tf.tidy(() => {
    const scale = tf.div(gamma, tf.sqrt(tf.add(variance, bn.epsilon)));
    return {
      filter: tf.keep(tf.mul(kernel, scale) as tf.Tensor4D),
      bias: tf.keep(tf.sub(beta, tf.mul(mean, scale)) as tf.Tensor1D),
      stride: config.strides[0],
      pad: (config.kernelSize[0] - 1) / 2,
    };
  });
}

function run(x: tf.Tensor4D, c: FoldedConv, activation: 'relu' | 'linear'): tf.Tensor4D {
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [c.pad, c.pad],
    [c.pad, c.pad],
    [0, 0],
  ];
  return tf.fused.conv2d({
    x,
    filter: c.filter,
    bias: c.bias,
    strides: c.stride,
    pad: c.pad ? pad : 'valid',
    activation,
  });
}

/** Folds BatchNorm into the convs of a ResNet backbone and returns a fast features function. */
export function compileFrozenBackbone(model: tf.LayersModel): CompiledBackbone {
  const names = new Set(model.layers.map((l) => l.name));
  const bottleneck = names.has('layer1.0.conv3');
  const stem = foldConvBn(model, 'conv1', 'bn1');
  const blocks: { convs: FoldedConv[]; downsample?: FoldedConv }[] = [];
  for (let s = 1; s <= 4; s++) {
    for (let b = 0; names.has(`layer${s}.${b}.conv1`); b++) {
      const p = `layer${s}.${b}`;
      const convs = (bottleneck ? [1, 2, 3] : [1, 2]).map((k) => foldConvBn(model, `${p}.conv${k}`, `${p}.bn${k}`));
      const downsample = names.has(`${p}.downsample.0`)
        ? foldConvBn(model, `${p}.downsample.0`, `${p}.downsample.1`)
        : undefined;
      blocks.push({ convs, downsample });
    }
  }
  const all = [stem, ...blocks.flatMap((b) => (b.downsample ? [...b.convs, b.downsample] : b.convs))];
  return {
    features(x: tf.Tensor4D): tf.Tensor2D {
      return tf.tidy(() => {
        // PyTorch pads the max pool with -inf; zeros are equivalent after a ReLU.
        let y = tf.tidy(() =>
          tf.maxPool(
            tf.pad(run(x, stem, 'relu'), [
              [0, 0],
              [1, 1],
              [1, 1],
              [0, 0],
            ]),
            3,
            2,
            'valid',
          ),
        );
        for (const block of blocks) {
          // One tidy per block, and the block's input freed after it: peak memory is one block's activations, not
          // the whole network's (a 224x224 ResNet-50 at batch 32 otherwise holds about 3 GB until the end).
          const input = y;
          y = tf.tidy(() => {
            let z = input;
            block.convs.forEach((c, i) => (z = run(z, c, i < block.convs.length - 1 ? 'relu' : 'linear')));
            const identity = block.downsample ? run(input, block.downsample, 'linear') : input;
            return tf.relu(tf.add(z, identity)) as tf.Tensor4D;
          });
          if (input !== x) input.dispose();
        }
        return tf.mean(y, [1, 2]) as tf.Tensor2D;
      });
    },
    dispose(): void {
      for (const c of all) tf.dispose([c.filter, c.bias]);
    },
  };
}
