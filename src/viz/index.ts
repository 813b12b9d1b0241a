// Public API of src/viz/ (filled in by the modules of this folder).
export {};
