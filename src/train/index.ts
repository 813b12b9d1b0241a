// Public API of src/train/ (filled in by the modules of this folder).
export {};
