/**
 * One progress bar for a whole training run (fit's own bar restarts every epoch): which epoch, images per second,
 * and the time left for the run, e.g. `pre-training ResNet-34:  41%|█████▊   | 7380/18000 [00:52<01:15, 141.22img/s,
 * epoch=3/8, loss=0.4120]`. Pass it to `fit` as a callback (`callbacks: [runProgress(...)]`, with fit's own
 * `progress: 'none'`) for a long run whose per-epoch bars would say little, such as the offline pre-training. It
 * draws through `ProgressBar`: one output updated in place in a notebook, one line in a terminal or a log.
 */
import type { BatchLogs, FitCallbacks } from './callbacks/hooks';
import { ProgressBar, type ProgressMode } from './progress';

export interface RunProgressOptions {
  /** Epochs of the run. Required. */
  epochs: number;
  /** Samples one epoch trains on (the bar's unit counts these). Required. */
  samplesPerEpoch: number;
  /** Text before the bar. Default: 'training'. */
  description?: string;
  /** Unit of the rate. Default: 'img'. */
  unit?: string;
  /** Where to draw. Default: 'auto'. */
  mode?: ProgressMode | false;
  /** Clock in milliseconds (tests). Default: performance.now. */
  now?: () => number;
  /** Where terminal and log lines go. Default: process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** `fit` callbacks that drive one bar over all epochs; `close()` ends it early (an error). */
export interface RunProgress extends FitCallbacks {
  readonly bar: ProgressBar;
  close(): void;
}

export function runProgress(options: RunProgressOptions): RunProgress {
  const { epochs, samplesPerEpoch } = options;
  const bar = new ProgressBar(epochs * samplesPerEpoch, {
    description: options.description ?? 'training',
    unit: options.unit ?? 'img',
    mode: options.mode === false ? 'none' : options.mode,
    now: options.now,
    stream: options.stream,
  });
  bar.update(0, { epoch: `1/${epochs}` }); // shows at once, before the first batch is done
  return {
    bar,
    onBatchEnd(logs: BatchLogs) {
      bar.update(logs.size, { epoch: `${logs.epoch}/${epochs}`, loss: logs.runningLoss });
    },
    onTrainEnd() {
      bar.close();
    },
    close() {
      bar.close();
    },
  };
}
