/**
 * models/weights: weights files in and out, independent of any one model. safetensors (reader with float16 and
 * bfloat16, writer), the torchvision `state_dict` key table, loading a `state_dict` into a tfjs model and exporting
 * one, the hub's LFS metadata and the hash-checked sidecar beside a cached file. A new weights format (say, a
 * PyTorch `.pt` reader) goes here as `<format>.ts`, producing the same `SafetensorsFile`-like name -> tensor map
 * that `loadStateDict` takes.
 */
export { parseSafetensors, readSafetensorsFile } from './safetensors';
export type { SafetensorsDtype, SafetensorsEntry, SafetensorsFile } from './safetensors';
export { encodeSafetensors } from './safetensors-write';
export type { Float32Record } from './safetensors-write';
export { loadStateDict } from './load-state-dict';
export type { LoadReport, LoadStateDictOptions } from './load-state-dict';
export { exportStateDict } from './export-state-dict';
export { torchKeyTable } from './torch-keys';
export type { TorchKeyTarget } from './torch-keys';
