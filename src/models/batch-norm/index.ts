/**
 * models/batch-norm: BatchNorm as the lessons need it. `TorchBatchNorm` (PyTorch's semantics, an explicit frozen
 * mode that tfjs's layer lacks), the fused training op, folding a frozen backbone's BatchNorm into its convolutions
 * (`compileFrozenBackbone`), precise-BN recalibration, and the drift probe the CIFAR lesson shows. Anything that
 * reads or rewrites BatchNorm statistics belongs here.
 */
export { registerModelLayers, setFrozenBatchNormMode, setUnfrozenBatchNormMode, TorchBatchNorm } from './batch-norm';
export type { FrozenBatchNormMode, TorchBatchNormArgs, UnfrozenBatchNormMode } from './batch-norm';
export { compileFrozenBackbone } from './fold-batch-norm';
export type { CompiledBackbone } from './fold-batch-norm';
export { recalibrateBatchNorm } from './recalibrate-batch-norm';
export type { RecalibrateOptions } from './recalibrate-batch-norm';
export { batchNormDrift, snapshotBatchNorm } from './batch-norm-drift';
export type { BatchNormDrift, BatchNormSnapshot } from './batch-norm-drift';
