/**
 * Computes the few convolutions that crash oneDNN on this CPU as matrix products, so that oneDNN can stay on for
 * everything else.
 *
 * On some CPUs and VMs (2-core AMD EPYC VMs that hide their cache topology) TF 2.21's oneDNN dies with SIGFPE when it
 * creates the primitive of a 1x1 convolution with many channels (256→1024, 512→2048, ...). A 1x1 convolution is a
 * matrix product over the channels: at stride 1, `reshape(x, [N·H·W, Cin]) · reshape(w, [Cin, Cout])`; at stride s,
 * the same after keeping every s-th row and column (`x[:, ::s, ::s, :]`). Its gradients are matrix products too. The
 * self-test (`onednn-guard.ts`) finds which shapes crash; `installConvReroute` then replaces the tensorflow backend's
 * `Conv2D`, `FusedConv2D`, `Conv2DBackpropInput` and `Conv2DBackpropFilter` kernels with wrappers that compute those
 * shapes with `StridedSlice`/`Reshape`/`MatMul`/`Pad` and hand every other shape to the original kernel.
 *
 * Kernel level, so it holds on every path: the layers model, the BatchNorm-folded backbone (`tf.fused.conv2d`),
 * gradients (tfjs's conv gradients call the backprop kernels), and the graph path, whose recorder sees the binding
 * ops the wrappers issue (MatMul, not Conv2D) and writes those into the TensorFlow function.
 */
import * as tf from '@tensorflow/tfjs';

/** A convolution shape as the reroute keys it: kernel side, channels and stride (the spatial size does not matter). */
export interface ConvRouteShape {
  kernel: number;
  inChannels: number;
  outChannels: number;
  stride: number;
}

/** `1x1 256->1024 s1`: the key of a shape in the self-test record, the crash-injection list and `describeEngine`. */
export function convRouteKey(c: ConvRouteShape): string {
  return `${c.kernel}x${c.kernel} ${c.inChannels}->${c.outChannels} s${c.stride}`;
}

const KEY_RE = /^(\d+)x\1 (\d+)->(\d+) s(\d+)$/;

/** Parses `1x1 256->1024 s1`; throws an error that names the key and the expected form. */
export function parseConvRouteKey(key: string): ConvRouteShape {
  const m = KEY_RE.exec(key.trim());
  if (!m) throw new Error(`Not a convolution key: ${JSON.stringify(key)}; expected e.g. "1x1 256->1024 s1".`);
  return { kernel: Number(m[1]), inChannels: Number(m[2]), outChannels: Number(m[3]), stride: Number(m[4]) };
}

/** Only 1x1 convolutions are plain matrix products; a crash in any other shape needs the whole-process fallback. */
export function canReroute(c: ConvRouteShape): boolean {
  return c.kernel === 1 && c.stride >= 1;
}

type Attrs = Record<string, unknown>;
type KernelArgs = { inputs: Record<string, tf.Tensor | undefined>; backend: unknown; attrs?: Attrs };

/** The stride of a call the reroute can take (NHWC, no dilation, equal strides, no padding), else undefined. */
function plainStride(attrs: Attrs): number | undefined {
  const strides = attrs.strides as number | [number, number];
  const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
  const dil = (attrs.dilations ?? 1) as number | [number, number];
  const [dh, dw] = typeof dil === 'number' ? [dil, dil] : dil;
  const format = (attrs.dataFormat ?? 'NHWC') as string;
  const pad = attrs.pad as unknown;
  // For a 1x1 kernel, 'same' and 'valid' pad nothing; explicit zero pads are nothing too.
  const noPad =
    pad === 'valid' ||
    pad === 0 ||
    pad === 'same' ||
    (Array.isArray(pad) && (pad as number[][]).every((p) => p.every((v) => v === 0)));
  if (sh !== sw || dh !== 1 || dw !== 1 || (format !== 'NHWC' && format !== 'channelsLast') || !noPad) return undefined;
  return sh;
}

/** x[:, ::s, ::s, :] */
function subsample(x: tf.Tensor4D, s: number): tf.Tensor4D {
  if (s === 1) return x;
  const [n, h, w, c] = x.shape;
  return tf.stridedSlice(x, [0, 0, 0, 0], [n, h, w, c], [1, s, s, 1]) as tf.Tensor4D;
}

/** The forward 1x1 convolution as a matrix product. */
export function conv1x1AsMatMul(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number): tf.Tensor4D {
  return tf.tidy(() => {
    const xs = subsample(x, stride);
    const [n, ho, wo, cin] = xs.shape;
    const cout = filter.shape[3];
    const y = tf.matMul(tf.reshape(xs, [n * ho * wo, cin]), tf.reshape(filter, [cin, cout]));
    return tf.reshape(y, [n, ho, wo, cout]);
  });
}

/** The gradient with respect to the input: dy · wᵀ, put back at every s-th row and column (zeros elsewhere). */
export function conv1x1BackpropInput(
  inputShape: [number, number, number, number],
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  stride: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, cin] = inputShape;
    const [, ho, wo, cout] = dy.shape;
    const dxs = tf.reshape(
      tf.matMul(tf.reshape(dy, [n * ho * wo, cout]), tf.reshape(filter, [cin, cout]), false, true),
      [n, ho, wo, cin],
    );
    if (stride === 1) return dxs as tf.Tensor4D;
    const s = stride;
    const spread = tf.pad(tf.reshape(dxs, [n, ho, 1, wo, 1, cin]), [
      [0, 0],
      [0, 0],
      [0, s - 1],
      [0, 0],
      [0, s - 1],
      [0, 0],
    ]);
    return tf.slice(tf.reshape(spread, [n, ho * s, wo * s, cin]), [0, 0, 0, 0], [n, h, w, cin]) as tf.Tensor4D;
  });
}

