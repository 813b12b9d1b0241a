// Public API of src/lessons/diagrams/: the lessons' teaching pictures, drawn by the library (no assets, no network).
export { gruCellDiagram } from './gru-cell';
export { lstmCellDiagram } from './lstm-cell';
export { RNN_FORMS, rnnFormsDiagram } from './rnn-forms';
export {
  COLORS as DIAGRAM_COLORS,
  DIAGRAM_FONT,
  labelsOutside,
  labelWidth,
  overlappingLabels,
  parseLabel,
  plainLabel,
  SvgCanvas,
  SvgDiagram,
} from './svg';
export type { Box, LineStyle, ShapeStyle, TextStyle } from './svg';
export { tanhDerivative, tanhDerivativeChart } from './tanh-derivative';
export type { TanhDerivativeOptions } from './tanh-derivative';
export { transferStrategiesDiagram, transferStrategyLayers } from './transfer-strategies';
export type { LayerRole, StrategyTwoCut, TransferStrategiesOptions, WeightSource } from './transfer-strategies';
export { unrolledRnnDiagram } from './unrolled-rnn';
