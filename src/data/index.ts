// Public API of src/data/.
export type { Batch, BatchSource } from './batch';
export { withTimeBudget } from './time-budget';
export type { TimeBudgetSource } from './time-budget';
export { checkIndices } from './dataset';
export type { Dataset } from './dataset';
export { createRng, permutation, shuffleInPlace } from './random';
export type { Rng } from './random';
export { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx, readIdxImages, readIdxLabels, readMaybeGzipped } from './idx';
export type { IdxArray } from './idx';
export { ImageDataset } from './image-dataset';
export type { ImageStore, ToTensorsOptions } from './image-dataset';
export { stratifiedSplit } from './split';
export type { SplitIndices, StratifiedSplitOptions } from './split';
export {
  loadMnist,
  mnistPackageDir,
  readMnistPart,
  verifyMnistFiles,
  MNIST_CLASSES,
  MNIST_DEFAULT_MIRROR,
  MNIST_FILES,
} from './mnist';
export type { LoadMnistOptions, Mnist, MnistPart } from './mnist';
export {
  loadCifar10,
  readCifar10Binary,
  CIFAR10_BINARY_ARCHIVE,
  CIFAR10_CLASSES,
  CIFAR10_RECORD_BYTES,
  CIFAR10_SIDE,
  CIFAR10_TEST_FILES,
  CIFAR10_TRAIN_FILES,
} from './cifar10-binary';
export type { ArchiveSpec, LoadCifar10Options } from './cifar10-binary';
export { decodeImageBytes } from './decode';
export type { DecodedImage } from './decode';
export { extractTarGzAtomic } from './extract';
export { loadImageFolder, loadImageFolderWithInfo } from './image-folder';
export type { ImageFolderLoadInfo, ImageFolderOptions } from './image-folder';
export { cacheEntryDir, fingerprintOf } from './decoded-cache';
export { extractCifar10Jpeg, findCifar10JpegArchive, loadCifar10Jpeg, CIFAR10_JPEG_ARCHIVE } from './cifar10-jpeg';
export type { Cifar10Jpeg, LoadCifar10JpegOptions } from './cifar10-jpeg';
export {
  centerCrop,
  compose,
  grayscaleTo3,
  normalize,
  resize,
  scaleTo01,
  IMAGENET_MEAN,
  IMAGENET_STD,
} from './transforms';
export type { Transform } from './transforms';
export { randomCrop, randomHorizontalFlip } from './augment';
export type { RandomCropOptions, RandomHorizontalFlipOptions } from './augment';
export { DataLoader } from './loader';
export type { DataLoaderOptions } from './loader';
export { loadCsvSeries, vegaDatasetPath } from './csv-series';
export type { CsvSeries, LoadCsvSeriesOptions } from './csv-series';
export { fitScaler } from './scaler';
export type { Scaler, ScalerKind } from './scaler';
export { WindowDataset } from './windows';
export type { WindowOptions } from './windows';
export { chronologicalSplit, timeSeriesDatasets } from './time-series';
export type { ChronologicalSplitOptions, TimeSeriesOptions, TimeSeriesSplits } from './time-series';
export { asRowSequences, RowSequenceDataset } from './row-sequences';
export { nonFiniteSamples, TensorDataset } from './tensor-dataset';
export {
  CIFAR10_SAMPLE,
  cifar10SamplePath,
  classSlice,
  extractCifar10Sample,
  loadLessonCifar10,
} from './cifar10-source';
export type { Cifar10SourceKind, LessonCifar10, LoadLessonCifar10Options } from './cifar10-source';
