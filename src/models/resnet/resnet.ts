/**
 * torchvision's ResNet, channels-last, built from a `ResNetSpec` by one factory (`createResNet`) and three thin
 * builders (`resnet18`, `resnet34`, `resnet50`).
 *
 * Fidelity to torchvision (what makes its weights give the same predictions here):
 * - "V1.5" bottleneck: the stride sits on the 3x3 conv, not on the first 1x1;
 * - convolutions have no bias; BatchNorm epsilon 1e-5 (`TorchBatchNorm`);
 * - padding is PyTorch's symmetric padding: TensorFlow's `'same'` for the stride-1 convs (the same function there),
 *   and an explicit `ZeroPadding2D` followed by a `'valid'` conv or pool at stride 2. Porting note: TensorFlow's
 *   `'same'` pads asymmetrically for stride 2 (more on the bottom/right), which is a different function. Porting note: PyTorch's max pool pads with -inf; zero padding is equivalent here because the
 *   pool follows a ReLU, so every input is >= 0;
 * - layer names are the weight keys (`conv1`, `bn1`, `layer1.0.conv1`, `layer2.0.downsample.0`, `fc`), so loading a
 *   state_dict is a lookup (see torch-keys.ts). Layers without weights get descriptive names (`layer1.0.add`).
 */
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../../engine';
import { TorchBatchNorm, registerModelLayers, type FrozenBatchNormMode } from '../batch-norm/batch-norm';
import { reinitialize } from '../ops/reinitialize';
import {
  BLOCK_EXPANSION,
  MIN_INPUT_SIZE,
  RESNET_STAGES,
  STAGE_PLANES,
  STAGE_STRIDES,
  featureChannels,
  resnetSpec,
  type ResNetArch,
  type ResNetSpec,
} from './resnet-spec';
import { loadPretrainedWeights } from './pretrained';
import { OptionError } from '../../errors';

export type ResNetPooling = 'avg' | 'max' | null;

export interface ResNetOptions {
  /** Keep the classifier (`avgpool` + `fc`). Default: true. */
  includeTop?: boolean;
  /** Without the top: `'avg'` → `[n, C]` (layer `avgpool`), `'max'` → `[n, C]` (layer `maxpool.global`), null → the
   *  `[n, h, w, C]` feature map. Ignored with the top (which always average-pools). Default: `'avg'`. */
  pooling?: ResNetPooling;
  /** Classes of `fc` (with the top). Must be 1000 with `weights: 'imagenet'`. Default: 1000. */
  classes?: number;
  /** `null` (torchvision's random init), `'imagenet'` (the registry's default entry for the architecture, downloaded
   *  once and verified), or a path to a safetensors `state_dict`. Default: null. */
  weights?: null | 'imagenet' | string;
  /** `[height, width, channels]`; null sides accept any size >= 32. Default: `[null, null, 3]`. */
  inputShape?: [number | null, number | null, number];
  /** What frozen BatchNorm layers do in training calls. Default: `'inference'`. */
  frozenBatchNorm?: FrozenBatchNormMode;
  /** Seed for the random init (weights null). Default: unseeded. */
  seed?: number;
}

const DEFAULTS = {
  includeTop: true,
  pooling: 'avg' as ResNetPooling,
  classes: 1000,
  weights: null as null | 'imagenet' | string,
  inputShape: [null, null, 3] as [number | null, number | null, number],
  frozenBatchNorm: 'inference' as FrozenBatchNormMode,
};

type Resolved = typeof DEFAULTS & { seed?: number };

function resolveOptions(arch: string, options: ResNetOptions): Resolved {
  const o: Resolved = {
    includeTop: options.includeTop ?? DEFAULTS.includeTop,
    pooling: options.pooling === undefined ? DEFAULTS.pooling : options.pooling,
    classes: options.classes ?? DEFAULTS.classes,
    weights: options.weights ?? DEFAULTS.weights,
    inputShape: options.inputShape ?? DEFAULTS.inputShape,
    frozenBatchNorm: options.frozenBatchNorm ?? DEFAULTS.frozenBatchNorm,
    seed: options.seed,
  };
  if (!Number.isInteger(o.classes) || o.classes < 1)
    throw new OptionError(`${arch}: classes must be a positive integer. Received: ${o.classes}.`);
  if (o.includeTop && o.weights === 'imagenet' && o.classes !== 1000) {
    throw new OptionError(
      `${arch}: classes ${o.classes} conflicts with includeTop: true and weights: 'imagenet' (the ImageNet classifier has 1000 ` +
        `classes). Build with includeTop: false (pooling: 'avg') or with the 1000-class top, then call ` +
        `replaceHead(model, { classes: ${o.classes} }).`,
    );
  }
  if (!['avg', 'max', null].includes(o.pooling))
    throw new OptionError(`${arch}: pooling must be 'avg', 'max' or null. Received: ${o.pooling}.`);
  const [h, w, c] = o.inputShape;
  for (const side of [h, w]) {
    if (side !== null && (!Number.isInteger(side) || side < MIN_INPUT_SIZE)) {
      throw new OptionError(
        `${arch}: input sides must be integers >= ${MIN_INPUT_SIZE} (or null for any). Received: [${o.inputShape}].`,
      );
    }
  }
  if (o.weights !== null && c !== 3)
    throw new OptionError(`${arch}: pretrained weights need 3 input channels. Received: [${o.inputShape}].`);
  return o;
}

/** Builds the network for `spec` (random init unless weights are given). */
export async function createResNet(spec: ResNetSpec, options: ResNetOptions = {}): Promise<tf.LayersModel> {
  ensureEngine();
  registerModelLayers();
  const o = resolveOptions(spec.arch, options);
  const model = buildGraph(spec, o);
  if (o.weights === null) {
    reinitialize(model, { seed: o.seed });
  } else {
    await loadPretrainedWeights(model, spec.arch, o.weights, { includeTop: o.includeTop });
  }
  return model;
}

