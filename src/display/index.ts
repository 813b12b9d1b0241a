export { isDisplayable } from './protocol';
export type { Displayable, MimeBundle, MimeMetadata } from './protocol';
export { mimeBundleOf, plainText, registerMimeAdapter } from './registry';
export type { MimeAdapter } from './registry';
export { activeSink, display, DisplayHandle, setDisplaySink } from './bridge';
export { escapeHtml } from './adapters/html';
export type { DisplayOptions, DisplaySink } from './bridge';
export { dataFrameBundle, registerDefaultAdapters } from './adapters';
export { memoryReport, MemoryReport } from './memory';
