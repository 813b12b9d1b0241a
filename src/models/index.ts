// Public API of src/models/.
export * from './resnet-spec';
export * from './resnet';
export * from './batch-norm';
export * from './safetensors';
export * from './safetensors-write';
export * from './torch-keys';
export * from './load-state-dict';
export * from './reinitialize';
export * from './weights-registry';
export * from './pretrained';
export { IMAGENET_CATEGORIES } from './imagenet-categories';
