export { chooseEngine, parseDeviceRequest } from './select';
export type { DeviceRequest, EngineChoice, EnginePackage, EngineProbe } from './select';
export { cudaDeviceVisible, probeEngine } from './probe';
export type { ProbeOptions } from './probe';
export { currentEngine, describeEngine, ensureEngine } from './load';
export type { EngineInfo, EngineOptions } from './load';
export { configureTensorFlow, tensorFlowEnv } from './tf-config';
export { threadChoice } from './threads';
export type { OneDnnSetting, TensorFlowConfig } from './tf-config';
export type { ThreadChoice, ThreadLayout } from './threads';
export {
  decideOneDnn,
  parseOneDnnOverride,
  readSelfTestRecord,
  runOneDnnSelfTest,
  selfTestCacheFile,
  selfTestKey,
} from './onednn-guard';
export type {
  OneDnnDecision,
  OneDnnGuardOptions,
  OneDnnOverride,
  SelfTestOutcome,
  SelfTestRecord,
} from './onednn-guard';
