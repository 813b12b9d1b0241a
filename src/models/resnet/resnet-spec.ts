/**
 * ResNet architectures as data, the way torchvision's `_resnet(block, layers)` describes them: a block type and the
 * number of blocks per stage. Everything else (widths, strides, downsampling) follows from these two facts.
 */
import { OptionError } from '../../errors';

export type ResNetBlockType = 'basic' | 'bottleneck';

export type ResNetArch = 'resnet18' | 'resnet34' | 'resnet50';

export interface ResNetSpec {
  arch: ResNetArch;
  block: ResNetBlockType;
  /** Blocks in layer1..layer4. */
  stages: readonly [number, number, number, number];
}

/** The stage names, in order, as torchvision names them (and as our layer names start). */
export const RESNET_STAGES = ['layer1', 'layer2', 'layer3', 'layer4'] as const;
export type ResNetStage = (typeof RESNET_STAGES)[number];

/** Base widths (torchvision's `planes`) and first-block strides of layer1..layer4. */
export const STAGE_PLANES = [64, 128, 256, 512] as const;
export const STAGE_STRIDES = [1, 2, 2, 2] as const;

/** Output channels of a block relative to its `planes` (torchvision's `expansion`). */
export const BLOCK_EXPANSION: Readonly<Record<ResNetBlockType, number>> = { basic: 1, bottleneck: 4 };

export const RESNET_SPECS: Readonly<Record<ResNetArch, ResNetSpec>> = {
  resnet18: { arch: 'resnet18', block: 'basic', stages: [2, 2, 2, 2] },
  resnet34: { arch: 'resnet34', block: 'basic', stages: [3, 4, 6, 3] },
  resnet50: { arch: 'resnet50', block: 'bottleneck', stages: [3, 4, 6, 3] },
};

/** Channels of the pooled features (and the input width of `fc`). */
export function featureChannels(spec: ResNetSpec): number {
  return STAGE_PLANES[3] * BLOCK_EXPANSION[spec.block];
}

/** Looks up an architecture by name; unknown names get an error listing the known ones. */
export function resnetSpec(arch: string): ResNetSpec {
  const spec = (RESNET_SPECS as Record<string, ResNetSpec | undefined>)[arch];
  if (!spec)
    throw new OptionError(`Unknown architecture "${arch}": expected one of ${Object.keys(RESNET_SPECS).join(', ')}.`);
  return spec;
}

/** The smallest input side the network accepts (five stride-2 steps leave a 1x1 map). */
export const MIN_INPUT_SIZE = 32;