/** ResNet-18 (BasicBlock, [2, 2, 2, 2]). Example: `(await resnet18({ includeTop: false })).outputs[0].shape` → `[null, 512]`. */
export async function resnet18(options: ResNetOptions = {}): Promise<tf.LayersModel> {
  return createResNet(resnetSpec('resnet18'), options);
}

/** ResNet-34 (BasicBlock, [3, 4, 6, 3]), the lesson's CIFAR-10 backbone. */
export async function resnet34(options: ResNetOptions = {}): Promise<tf.LayersModel> {
  return createResNet(resnetSpec('resnet34'), options);
}

/** ResNet-50 (Bottleneck V1.5, [3, 4, 6, 3]), the lesson's MNIST backbone. */
export async function resnet50(options: ResNetOptions = {}): Promise<tf.LayersModel> {
  return createResNet(resnetSpec('resnet50'), options);
}

/** Builds by name; unknown names fail with the list of known ones. */
export async function resnet(arch: ResNetArch | string, options: ResNetOptions = {}): Promise<tf.LayersModel> {
  return createResNet(resnetSpec(arch), options);
}

// ---------------------------------------------------------------------------------------------------------------
// The graph. Initializers are zeros: the weights are always set afterwards (reinitialize or a checkpoint).

type Sym = tf.SymbolicTensor;

function conv(x: Sym, name: string, filters: number, kernel: number, stride: number, pad: number): Sym {
  // At stride 1, TensorFlow's 'same' is PyTorch's symmetric padding of (kernel - 1) / 2: the conv pads itself, which
  // costs far less than a zero-padded copy and a 'valid' conv over it, above all in the gradients (BENCHMARKS.md,
  // "What bounds the rows that still miss"). At stride 2 'same' pads asymmetrically, so the explicit pad stays.
  const same = stride === 1 && pad > 0 && pad * 2 === kernel - 1;
  const padded =
    pad > 0 && !same ? (tf.layers.zeroPadding2d({ padding: pad, name: `${name}.pad` }).apply(x) as Sym) : x;
  return tf.layers
    .conv2d({
      name,
      filters,
      kernelSize: kernel,
      strides: stride,
      padding: same ? 'same' : 'valid',
      useBias: false,
      kernelInitializer: 'zeros',
    })
    .apply(padded) as Sym;
}

function bn(x: Sym, name: string, o: Resolved): Sym {
  return new TorchBatchNorm({ name, frozenMode: o.frozenBatchNorm }).apply(x) as Sym;
}

function relu(x: Sym, name: string): Sym {
  return tf.layers.reLU({ name }).apply(x) as Sym;
}

function block(
  x: Sym,
  spec: ResNetSpec,
  prefix: string,
  inChannels: number,
  planes: number,
  stride: number,
  o: Resolved,
): Sym {
  const out = planes * BLOCK_EXPANSION[spec.block];
  let y: Sym;
  if (spec.block === 'basic') {
    y = relu(bn(conv(x, `${prefix}.conv1`, planes, 3, stride, 1), `${prefix}.bn1`, o), `${prefix}.relu1`);
    y = bn(conv(y, `${prefix}.conv2`, planes, 3, 1, 1), `${prefix}.bn2`, o);
  } else {
    y = relu(bn(conv(x, `${prefix}.conv1`, planes, 1, 1, 0), `${prefix}.bn1`, o), `${prefix}.relu1`);
    y = relu(bn(conv(y, `${prefix}.conv2`, planes, 3, stride, 1), `${prefix}.bn2`, o), `${prefix}.relu2`);
    y = bn(conv(y, `${prefix}.conv3`, out, 1, 1, 0), `${prefix}.bn3`, o);
  }
  const identity =
    stride !== 1 || inChannels !== out
      ? bn(conv(x, `${prefix}.downsample.0`, out, 1, stride, 0), `${prefix}.downsample.1`, o)
      : x;
  return relu(tf.layers.add({ name: `${prefix}.add` }).apply([y, identity]) as Sym, `${prefix}.relu`);
}

function buildGraph(spec: ResNetSpec, o: Resolved): tf.LayersModel {
  const input = tf.input({ shape: o.inputShape, name: 'input' });
  let x = relu(bn(conv(input, 'conv1', 64, 7, 2, 3), 'bn1', o), 'relu');
  x = tf.layers.zeroPadding2d({ padding: 1, name: 'maxpool.pad' }).apply(x) as Sym;
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: 'maxpool' }).apply(x) as Sym;
  let channels = 64;
  RESNET_STAGES.forEach((stage, s) => {
    for (let b = 0; b < spec.stages[s]; b++) {
      x = block(x, spec, `${stage}.${b}`, channels, STAGE_PLANES[s], b === 0 ? STAGE_STRIDES[s] : 1, o);
      channels = STAGE_PLANES[s] * BLOCK_EXPANSION[spec.block];
    }
  });
  if (o.includeTop) {
    x = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as Sym;
    x = tf.layers
      .dense({
        units: o.classes,
        name: 'fc',
        inputDim: featureChannels(spec),
        kernelInitializer: 'zeros',
        biasInitializer: 'zeros',
      })
      .apply(x) as Sym;
  } else if (o.pooling === 'avg') {
    x = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as Sym;
  } else if (o.pooling === 'max') {
    x = tf.layers.globalMaxPooling2d({ name: 'maxpool.global' }).apply(x) as Sym;
  }
  return tf.model({ inputs: input, outputs: x, name: spec.arch });
}
