/**
 * The pretrained-weights registry: for each entry, where the file is, how to check it, how to feed the network, and
 * what accuracy to expect. Entries are torchvision's ImageNet weights as republished by timm on the Hugging Face hub
 * (same state_dict keys as torchvision; `tv_in1k` = torchvision's IMAGENET1K_V1, `tv2_in1k` = IMAGENET1K_V2).
 *
 * Honesty rule: a sha256 or byte size appears here only when it was read from the publisher's file page; otherwise it
 * is `null`, and the loader takes the expected hash from the hub's Git LFS headers at download time (pretrained.ts).
 */
import { IMAGENET_MEAN, IMAGENET_STD } from '../../data';
import { OptionError } from '../../errors';
import { IMAGENET_CATEGORIES } from './imagenet-categories';
import type { ResNetArch } from './resnet-spec';

export type WeightsName = 'resnet18.tv_in1k' | 'resnet34.tv_in1k' | 'resnet50.tv2_in1k';

export interface WeightsEntry {
  name: WeightsName;
  arch: ResNetArch;
  /** Direct download URL of the safetensors file. */
  url: string;
  /** File name inside `weightsCacheDir()`. */
  fileName: string;
  /** sha256 of the file (hex), or null when not known to the kit (then the hub's LFS metadata supplies it). */
  sha256: string | null;
  /** Where `sha256` was read (or why it is null). */
  sha256Source: string;
  /** Exact file size in bytes, or null when only the rounded size below is known. */
  sizeBytes: number | null;
  /** Size as the hub displays it, in MB (10^6 bytes). */
  displayedSizeMB: number;
  /** Parameters of the 1000-class network (torchvision's `num_params`; the tests count ours). */
  params: number;
  /** Preprocessing: resize the short side to `resize` (bilinear), center-crop `crop`, scale to [0, 1], normalize. */
  preprocessing: {
    resize: number;
    crop: number;
    interpolation: 'bilinear';
    mean: readonly [number, number, number];
    std: readonly [number, number, number];
  };
  /** Category names in class-index order. */
  categories: readonly string[];
  /** ImageNet-1k validation accuracy (%) as torchvision publishes it for these weights. */
  accuracy: { top1: number; top5: number; source: string };
  /** The torchvision weights enum these are. */
  torchvision: string;
}

const TV_DOCS = 'torchvision 0.28 weights meta (_metrics ImageNet-1K)';
const UNKNOWN_HASH = 'not known to the kit: no offline copy of the hub page was available when this entry was written';

/**
 * What every entry shares, like torchvision's `_COMMON_META`: the ImageNet categories, the preprocessing besides
 * the resize (224 crop, bilinear, the ImageNet mean and std that data/transforms.ts exports), where the accuracy
 * figures come from, and no exact byte size.
 */
const COMMON_META = {
  sizeBytes: null,
  categories: IMAGENET_CATEGORIES,
  preprocessing: { crop: 224, interpolation: 'bilinear', mean: IMAGENET_MEAN, std: IMAGENET_STD },
  accuracySource: TV_DOCS,
} as const;

/** What differs per entry. */
type EntryMeta = Pick<WeightsEntry, 'sha256' | 'sha256Source' | 'displayedSizeMB' | 'params' | 'torchvision'> & {
  resize: number;
  top1: number;
  top5: number;
};

/** One entry: its hub location, the common metadata and its own. */
function entry(name: WeightsName, arch: ResNetArch, meta: EntryMeta): WeightsEntry {
  const { resize, top1, top5, ...own } = meta;
  return {
    name,
    arch,
    url: `https://huggingface.co/timm/${name}/resolve/main/model.safetensors`,
    fileName: `${name}.safetensors`,
    sha256: own.sha256,
    sha256Source: own.sha256Source,
    sizeBytes: COMMON_META.sizeBytes,
    displayedSizeMB: own.displayedSizeMB,
    params: own.params,
    preprocessing: { resize, ...COMMON_META.preprocessing },
    categories: COMMON_META.categories,
    accuracy: { top1, top5, source: COMMON_META.accuracySource },
    torchvision: own.torchvision,
  };
}

export const WEIGHTS: Readonly<Record<WeightsName, WeightsEntry>> = {
  'resnet18.tv_in1k': entry('resnet18.tv_in1k', 'resnet18', {
    sha256: '694f673df6520a3158624e8a89af086f59923ee4cd7436fe5bc3bc71d295ad81',
    sha256Source:
      'Git LFS details on https://huggingface.co/timm/resnet18.tv_in1k/blob/main/model.safetensors (commit a987fd6)',
    displayedSizeMB: 46.8,
    params: 11_689_512,
    resize: 256,
    top1: 69.758,
    top5: 89.078,
    torchvision: 'ResNet18_Weights.IMAGENET1K_V1',
  }),
  'resnet34.tv_in1k': entry('resnet34.tv_in1k', 'resnet34', {
    sha256: null,
    sha256Source: UNKNOWN_HASH,
    displayedSizeMB: 87.3,
    params: 21_797_672,
    resize: 256,
    top1: 73.314,
    top5: 91.42,
    torchvision: 'ResNet34_Weights.IMAGENET1K_V1',
  }),
  'resnet50.tv2_in1k': entry('resnet50.tv2_in1k', 'resnet50', {
    sha256: null,
    sha256Source: UNKNOWN_HASH,
    displayedSizeMB: 102,
    params: 25_557_032,
    resize: 232,
    top1: 80.858,
    top5: 95.434,
    torchvision: 'ResNet50_Weights.IMAGENET1K_V2',
  }),
};

/** What `weights: 'imagenet'` means per architecture: torchvision's `DEFAULT` weights (the lesson's choice). */
export const DEFAULT_WEIGHTS: Readonly<Record<ResNetArch, WeightsName>> = {
  resnet18: 'resnet18.tv_in1k',
  resnet34: 'resnet34.tv_in1k',
  resnet50: 'resnet50.tv2_in1k',
};

/** Looks up an entry by name; unknown names fail with the list of known ones. */
export function weightsEntry(name: string): WeightsEntry {
  const entry = (WEIGHTS as Record<string, WeightsEntry | undefined>)[name];
  if (!entry) throw new OptionError(`Unknown weights "${name}": expected one of ${Object.keys(WEIGHTS).join(', ')}.`);
  return entry;
}
