/**
 * Offline pre-training: the `ci` profile's documented stand-in for ImageNet weights.
 *
 * Offline machines cannot download ImageNet weights, so the transfer-learning lessons pre-train a ResNet on another
 * of the kit's data sets (for example CIFAR-10 for the MNIST lesson), save its `state_dict` as safetensors in the
 * weights cache, and then load that file through the same path as real pretrained weights
 * (`resnet50({ weights: file })`). The file is reused while the recipe (architecture, data, sizes, epochs, seed) is
 * the same; the recipe is part of its name and of its safetensors metadata. After training, the BatchNorm running
 * statistics are recomputed over the data (`recalibrateBatchNorm`), since a short run leaves them stale.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureEngine } from '../engine';
import { writeFileAtomic, weightsCacheDir } from '../io';
import type { ImageDataset, Transform } from '../data';
import { DataLoader } from '../data';
import { encodeSafetensors, exportStateDict, recalibrateBatchNorm, resnet, type ResNetArch } from '../models';
import { fit } from './fit';
import type { History } from './history';
import { OptionError } from '../errors';

export interface PretrainBackboneOptions {
  /** The architecture to pre-train. Required. */
  arch: ResNetArch;
  /** Labelled images to pre-train on (channels-last, uint8 pixels). Required. */
  data: ImageDataset;
  /** A short name of the data for the cache file, e.g. `'cifar10'`. Required. */
  dataName: string;
  /** Batch transform (resize, scale, normalize). Default: none. */
  transform?: Transform;
  /** Input side after the transform, recorded in the recipe. Required (it changes what the weights learned). */
  imageSize: number;
  /** Epochs. Default: 2. */
  epochs?: number;
  /** Batch size. Default: 64. */
  batchSize?: number;
  /** Adam learning rate. Default: 1e-3. */
  learningRate?: number;
  /** Seed of the initialization and of the shuffle. Default: 0. */
  seed?: number;
  /** Where to keep the weights. Default: `weightsCacheDir()/offline-<recipe>.safetensors`. */
  file?: string;
  /** Train again even when a file for this recipe exists. Default: false. */
  force?: boolean;
}

export interface PretrainedBackbone {
  /** The safetensors `state_dict` (torchvision keys, including the pre-training head `fc.*`). */
  file: string;
  /** True when the file already existed and nothing was trained. */
  fromCache: boolean;
  /** The recipe, as recorded in the file's metadata. */
  recipe: Record<string, string>;
  /** The pre-training history (only when it trained now). */
  history?: History;
}

/** Pre-trains `arch` on `data` once and returns the safetensors file (reused for the same recipe). */
export async function pretrainBackbone(options: PretrainBackboneOptions): Promise<PretrainedBackbone> {
  ensureEngine();
  const epochs = options.epochs ?? 2;
  const batchSize = options.batchSize ?? 64;
  const learningRate = options.learningRate ?? 1e-3;
  const seed = options.seed ?? 0;
  if (!/^[a-z0-9-]+$/i.test(options.dataName)) {
    throw new OptionError(`pretrainBackbone: dataName must be letters, digits and dashes; found ${JSON.stringify(options.dataName)}.`);
  }
  const recipe: Record<string, string> = {
    // Bump when the procedure changes (v2: BatchNorm statistics recomputed after training), so old files are not reused.
    procedure: 'lessonkit-pretrain-v2',
    arch: options.arch,
    data: options.dataName,
    samples: String(options.data.length),
    classes: String(options.data.classes.length),
    imageSize: String(options.imageSize),
    epochs: String(epochs),
    batchSize: String(batchSize),
    learningRate: String(learningRate),
    seed: String(seed),
  };
  const name = `offline-v2-${options.arch}-${options.dataName}-n${recipe.samples}-s${recipe.imageSize}-e${epochs}-b${batchSize}-seed${seed}`;
  const file = options.file ?? path.join(weightsCacheDir(), `${name}.safetensors`);
  if (!options.force && fs.existsSync(file)) return { file, fromCache: true, recipe };

  const model = await resnet(options.arch, { classes: options.data.classes.length, seed });
  try {
    const loader = new DataLoader(options.data, { batchSize, shuffle: true, seed, transform: options.transform });
    const { history } = await fit(model, loader, { epochs, learningRate, optimizer: 'adam', loss: 'cross-entropy' });
    // The running BatchNorm statistics of so short a run lag behind the weights; recompute them exactly.
    await recalibrateBatchNorm(model, new DataLoader(options.data, { batchSize, transform: options.transform }));
    writeFileAtomic(file, encodeSafetensors(exportStateDict(model), { format: 'pt', ...recipe }));
    return { file, fromCache: false, recipe, history };
  } finally {
    model.dispose();
  }
}
