// Public API of src/viz/.
export { classAccuracyBars } from './class-accuracy';
export type { ClassAccuracyOptions } from './class-accuracy';
export { confusionHeatmap } from './confusion-heatmap';
export type { ConfusionCounts, ConfusionHeatmapOptions } from './confusion-heatmap';
export { CHART_FONT_FAMILY, PlotlyFigure, PLOTLY_MIME, PLOTLY_MISSING_MESSAGE, scriptSafeJson } from './figure';
export type { PlotlyFigureOptions, PlotlyLayout, PlotlyTrace } from './figure';
export { gradientNormChart } from './gradient-norms';
export type { GradientNormOptions, GradientNormSeries } from './gradient-norms';
export { ImageGrid, predictionCaption, sampleGrid } from './image-grid';
export type { SampleGridOptions } from './image-grid';
export { learningCurves } from './learning-curves';
export type { EpochSeries, LearningCurveOptions } from './learning-curves';
export { LiveLearningCurve } from './live-learning-curve';
export {
  countPlotlyLibraries,
  plotlyLibraryPath,
  plotlyVersion,
  PLOTLY_CHART_ATTRIBUTE,
  PLOTLY_LIBRARY_ATTRIBUTE,
} from './plotly-document';
export { encodePng, pngSize } from './png';
export { classSamplesGrid, misclassifiedGrid } from './sample-grids';
export type { ClassSamplesOptions, MisclassifiedGridOptions } from './sample-grids';
export { strategyComparison } from './strategy-comparison';
export type { StrategyComparisonOptions, StrategyResult } from './strategy-comparison';
