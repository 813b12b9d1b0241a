export { chooseEngine, parseDeviceRequest } from './select';
export type { DeviceRequest, EngineChoice, EnginePackage, EngineProbe } from './select';
export { bindingPath, cudaDeviceVisible, probeEngine } from './probe';
export type { ProbeOptions } from './probe';
export { currentEngine, describeEngine, ensureEngine } from './load';
export type { EngineInfo, EngineOptions } from './load';
export { configureTensorFlow, tensorFlowEnv } from './tf-config';
export type { OneDnnSetting, TensorFlowConfig } from './tf-config';
