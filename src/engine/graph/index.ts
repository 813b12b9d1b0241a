export { graphBackend, isRecordingGraph, onGraphCompiled, CompiledGraph, Recording, assignUpdates } from './recorder';
export type { CompiledGraphDescription, GraphBackend, GraphBinding, RecordResult } from './recorder';
export {
  FitGraphStep,
  GraphStepCompiler,
  fitGraphStep,
  graphForward,
  graphTotals,
  graphPathFor,
  graphStepCompiler,
  uncoveredReason,
} from './step';
export type { GraphForward, GraphStepCompilerOptions, GraphStepInfo } from './step';
