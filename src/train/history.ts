/**
 * Training history: one record per finished epoch, shown as a nodejs-polars DataFrame
 * (columns `epoch, train_loss, train_acc, val_loss, val_acc, seconds, lr`).
 */
import * as pl from 'nodejs-polars';
import type { MimeBundle } from '../display';
import { dataFrameBundle } from '../display';

/** One epoch's numbers. Accuracies are null for regression; validation numbers are null without validation. */
export interface EpochRecord {
  /** 1-based epoch number (as the lesson prints it). */
  epoch: number;
  train_loss: number;
  train_acc: number | null;
  val_loss: number | null;
  val_acc: number | null;
  /** Wall time of the epoch, training plus validation. */
  seconds: number;
  /** Learning rate used in this epoch (of the first parameter group). */
  lr: number;
}

export const HISTORY_COLUMNS = ['epoch', 'train_loss', 'train_acc', 'val_loss', 'val_acc', 'seconds', 'lr'] as const;

export type MetricName = 'train_loss' | 'train_acc' | 'val_loss' | 'val_acc';

export class History {
  readonly records: EpochRecord[];

  constructor(records: readonly EpochRecord[] = []) {
    this.records = records.map((r) => ({ ...r }));
  }

  get length(): number {
    return this.records.length;
  }

  push(record: EpochRecord): void {
    this.records.push({ ...record });
  }

  /** The DataFrame view: one row per epoch. */
  toDataFrame(): pl.DataFrame {
    const col = <K extends keyof EpochRecord>(k: K) => this.records.map((r) => r[k]);
    return pl.DataFrame([
      pl.Series('epoch', col('epoch'), pl.Int32),
      pl.Series('train_loss', col('train_loss'), pl.Float64),
      pl.Series('train_acc', col('train_acc'), pl.Float64),
      pl.Series('val_loss', col('val_loss'), pl.Float64),
      pl.Series('val_acc', col('val_acc'), pl.Float64),
      pl.Series('seconds', col('seconds'), pl.Float64),
      pl.Series('lr', col('lr'), pl.Float64),
    ]);
  }

  /** The values of one metric per epoch (nulls kept). */
  metric(name: MetricName): (number | null)[] {
    return this.records.map((r) => r[name]);
  }

  toJSON(): EpochRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  toMimeBundle(): MimeBundle {
    return dataFrameBundle(this.toDataFrame());
  }
}
