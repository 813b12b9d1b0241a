/**
 * MIME adapter for `tf.LayersModel` (and `tf.Sequential`): a layer table with output shapes and parameter counts,
 * and the totals split into trainable and non-trainable parameters.
 *
 * Porting note: tfjs's `model.summary()` prints to the console and returns nothing, so a cell ending in `model`
 * showed `[object Object]`-like noise. Keras's `summary()` is the model we follow for the columns and totals.
 * Non-trainable counts include frozen layers and BatchNormalization moving statistics, as in Keras.
 */
import * as tf from '@tensorflow/tfjs';
import type { MimeBundle } from '../protocol';
import type { MimeAdapter } from '../registry';
import { escapeHtml, htmlTable } from './html';

export interface ModelCounts {
  total: number;
  trainable: number;
  nonTrainable: number;
}

function countOf(weights: { shape: number[] }[]): number {
  return weights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);
}

/** Parameter counts of a model, split as Keras does. */
export function parameterCounts(model: tf.LayersModel): ModelCounts {
  const trainable = countOf(model.trainableWeights as unknown as { shape: number[] }[]);
  const nonTrainable = countOf(model.nonTrainableWeights as unknown as { shape: number[] }[]);
  return { total: trainable + nonTrainable, trainable, nonTrainable };
}

function outputShapeText(layer: tf.layers.Layer): string {
  try {
    return JSON.stringify(layer.outputShape).replace(/,/g, ', ');
  } catch {
    return 'multiple';
  }
}

function layerRows(model: tf.LayersModel): string[][] {
  return model.layers.map((l) => [
    `${l.name} (${l.getClassName()})`,
    outputShapeText(l),
    l.countParams().toLocaleString('en-US'),
    l.trainable ? 'yes' : 'no',
  ]);
}

const HEADER = ['Layer (type)', 'Output shape', 'Params', 'Trainable'];

function plainTable(rows: string[][]): string {
  const table = [HEADER, ...rows];
  const widths = HEADER.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [line(HEADER), rule, ...rows.map(line), rule].join('\n');
}

export function modelBundle(model: tf.LayersModel): MimeBundle {
  const counts = parameterCounts(model);
  const fmt = (n: number) => n.toLocaleString('en-US');
  const totals = [
    `Total params: ${fmt(counts.total)}`,
    `Trainable params: ${fmt(counts.trainable)}`,
    `Non-trainable params: ${fmt(counts.nonTrainable)}`,
  ];
  const title = `Model "${model.name}" (${model.getClassName()}), ${model.layers.length} layers`;
  const rows = layerRows(model);
  return {
    'text/plain': [title, plainTable(rows), ...totals].join('\n'),
    'text/html':
      `<div class="lessonkit-model"><div><b>${escapeHtml(title)}</b></div>` +
      htmlTable(HEADER, rows) +
      `<div>${totals.map(escapeHtml).join('<br>')}</div></div>`,
  };
}

export const layersModelAdapter: MimeAdapter = {
  name: 'tf.LayersModel',
  matches: (value) => value instanceof tf.LayersModel,
  toMimeBundle: (value) => modelBundle(value as tf.LayersModel),
};
