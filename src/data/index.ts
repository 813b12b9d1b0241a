// Public API of src/data/ (filled in by the modules of this folder).
export type { Batch, BatchSource } from './batch';
