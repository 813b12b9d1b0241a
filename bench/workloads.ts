/**
 * The benchmark's workloads: the original lesson's training and inference steps, with random weights and synthetic
 * inputs. The names and shapes match bench/peers.py (the PyTorch and Keras sides) exactly.
 */

export type WorkloadKind = 'cnn' | 'rnn' | 'e2e';
export type Trains = 'head' | 'all' | 'eval';
export type Arch = 'resnet34' | 'resnet50' | 'simplernn' | 'lstm' | 'gru' | 'bilstm';

export interface Workload {
  name: string;
  kind: WorkloadKind;
  arch: Arch;
  /** Image side (cnn, e2e) or sequence length (rnn). */
  size: number;
  batch: number;
  trains: Trains;
  /** What the table says is timed. */
  description: string;
  /** Left out of `--quick`. */
  heavy?: boolean;
}

export const WORKLOADS: readonly Workload[] = [
  {
    name: 'resnet34-frozen',
    kind: 'cnn',
    arch: 'resnet34',
    size: 32,
    batch: 128,
    trains: 'head',
    description: 'frozen ResNet-34, 32x32, b128, head train step',
  },
  {
    name: 'resnet34-finetune',
    kind: 'cnn',
    arch: 'resnet34',
    size: 32,
    batch: 128,
    trains: 'all',
    description: 'fine-tuned ResNet-34, 32x32, b128, train step',
  },
  {
    name: 'resnet34-eval',
    kind: 'cnn',
    arch: 'resnet34',
    size: 32,
    batch: 128,
    trains: 'eval',
    description: 'ResNet-34 inference, 32x32, b128',
  },
  {
    name: 'resnet50-frozen-224-b32',
    kind: 'cnn',
    arch: 'resnet50',
    size: 224,
    batch: 32,
    trains: 'head',
    description: 'frozen ResNet-50, 224x224, b32, head train step',
  },
  {
    name: 'resnet50-frozen-224-b128',
    kind: 'cnn',
    arch: 'resnet50',
    size: 224,
    batch: 128,
    trains: 'head',
    description: 'frozen ResNet-50, 224x224, b128, head train step',
    heavy: true,
  },
  {
    name: 'simplernn',
    kind: 'rnn',
    arch: 'simplernn',
    size: 28,
    batch: 128,
    trains: 'all',
    description: 'SimpleRNN, 28x28 rows, h128, b128, train step',
  },
  {
    name: 'lstm',
    kind: 'rnn',
    arch: 'lstm',
    size: 28,
    batch: 128,
    trains: 'all',
    description: 'LSTM, 28x28 rows, h128, b128, train step',
  },
  {
    name: 'gru',
    kind: 'rnn',
    arch: 'gru',
    size: 28,
    batch: 128,
    trains: 'all',
    description: 'GRU, 28x28 rows, h128, b128, train step',
  },
  {
    name: 'bilstm',
    kind: 'rnn',
    arch: 'bilstm',
    size: 28,
    batch: 128,
    trains: 'all',
    description: 'bidirectional LSTM, 28x28 rows, h128, b128, train step',
  },
  {
    name: 'e2e-strategy3',
    kind: 'e2e',
    arch: 'resnet34',
    size: 32,
    batch: 128,
    trains: 'head',
    description: 'strategy 3, 5 epochs end to end (ours: feature cache; PyTorch: original loop)',
  },
];

/** Samples in the end-to-end subset (full run) and epochs over it. */
export const E2E_SAMPLES = 1024;
export const E2E_SAMPLES_QUICK = 256;
export const E2E_EPOCHS = 5;
export const HIDDEN = 128;
export const CLASSES = 10;
/** Features per RNN time step (an MNIST row). */
export const RNN_FEATURES = 28;

export function workloadByName(name: string): Workload {
  const w = WORKLOADS.find((x) => x.name === name);
  if (!w)
    throw new Error(
      `bench: unknown workload ${JSON.stringify(name)}; expected one of ${WORKLOADS.map((x) => x.name).join(', ')}.`,
    );
  return w;
}
