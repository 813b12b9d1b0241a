/**
 * A model summary by stage: parameters, how many train, how many are frozen. Counts follow Keras: BatchNorm's moving
 * mean and variance count as non-trainable parameters (PyTorch counts them as buffers, not parameters).
 */
import type * as tf from '@tensorflow/tfjs';
import type { MimeBundle } from '../../display';
import { stageOf } from './stages';

export interface StageCount {
  stage: string;
  trainable: number;
  nonTrainable: number;
}

const size = (shape: readonly (number | null)[]) => shape.reduce((a: number, b) => a * (b ?? 0), 1);

export class TrainableSummary {
  constructor(
    readonly title: string,
    readonly stages: StageCount[],
  ) {}

  get trainable(): number {
    return this.stages.reduce((n, s) => n + s.trainable, 0);
  }

  get nonTrainable(): number {
    return this.stages.reduce((n, s) => n + s.nonTrainable, 0);
  }

  toString(): string {
    const fmt = (n: number) => n.toLocaleString('en-US').padStart(12);
    const lines = [this.title, `${'stage'.padEnd(8)}${'trainable'.padStart(12)}${'frozen'.padStart(12)}`];
    for (const s of this.stages) lines.push(`${s.stage.padEnd(8)}${fmt(s.trainable)}${fmt(s.nonTrainable)}`);
    lines.push(`${'total'.padEnd(8)}${fmt(this.trainable)}${fmt(this.nonTrainable)}`);
    return lines.join('\n');
  }

  toMimeBundle(): MimeBundle {
    const rows = this.stages
      .map(
        (s) =>
          `<tr><td>${s.stage}</td><td>${s.trainable.toLocaleString('en-US')}</td><td>${s.nonTrainable.toLocaleString('en-US')}</td></tr>`,
      )
      .join('');
    return {
      'text/plain': this.toString(),
      'text/html':
        `<table><caption>${this.title}</caption><tr><th>stage</th><th>trainable</th><th>frozen</th></tr>${rows}` +
        `<tr><th>total</th><th>${this.trainable.toLocaleString('en-US')}</th><th>${this.nonTrainable.toLocaleString('en-US')}</th></tr></table>`,
    };
  }
}

/** Counts a model's parameters per stage (ResNet layer names). */
export function trainableSummary(model: tf.LayersModel, title = model.name): TrainableSummary {
  const byStage = new Map<string, StageCount>();
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const stage = stageOf(layer.name);
    const row = byStage.get(stage) ?? { stage, trainable: 0, nonTrainable: 0 };
    for (const w of layer.trainableWeights) row.trainable += size(w.shape);
    for (const w of layer.nonTrainableWeights) row.nonTrainable += size(w.shape);
    byStage.set(stage, row);
  }
  return new TrainableSummary(title, [...byStage.values()]);
}
