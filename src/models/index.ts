/**
 * lessonkit/models: one folder per concern (see each folder's header).
 *   ops/        shared building blocks (native ops, LogSoftmax, reinitialize); not exported
 *   weights/    weights formats and state_dict I/O          batch-norm/  BatchNorm modes, folding, recalibration
 *   resnet/     the ResNet family and its published weights  recurrent/   RNN, LSTM, GRU, gradient flow
 *   transfer/   heads, freezing, parameter groups, feature cache
 * Layering inside models/: ops -> weights, batch-norm -> resnet, recurrent -> transfer.
 */
export * from './weights';
export * from './batch-norm';
export * from './resnet';
export * from './recurrent';
export * from './transfer';
