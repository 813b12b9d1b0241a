// Public API of src/models/ (filled in by the modules of this folder).
export {};
