/**
 * The kit's error classes, so that callers can branch on the kind of failure (`err instanceof CheckpointError`)
 * instead of matching message text. Every message names the file, folder or option, what was expected and what was
 * found. All extend `LessonkitError`, which extends `Error`; `name` is the class name, so a notebook's error box
 * shows e.g. `LabelRangeError: ...`.
 *
 * Errors about ranges of numbers keep `RangeError`-like meaning but are LessonkitErrors; code that only checks
 * `instanceof Error` keeps working.
 */

/** Base class of every error the library throws on purpose. */
export class LessonkitError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A file or folder whose contents are not in the expected format (IDX, CIFAR, CSV, images, JSON, NaN values). */
export class DataFormatError extends LessonkitError {
  constructor(
    message: string,
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A weights file whose hash, size or contents do not match what was expected. */
export class WeightsIntegrityError extends LessonkitError {
  constructor(
    message: string,
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Something had to be downloaded and the network (or the server) did not answer. */
export class OfflineError extends LessonkitError {
  constructor(
    message: string,
    readonly url?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A checkpoint folder that is locked by another run, damaged, or does not fit the model. */
export class CheckpointError extends LessonkitError {
  constructor(
    message: string,
    readonly dir?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `fit` saw a loss that is NaN or infinite; training stopped before any checkpoint got non-finite weights. */
export class NonFiniteLossError extends LessonkitError {
  constructor(
    message: string,
    readonly epoch: number,
    readonly batch: number,
    readonly learningRate: number,
    readonly loss: number,
  ) {
    super(message);
  }
}

/** A class label outside `[0, numClasses)` or not an integer. */
export class LabelRangeError extends LessonkitError {
  constructor(
    message: string,
    readonly value: number,
    readonly index: number,
  ) {
    super(message);
  }
}

/** An option (function argument field) with a value the function cannot use. */
export class OptionError extends LessonkitError {
  constructor(
    message: string,
    readonly option?: string,
  ) {
    super(message);
  }
}

/**
 * `fit` saw a finite loss run away: more than a set factor over the best batch loss of the run, or above a set bound
 * (`FitOptions.divergence`). Training stopped before that batch was applied.
 */
export class DivergingLossError extends LessonkitError {
  constructor(
    message: string,
    readonly epoch: number,
    readonly batch: number,
    readonly learningRate: number,
    readonly loss: number,
    /** The best (lowest) batch loss of the run before this batch. */
    readonly bestLoss: number,
  ) {
    super(message);
  }
}
