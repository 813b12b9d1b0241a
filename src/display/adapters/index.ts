/**
 * MIME adapters for types the kit does not own. Nothing is registered at import time: the kernel (and any script
 * or test that wants rich bundles) calls `registerDefaultAdapters()` once.
 */
import { registerMimeAdapter } from '../registry';
import { dataFrameAdapter } from './dataframe';
import { layersModelAdapter } from './model';
import { tensorAdapter } from './tensor';

export { dataFrameAdapter, dataFrameBundle, MAX_HTML_ROWS } from './dataframe';
export type { FrameLike } from './dataframe';
export { escapeHtml, htmlTable } from './html';
export { layersModelAdapter, modelBundle, parameterCounts } from './model';
export type { ModelCounts } from './model';
export { FULL_PREVIEW_LIMIT, previewValues, tensorAdapter, tensorBundle } from './tensor';

/** Registers the tensor, DataFrame and model adapters (idempotent: adapters replace same-named ones). */
export function registerDefaultAdapters(): void {
  registerMimeAdapter(tensorAdapter);
  registerMimeAdapter(dataFrameAdapter);
  registerMimeAdapter(layersModelAdapter);
}
