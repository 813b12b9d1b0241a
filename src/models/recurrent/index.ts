/**
 * models/recurrent: RNN, LSTM and GRU. `rnn.ts` builds the lesson's layers and models (Keras-style, or the fused
 * layers), `fused-*.ts` are single-op layers on TensorFlow's BlockLSTM / GRUBlockCell (via ops/native-ops.ts) sharing
 * `fused-recurrent-layer.ts` (while the graph path records a step they build the graph formulation of
 * `graph-recurrent.ts` instead: parallel chains over the batch, LSTMBlockCell steps), and `gradient-flow.ts` measures how far a gradient reaches back in time. A new
 * recurrent cell is a `fused-<cell>.ts` here plus a case in `rnn.ts`.
 */
export { recurrentLayer, recurrentModel } from './rnn';
export type { RecurrentCell, RecurrentModelOptions, SequenceTask } from './rnn';
export { gradientFlow, linearRecurrenceGradients } from './gradient-flow';
export type { GradientFlow, GradientFlowOptions } from './gradient-flow';
export { FusedGRU } from './fused-gru';
export type { FusedGRUArgs } from './fused-gru';
export { FusedLSTM } from './fused-lstm';
export type { FusedLSTMArgs } from './fused-lstm';
export { FusedSimpleRNN } from './fused-simple-rnn';
export type { FusedSimpleRNNArgs } from './fused-simple-rnn';
