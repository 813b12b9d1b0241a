/**
 * TensorFlow memory on request: `memoryReport()` returns a value that shows the tensor count and bytes held by the
 * tfjs engine. End a notebook cell with `memoryReport()` (or type the kernel's `%memory` line) to see it.
 */
import * as tf from '@tensorflow/tfjs';
import { ensureEngine } from '../engine';
import type { Displayable, MimeBundle } from './protocol';

/** Formats a byte count with binary units, e.g. `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A snapshot of `tf.memory()` that can display itself. */
export class MemoryReport implements Displayable {
  readonly backend: string;
  readonly numTensors: number;
  readonly numBytes: number;
  readonly numDataBuffers: number;

  constructor(memory: tf.MemoryInfo, backend: string) {
    this.backend = backend;
    this.numTensors = memory.numTensors;
    this.numBytes = memory.numBytes;
    this.numDataBuffers = memory.numDataBuffers;
  }

  toMimeBundle(): MimeBundle {
    const text =
      `TensorFlow memory (${this.backend} backend): ${this.numTensors} tensors, ` +
      `${formatBytes(this.numBytes)} in ${this.numDataBuffers} data buffers`;
    return {
      'text/plain': text,
      'text/html':
        `<div class="lessonkit-memory"><b>TensorFlow memory</b> (${this.backend} backend): ` +
        `<b>${this.numTensors}</b> tensors, <b>${formatBytes(this.numBytes)}</b> ` +
        `in ${this.numDataBuffers} data buffers</div>`,
    };
  }
}

/** The current TensorFlow memory use (loads the native engine first if needed, never the pure-JS backend). */
export function memoryReport(): MemoryReport {
  const engine = ensureEngine();
  return new MemoryReport(tf.memory(), engine.backend);
}
