/**
 * A batch source that stops after a wall-clock budget: for comparing training runs at the same time budget (for
 * example training from scratch for only as long as a frozen backbone's head took). It passes the source's batches
 * through, starting the source again when it ends, until `seconds` have passed since the first batch was asked for;
 * the batch that was being asked for when the budget ran out is not handed on. `batches` counts what was handed on.
 */
import type { Batch, BatchSource } from './batch';
import { OptionError } from '../errors';

export interface TimeBudgetSource extends AsyncIterable<Batch> {
  /** Batches handed on so far (over every pass). */
  readonly batches: number;
  /** The budget in seconds. */
  readonly seconds: number;
}

/** `source`, repeated as needed, until `seconds` of wall-clock time have passed (at least one batch is handed on). */
export function withTimeBudget(source: BatchSource, seconds: number): TimeBudgetSource {
  if (!(Number.isFinite(seconds) && seconds > 0))
    throw new OptionError(`withTimeBudget: seconds must be a positive number; found ${seconds}.`);
  let handedOn = 0;
  return {
    seconds,
    get batches() {
      return handedOn;
    },
    async *[Symbol.asyncIterator]() {
      const start = Date.now();
      for (;;) {
        let any = false;
        for await (const batch of source) {
          any = true;
          if (handedOn > 0 && (Date.now() - start) / 1000 >= seconds) return;
          handedOn++;
          yield batch;
        }
        if (!any) throw new OptionError('withTimeBudget: the source gave no batches.');
      }
    },
  };
}
