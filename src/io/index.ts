export { SETTINGS, setting } from './settings';
export type { SettingSpec } from './settings';
export { cacheRoot, checkpointDir, datasetCacheDir, decodedCacheDir, offlineDataDir, weightsCacheDir } from './paths';
export {
  atomicSiblings,
  processAlive,
  removeStaleEntries,
  removeStaleSiblings,
  settleRetiredVersions,
  writeDirAtomic,
  writeFileAtomic,
} from './atomic';
export type { WriteDirOptions } from './atomic';
export { downloadVerified, sha256File, verifyFile } from './download';
export type { DownloadOptions } from './download';