/** The gradient with respect to the filter: x[:, ::s, ::s, :]ᵀ · dy, as a [1, 1, Cin, Cout] kernel. */
export function conv1x1BackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, stride: number): tf.Tensor4D {
  return tf.tidy(() => {
    const xs = subsample(x, stride);
    const [n, ho, wo, cin] = xs.shape;
    const cout = dy.shape[3];
    const dw = tf.matMul(tf.reshape(xs, [n * ho * wo, cin]), tf.reshape(dy, [n * ho * wo, cout]), true, false);
    return tf.reshape(dw, [1, 1, cin, cout]);
  });
}

interface Installed {
  keys: Set<string>;
  originals: Map<string, tf.KernelConfig>;
  counts: Map<string, number>;
}

let installed: Installed | undefined;

const KERNELS = ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'] as const;

function routeFor(name: (typeof KERNELS)[number], args: KernelArgs): number | undefined {
  if (!installed) return undefined;
  const attrs = args.attrs ?? {};
  const filterShape =
    name === 'Conv2DBackpropFilter' ? (attrs.filterShape as number[]) : (args.inputs.filter as tf.Tensor).shape;
  if (!filterShape || filterShape[0] !== 1 || filterShape[1] !== 1) return undefined;
  const stride = plainStride(attrs);
  if (stride === undefined) return undefined;
  const key = convRouteKey({ kernel: 1, inChannels: filterShape[2], outChannels: filterShape[3], stride });
  if (!installed.keys.has(key)) return undefined;
  installed.counts.set(key, (installed.counts.get(key) ?? 0) + 1);
  return stride;
}

function reroutedKernel(name: (typeof KERNELS)[number], original: tf.KernelConfig): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const stride = routeFor(name, args);
    if (stride === undefined) return original.kernelFunc(args as never);
    const inputs = args.inputs;
    const attrs = args.attrs ?? {};
    switch (name) {
      case 'Conv2D':
        return conv1x1AsMatMul(inputs.x as tf.Tensor4D, inputs.filter as tf.Tensor4D, stride);
      case 'Conv2DBackpropInput':
        return conv1x1BackpropInput(
          attrs.inputShape as [number, number, number, number],
          inputs.dy as tf.Tensor4D,
          inputs.filter as tf.Tensor4D,
          stride,
        );
      case 'Conv2DBackpropFilter':
        return conv1x1BackpropFilter(inputs.x as tf.Tensor4D, inputs.dy as tf.Tensor4D, stride);
      case 'FusedConv2D': {
        const backend = args.backend as {
          applyActivation(x: tf.Tensor, act: string, prelu?: tf.Tensor, alpha?: number): tf.Tensor;
        };
        const conv = conv1x1AsMatMul(inputs.x as tf.Tensor4D, inputs.filter as tf.Tensor4D, stride);
        const biased = inputs.bias ? tf.add(conv, inputs.bias) : conv;
        if (biased !== conv) conv.dispose();
        const out = backend.applyActivation(
          biased,
          (attrs.activation as string) ?? 'linear',
          inputs.preluActivationWeights,
          attrs.leakyreluAlpha as number | undefined,
        );
        if (out !== biased) biased.dispose();
        return out;
      }
    }
  }) as unknown as tf.KernelFunc;
}

/**
 * Reroutes the given 1x1 convolution shapes (keys as `convRouteKey` writes them) on the tensorflow backend, for the
 * rest of the process. Calling it again replaces the set. Throws for a key that is not a 1x1 convolution.
 */
export function installConvReroute(keys: readonly string[]): void {
  for (const key of keys) {
    if (!canReroute(parseConvRouteKey(key)))
      throw new Error(`installConvReroute: only 1x1 convolutions can be computed as matrix products; found "${key}".`);
  }
  if (installed) {
    installed.keys = new Set(keys);
    return;
  }
  const originals = new Map<string, tf.KernelConfig>();
  for (const name of KERNELS) {
    const original = tf.getKernel(name, 'tensorflow');
    if (!original) throw new Error(`installConvReroute: the tensorflow backend has no ${name} kernel to wrap.`);
    originals.set(name, original);
  }
  installed = { keys: new Set(keys), originals, counts: new Map() };
  for (const name of KERNELS) {
    const original = originals.get(name)!;
    tf.unregisterKernel(name, 'tensorflow');
    tf.registerKernel({ ...original, kernelFunc: reroutedKernel(name, original) });
  }
}

/** Puts the backend's own kernels back (tests). */
export function uninstallConvReroute(): void {
  if (!installed) return;
  for (const [name, original] of installed.originals) {
    tf.unregisterKernel(name, 'tensorflow');
    tf.registerKernel(original);
  }
  installed = undefined;
}

/** The shapes rerouted in this process, and how many kernel calls each has taken (for tests and profiling). */
export function convRerouteStatus(): { keys: string[]; calls: Record<string, number> } {
  return {
    keys: installed ? [...installed.keys] : [],
    calls: installed ? Object.fromEntries(installed.counts) : {},
  };
}
