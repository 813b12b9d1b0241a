/**
 * The oneDNN self-test workload. `src/engine/onednn-guard.ts` runs this file in a child process with oneDNN forced
 * on, before the parent loads TensorFlow; if the child dies by a signal (TF 2.21's oneDNN raises SIGFPE in primitive
 * creation on some CPUs and VMs whose cache topology it cannot read), the parent loads TensorFlow with oneDNN off.
 *
 * It runs, once each at batch 1 or 2, every distinct op shape the kit's models run: each convolution of
 * ResNet-18/34/50 at 32 and 224 pixels (plain, as the layers model runs it, and fused with bias and ReLU, as the
 * BatchNorm-folded backbone runs it), the convolution gradients at 32 pixels, training-mode FusedBatchNormV3 and its
 * gradient, and the fused recurrent ops (BlockLSTM, GRUBlockCell, the whole-sequence SimpleRNN) with their gradients.
 * Primitive creation is what crashes, so shapes matter and batch sizes do not.
 *
 * Usage (what the guard runs): `node onednn-child.js <engine package>`. Each step is written to stderr before it
 * runs, so a crash names the last step; the last stdout line is a JSON summary.
 *
 * This file sits above `models/` (it imports their fused ops) and below nothing: no library module imports it.
 */
import * as tf from '@tensorflow/tfjs';
import {
  RESNET_SPECS,
  STAGE_PLANES,
  STAGE_STRIDES,
  BLOCK_EXPANSION,
  type ResNetSpec,
} from '../models/resnet/resnet-spec';
import { fusedBatchNormTraining } from '../models/batch-norm/fused-batch-norm';
import { blockLstm } from '../models/recurrent/fused-lstm';
import { blockGru } from '../models/recurrent/fused-gru';
import { sequenceSimpleRnn } from '../models/recurrent/fused-simple-rnn';
import { convRouteKey, installConvReroute } from '../engine/conv-reroute';

/** One convolution as the kit runs it: kernel side, channels, stride, and the (square) input side before padding. */
export interface ConvShape {
  kernel: number;
  inChannels: number;
  outChannels: number;
  stride: number;
  size: number;
}

/** Every convolution of a ResNet at one input size, in order (torchvision v1.5: the stride sits on the 3x3 conv). */
export function resnetConvShapes(spec: ResNetSpec, inputSize: number): ConvShape[] {
  const out: ConvShape[] = [{ kernel: 7, inChannels: 3, outChannels: 64, stride: 2, size: inputSize }];
  let size = Math.floor((Math.floor((inputSize + 6 - 7) / 2) + 1 + 2 - 3) / 2) + 1; // conv1 then max pool
  let cin = 64;
  const expansion = BLOCK_EXPANSION[spec.block];
  spec.stages.forEach((blocks, stage) => {
    const planes = STAGE_PLANES[stage];
    for (let b = 0; b < blocks; b++) {
      const stride = b === 0 ? STAGE_STRIDES[stage] : 1;
      const cout = planes * expansion;
      const after = Math.floor((size - 1) / stride) + 1;
      if (spec.block === 'basic') {
        out.push({ kernel: 3, inChannels: cin, outChannels: planes, stride, size });
        out.push({ kernel: 3, inChannels: planes, outChannels: planes, stride: 1, size: after });
      } else {
        out.push({ kernel: 1, inChannels: cin, outChannels: planes, stride: 1, size });
        out.push({ kernel: 3, inChannels: planes, outChannels: planes, stride, size });
        out.push({ kernel: 1, inChannels: planes, outChannels: cout, stride: 1, size: after });
      }
      if (stride !== 1 || cin !== cout) out.push({ kernel: 1, inChannels: cin, outChannels: cout, stride, size });
      cin = cout;
      size = after;
    }
  });
  return out;
}

