/**
 * models/transfer: turning a trained backbone into a model for a new task. New heads (`replaceHead`), freezing by
 * layer name (the lesson's three strategies, `applyFreezeStrategy`) and backbone/head learning-rate groups, the
 * stage names the freezing goes by, a trainable-parameter summary, and the feature cache that runs a frozen backbone
 * once (`cacheFeatures`). A new way to adapt a pretrained model (adapters, a different head) goes here.
 */
export { replaceHead } from './heads';
export type { HeadSpec, LinearHeadSpec, MlpHeadSpec, ReplaceHeadOptions } from './heads';
export { applyFreezeStrategy, parameterGroups, STRATEGY_NAMES, trainableVariables } from './freeze';
export type { FreezeOptions, FreezeStrategy, ParameterGroupOptions, TransferGroup } from './freeze';
export { STAGE_ORDER, stageOf } from './stages';
export type { StageName } from './stages';
export { trainableSummary, TrainableSummary } from './trainable-summary';
export type { StageCount } from './trainable-summary';
export { cacheFeatures, FeatureCache, splitBackboneHead } from './feature-cache';
export type { BackboneAndHead, CacheFeaturesOptions } from './feature-cache';
