/**
 * lessonkit: the shared library of the lesson kit. Notebooks, tests and benchmarks import it by its package name.
 * Importing it does nothing by itself; computing functions call `ensureEngine()` to load native TensorFlow.
 */
export * from './errors';
export * from './engine';
export * from './io';
export * from './display';
export * from './profiles';
export * from './data';
export * from './models';
export * from './train';
export * from './viz';
export * from './runtime';