/** The distinct convolutions of ResNet-18/34/50 at the given sizes. */
export function selfTestConvShapes(sizes: readonly number[] = [32, 224]): ConvShape[] {
  const seen = new Map<string, ConvShape>();
  for (const spec of Object.values(RESNET_SPECS)) {
    for (const size of sizes) {
      for (const c of resnetConvShapes(spec, size))
        seen.set(`${c.kernel}/${c.inChannels}/${c.outChannels}/${c.stride}/${c.size}`, c);
    }
  }
  return [...seen.values()];
}

/** One step of the workload: its name, the conv shape it runs (the reroute's key), and what it computes. */
interface Step {
  name: string;
  /** `1x1 256->1024 s1` for a convolution step, `matmul` for the matrix-product step, undefined otherwise. */
  key?: string;
  run: () => void;
}

/**
 * The step line the parent reads: `[onednn-selftest] <index>\t<key or ->\t<name>`. The parent reroutes a crashing
 * 1x1 convolution by its key and starts the child again at that shape's first step.
 */
function announce(index: number, s: Step): void {
  process.stderr.write(`[onednn-selftest] ${index}\t${s.key ?? '-'}\t${s.name}\n`);
}

function conv(c: ConvShape, batch: number, fused: boolean): tf.Tensor {
  const pad = (c.kernel - 1) / 2;
  // Constant tensors: the values do not matter (primitive creation is what crashes) and fills are much cheaper.
  const x = tf.pad(tf.fill([batch, c.size, c.size, c.inChannels], 0.5), [
    [0, 0],
    [pad, pad],
    [pad, pad],
    [0, 0],
  ]);
  const w = tf.fill([c.kernel, c.kernel, c.inChannels, c.outChannels], 0.01);
  if (!fused) return tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, 'valid');
  return tf.fused.conv2d({
    x: x as tf.Tensor4D,
    filter: w as tf.Tensor4D,
    strides: c.stride,
    pad: 'valid',
    bias: tf.zeros([c.outChannels]),
    activation: 'relu',
  });
}

