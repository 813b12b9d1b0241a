/**
 * Running TensorFlow ops that tfjs does not expose (fused BatchNorm, block LSTM and GRU cells) through the native
 * backend's `executeMultipleOutputs(name, attrs, inputs, numOutputs)`. Everything here returns `undefined` when the
 * active backend is not the native TensorFlow one, so callers can keep a generic path.
 */
import * as tf from '@tensorflow/tfjs';

export interface NativeOpAttr {
  name: string;
  type: number;
  value: unknown;
}

export interface NativeBinding {
  TF_ATTR_TYPE: number;
  TF_ATTR_FLOAT: number;
  TF_ATTR_STRING: number;
  TF_ATTR_BOOL: number;
  TF_FLOAT: number;
  TF_INT32: number;
  TF_INT64: number;
}

export interface NativeBackend {
  binding: NativeBinding;
  executeMultipleOutputs(name: string, attrs: NativeOpAttr[], inputs: tf.Tensor[], numOutputs: number): tf.Tensor[];
}

/** The active backend when it can run TensorFlow ops by name, else undefined. */
export function nativeBackend(): NativeBackend | undefined {
  const b = tf.backend() as unknown as Partial<NativeBackend>;
  return b && typeof b.executeMultipleOutputs === 'function' && b.binding ? (b as NativeBackend) : undefined;
}

/** Attribute builders: `attr.float32(b, 'T')`, `attr.float(b, 'epsilon', 1e-5)`, ... */
export const attr = {
  float32: (b: NativeBackend, name: string): NativeOpAttr => ({
    name,
    type: b.binding.TF_ATTR_TYPE,
    value: b.binding.TF_FLOAT,
  }),
  float: (b: NativeBackend, name: string, value: number): NativeOpAttr => ({
    name,
    type: b.binding.TF_ATTR_FLOAT,
    value,
  }),
  bool: (b: NativeBackend, name: string, value: boolean): NativeOpAttr => ({
    name,
    type: b.binding.TF_ATTR_BOOL,
    value,
  }),
  string: (b: NativeBackend, name: string, value: string): NativeOpAttr => ({
    name,
    type: b.binding.TF_ATTR_STRING,
    value,
  }),
};

const int64Scalars = new Map<number, tf.Tensor>();

/**
 * A native int64 scalar (e.g. `BlockLSTM`'s `seq_len_max`), made by a native `Cast`; cached and kept for the process.
 * Porting note: tfjs has no int64 dtype. The tensor is labelled int32 on the JS side but its native handle is int64,
 * which is what the op checks; never read it back or compute with it in tfjs.
 */
export function nativeInt64Scalar(b: NativeBackend, value: number): tf.Tensor {
  const cached = int64Scalars.get(value);
  if (cached && !cached.isDisposed) return cached;
  const attrs = [
    { name: 'SrcT', type: b.binding.TF_ATTR_TYPE, value: b.binding.TF_INT32 },
    { name: 'DstT', type: b.binding.TF_ATTR_TYPE, value: b.binding.TF_INT64 },
    attr.bool(b, 'Truncate', false),
  ];
  // tfjs-node warns on every int64 output ("stored as BigInt64Array"); this one is never read back.
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    const out = tf.tidy(() => b.executeMultipleOutputs('Cast', attrs, [tf.scalar(value, 'int32')], 1)[0]);
    int64Scalars.set(value, tf.keep(out));
    return out;
  } finally {
    console.warn = warn;
  }
}

/**
 * Attributes of TensorFlow's LSTM block ops (`BlockLSTM`, `LSTMBlockCell`) as the kit uses them: forget bias 0 (the
 * weights hold the whole bias, as in PyTorch and Keras), no cell clipping, no peepholes; and of their gradients.
 */
export function lstmBlockAttrs(b: NativeBackend): { forward: NativeOpAttr[]; grad: NativeOpAttr[] } {
  return {
    forward: [
      attr.float(b, 'forget_bias', 0),
      attr.float(b, 'cell_clip', -1),
      attr.bool(b, 'use_peephole', false),
      attr.float32(b, 'T'),
    ],
    grad: [attr.bool(b, 'use_peephole', false), attr.float32(b, 'T')],
  };
}
