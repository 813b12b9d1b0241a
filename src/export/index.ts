/**
 * lessonkit/export: a trained model on a web page. `exportForBrowser` writes a standard tfjs LayersModel (BatchNorm
 * folded into the convolutions, LogSoftmax turned into softmax, the fused recurrent layers moved into tfjs's LSTM,
 * GRU and SimpleRNN) plus a static page that runs it with plain `@tensorflow/tfjs`; `exportLessonPage` is the
 * one-call version for a lesson's last cell. A layer above models/ (it imports data, display, io, models).
 *   convert.ts            the graph rebuilt from standard layers; UnconvertibleLayerError
 *   recurrent-weights.ts  fused LSTM/GRU weights in tfjs's gate order
 *   preprocess.ts         the page's preprocessing as data (read from a lesson's Transform)
 *   export-for-browser.ts writing the folder, the kernel-side parity check, the report
 *   lesson-page.ts        the lessons' presets
 *   page/                 index.html and app.js, copied into every export
 */
export { exportForBrowser, transformFromSteps } from './export-for-browser';
export type {
  ExportConfig,
  ExportedFile,
  ExportForBrowserOptions,
  ExportReport,
  OutputKind,
  PageKind,
} from './export-for-browser';
export { exportLessonPage } from './lesson-page';
export type { LessonPageName, LessonPageOptions } from './lesson-page';
export { STANDARD_LAYER_CLASSES, toStandardModel, UnconvertibleLayerError } from './convert';
export type { ConvertedModel } from './convert';
export { preprocessFromTransform } from './preprocess';
export type { PreprocessStep } from './preprocess';
