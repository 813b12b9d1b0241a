export { graphBackend, CompiledGraph, Recording, assignUpdates } from './recorder';
export type { GraphBackend, GraphBinding, RecordResult } from './recorder';
export { FitGraphStep, GraphStepCompiler, graphPathFor, graphStepCompiler, uncoveredReason } from './step';
export type { GraphStepCompilerOptions, GraphStepInfo } from './step';
