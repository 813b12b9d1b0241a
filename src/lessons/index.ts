/**
 * Public API of src/lessons/ (`lessonkit/lessons`): the lesson material on top of the library. The library below
 * (engine, io, data, display, models, viz, train) is a general transfer-learning and RNN toolkit and knows nothing of
 * what is here; this layer knows the lessons:
 * - profiles: the `full` and `ci` settings the notebooks, the regression and the handouts share;
 * - the offline stand-ins for ImageNet (`lessonBackbone` over `pretrainBackbone`, with the self-supervised tasks'
 *   k-means and patch features);
 * - the generated verdicts and sentences (accuracy against noise, the RNN lesson's verdicts, prose helpers);
 * - the teaching diagrams (the transfer strategies, the unrolled RNN, the RNN forms, LSTM and GRU cells, tanh′).
 */
export { lessonProfile, PROFILES } from './profiles';
export type { LessonProfile, PretrainPlan, ProfileName } from './profiles';
export {
  clusterLabelledImages,
  datasetFingerprint,
  describePretrained,
  fourRotations,
  pretrainBackbone,
  pretrainRecipe,
  PRETRAIN_PROCEDURE,
  recipeKey,
  rotationBatches,
  targetBatches,
} from './pretrain';
export type {
  PretrainBackboneOptions,
  PretrainedBackbone,
  PretrainRecipe,
  PretrainSidecar,
  PretrainTask,
} from './pretrain';
export { kmeans } from './kmeans';
export type { KMeansOptions, KMeansResult } from './kmeans';
export { PATCH_FEATURE_CONSTANTS, patchFeatureTargets, symmetricEigen } from './patch-features';
export type { PatchFeatureOptions, PatchFeatureTargets } from './patch-features';
export { LESSON_HUB_TIMEOUT_MS, lessonBackbone, mnistOutsideLessonSubset } from './lesson-backbones';
export type { BackboneChoice, LessonBackbone, LessonBackboneName, LessonBackboneOptions } from './lesson-backbones';
export { binomialStandardError, compareAccuracy, transferSummary, verdictTable } from './verdict';
export type { AccuracyVerdict, MeasuredAccuracy, VerdictWord } from './verdict';
export {
  accuracyNoise,
  accuracyVerdict,
  forecastSummary,
  forecastVerdict,
  GRADIENT_REACH_LIMITS,
  gradientFlowSummary,
  gradientFlowVerdict,
  gradientReach,
  recurrentAccuracySummary,
  sequentialTimingSummary,
  wrapText,
} from './rnn-verdicts';
export type { GradientReach, RecurrentAccuracyContext, RecurrentAccuracyRow } from './rnn-verdicts';
export { formatCount, withArticle } from './prose';
export * from './diagrams';