/** Every step, in order: a matrix product first, then each conv shape (plain, fused, gradients), BatchNorm, RNNs. */
export function selfTestSteps(): Step[] {
  const steps: Step[] = [];
  const step = (name: string, run: () => void, key?: string) => steps.push({ name, key, run });
  // The reroute computes crashing 1x1 convs as matrix products: if these crash too, only the fallback helps.
  step(
    'matmul [3136, 256] x [256, 1024] and its gradients',
    () => {
      const a = tf.fill([3136, 256], 0.5) as tf.Tensor2D;
      const b = tf.fill([256, 1024], 0.01) as tf.Tensor2D;
      tf.grads((p: tf.Tensor, q: tf.Tensor) =>
        tf
          .matMul(p as tf.Tensor2D, q as tf.Tensor2D)
          .square()
          .mean(),
      )([a, b]).forEach((t) => t.dataSync());
    },
    'matmul',
  );
  for (const c of selfTestConvShapes()) {
    const label = `${c.kernel}x${c.kernel} ${c.inChannels}->${c.outChannels} stride ${c.stride} at ${c.size}x${c.size}`;
    const key = convRouteKey(c);
    step(`conv ${label}`, () => void conv(c, 1, false).dataSync(), key);
    step(`fused conv+bias+relu ${label}`, () => void conv(c, 1, true).dataSync(), key);
    if (c.size <= 32) {
      step(
        `conv backprop ${label}`,
        () => {
          const g = tf.grads((x: tf.Tensor, w: tf.Tensor) =>
            tf
              .conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, 'valid')
              .square()
              .mean(),
          );
          const pad = (c.kernel - 1) / 2;
          const x = tf.fill([2, c.size + 2 * pad, c.size + 2 * pad, c.inChannels], 0.5);
          g([x, tf.fill([c.kernel, c.kernel, c.inChannels, c.outChannels], 0.01)]).forEach((t) => t.dataSync());
        },
        key,
      );
    }
  }
  for (const [size, channels] of [
    [8, 64],
    [56, 64],
    [4, 512],
    [1, 2048],
  ] as const) {
    step(`FusedBatchNormV3 (training) and its gradient at ${size}x${size}x${channels}`, () => {
      const g = tf.grads((x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
        const r = fusedBatchNormTraining(x, gamma, beta, 1e-5);
        if (!r) throw new Error('FusedBatchNormV3 is not available on this backend.');
        r.mean.dispose();
        r.variance.dispose();
        return r.y.square().mean();
      });
      g([tf.randomNormal([2, size, size, channels]), tf.ones([channels]), tf.zeros([channels])]).forEach((t) =>
        t.dataSync(),
      );
    });
  }
  const [batch, seqLen, features, units] = [4, 28, 28, 64];
  const x = () => tf.randomNormal([batch, seqLen, features]) as tf.Tensor3D;
  const w = (rows: number, cols: number) => tf.randomNormal([rows, cols], 0, 0.1) as tf.Tensor2D;
  step('BlockLSTM and BlockLSTMGrad', () => {
    tf.grads((a: tf.Tensor, k: tf.Tensor, b: tf.Tensor) =>
      blockLstm(a as tf.Tensor3D, k as tf.Tensor2D, b as tf.Tensor1D)
        .square()
        .mean(),
    )([x(), w(features + units, 4 * units), tf.zeros([4 * units])]).forEach((t) => t.dataSync());
  });
  step('GRUBlockCell and GRUBlockCellGrad', () => {
    tf.grads((a: tf.Tensor, ru: tf.Tensor, c: tf.Tensor, bru: tf.Tensor, bc: tf.Tensor) =>
      blockGru(a as tf.Tensor3D, ru as tf.Tensor2D, c as tf.Tensor2D, bru as tf.Tensor1D, bc as tf.Tensor1D)
        .square()
        .mean(),
    )([
      x(),
      w(features + units, 2 * units),
      w(features + units, units),
      tf.ones([2 * units]),
      tf.zeros([units]),
    ]).forEach((t) => t.dataSync());
  });
  step('whole-sequence SimpleRNN (MatMul, Tanh, TanhGrad)', () => {
    tf.grads((a: tf.Tensor, k: tf.Tensor, r: tf.Tensor, b: tf.Tensor) =>
      sequenceSimpleRnn(a as tf.Tensor3D, k as tf.Tensor2D, r as tf.Tensor2D, b as tf.Tensor1D)
        .square()
        .mean(),
    )([x(), w(features, units), w(units, units), tf.zeros([units])]).forEach((t) => t.dataSync());
  });
  return steps;
}

/** `LESSONKIT_ONEDNN_CRASH_LIST`: keys whose native kernels this child treats as crashing (tests simulate a CPU). */
function injectedCrashes(env: NodeJS.ProcessEnv): Set<string> {
  return new Set(
    (env.LESSONKIT_ONEDNN_CRASH_LIST ?? '')
      .split(/[,;]/)
      .map((k) => k.trim())
      .filter(Boolean),
  );
}

function main(): void {
  const args = process.argv.slice(2);
  const pkg = args[0] && !args[0].startsWith('--') ? args[0] : '@tensorflow/tfjs-node';
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const from = Number(opt('--from') ?? 0);
  const rerouted = (opt('--reroute') ?? '').split(';').filter(Boolean);
  require(require.resolve(pkg, { paths: [__dirname] }));
  if (tf.getBackend() !== 'tensorflow')
    throw new Error(`onednn self-test: ${pkg} did not activate the tensorflow backend.`);
  if (rerouted.length) installConvReroute(rerouted);
  const crashes = injectedCrashes(process.env);
  const started = Date.now();
  const steps = selfTestSteps();
  for (let i = from; i < steps.length; i++) {
    const s = steps[i];
    announce(i, s);
    // A simulated crash hits the native kernel only: a rerouted shape runs as matrix products, as on a real CPU.
    if (s.key && crashes.has(s.key) && !rerouted.includes(s.key)) process.kill(process.pid, 'SIGFPE');
    tf.tidy(s.run);
  }
  console.log(JSON.stringify({ ok: true, steps: steps.length, from, rerouted, ms: Date.now() - started }));
}

if (require.main === module) main();
