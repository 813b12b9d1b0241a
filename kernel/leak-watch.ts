/**
 * Warns once per kernel session when a cell leaves many more tensors behind than it found: the usual learner bug
 * (a loop that creates tensors without `tf.tidy` or `dispose`).
 */
import * as tf from '@tensorflow/tfjs';

export interface LeakWatchOptions {
  /** Minimum number of new tensors a cell must leave behind to warn. Default: 1000. */
  minNewTensors?: number;
  /** The tensor count after the cell must be at least this multiple of the count before. Default: 2. */
  growthFactor?: number;
}

const DEFAULTS: Required<LeakWatchOptions> = { minNewTensors: 1000, growthFactor: 2 };

export class TensorLeakWatch {
  private readonly options: Required<LeakWatchOptions>;
  private before = 0;
  private warned = false;

  constructor(options: LeakWatchOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Records the tensor count before a cell. */
  cellStarts(): void {
    this.before = tf.memory().numTensors;
  }

  /** After a cell: the warning text the first time a cell leaked, else undefined. */
  cellEnded(): string | undefined {
    const after = tf.memory().numTensors;
    const added = after - this.before;
    if (this.warned || added < this.options.minNewTensors || after < this.options.growthFactor * this.before) {
      return undefined;
    }
    this.warned = true;
    return (
      `Warning: this cell left ${added} more tensors in memory than it found (${this.before} -> ${after}). ` +
      'Wrap tensor work in tf.tidy(() => ...) or call dispose() on tensors you no longer need. ' +
      'End a cell with memoryReport() (or run %memory) to check. This warning is shown once per kernel session.\n'
    );
  }
}
