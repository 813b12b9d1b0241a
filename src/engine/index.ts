export { chooseEngine, parseDeviceRequest } from './select';
export type { DeviceRequest, EngineChoice, EnginePackage, EngineProbe } from './select';
export { cudaDeviceVisible, probeEngine } from './probe';
export type { ProbeOptions } from './probe';
export { configureTensorFlow, currentEngine, describeEngine, ensureEngine } from './load';
export type { EngineInfo, EngineOptions } from './load';
export { tensorFlowEnv, threadChoice, threadLayoutConfig } from './tf-config';
export type { OneDnnSetting, TensorFlowConfig, ThreadChoice, ThreadLayout } from './tf-config';
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
