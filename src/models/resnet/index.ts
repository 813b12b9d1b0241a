/**
 * models/resnet: the ResNet family as torchvision builds it. `resnet-spec.ts` is the architecture as data (stages,
 * blocks, channels), `resnet.ts` the thin builders (`resnet18/34/50`), `weights-registry.ts` the published
 * ImageNet weights (torchvision's `ResNet50_Weights` analogue: file, hash, input size, normalization, categories)
 * and `pretrained.ts` fetching them into the cache. A new ResNet-like family gets a sibling folder like this one;
 * a new set of published weights for these models is a row in `weights-registry.ts`.
 */
export { createResNet, resnet, resnet18, resnet34, resnet50 } from './resnet';
export type { ResNetOptions, ResNetPooling } from './resnet';
export { featureChannels, RESNET_SPECS, resnetSpec } from './resnet-spec';
export type { ResNetArch, ResNetSpec } from './resnet-spec';
export { DEFAULT_WEIGHTS, WEIGHTS, weightsEntry } from './weights-registry';
export type { WeightsEntry, WeightsName } from './weights-registry';
export { IMAGENET_CATEGORIES } from './imagenet-categories';
export { cachedWeightsPath, fetchWeights, loadPretrainedWeights, locateImagenetWeights } from './pretrained';
export type {
  FetchWeightsOptions,
  LocatedWeights,
  LocateWeightsOptions,
  PretrainedLoadOptions,
  WeightsOrigin,
} from './pretrained';
