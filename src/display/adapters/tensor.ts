/**
 * MIME adapter for `tf.Tensor` (and `tf.Variable`): shape, dtype and a compact preview of the values.
 *
 * Porting note: tfjs prints a tensor as `Tensor\n    [[...]]` with no shape or dtype; PyTorch and NumPy show the
 * dtype, and IPython shows the value. We show both, and for large tensors we read only the first and last few
 * values instead of copying the whole buffer out of the native backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { MimeBundle } from '../protocol';
import type { MimeAdapter } from '../registry';
import { escapeHtml } from './html';

/** Above this many elements the preview reads only the first and last `EDGE_VALUES` values (flattened). */
export const FULL_PREVIEW_LIMIT = 100_000;
const EDGE_VALUES = 3;

function header(t: tf.Tensor): string {
  return `Tensor ${t.dtype} [${t.shape.join(', ')}]`;
}

function formatValue(v: number | string | boolean): string {
  return typeof v === 'number' ? String(Number(v.toPrecision(7))) : JSON.stringify(v);
}

/** The values part of the preview: tfjs's own summarised formatter, or flattened edges for large tensors. */
export function previewValues(t: tf.Tensor): string {
  if (t.size <= FULL_PREVIEW_LIMIT) {
    return t
      .toString()
      .replace(/^Tensor\n/, '')
      .replace(/^ {4}/gm, '');
  }
  const edges = tf.tidy(() => {
    const flat = t.reshape([-1]);
    return [flat.slice(0, EDGE_VALUES), flat.slice(t.size - EDGE_VALUES, EDGE_VALUES)];
  });
  const [first, last] = edges.map((e) => Array.from(e.dataSync() as ArrayLike<number | string>));
  tf.dispose(edges);
  const fmt = (vs: (number | string)[]) => vs.map((v) => formatValue(v)).join(', ');
  return `[${fmt(first)}, ..., ${fmt(last)}] (flattened; ${t.size.toLocaleString('en-US')} values)`;
}

export function tensorBundle(t: tf.Tensor): MimeBundle {
  if (t.isDisposed) {
    const text = `${header(t)} (disposed)`;
    return { 'text/plain': text, 'text/html': `<div class="lessonkit-tensor"><b>${escapeHtml(text)}</b></div>` };
  }
  const values = previewValues(t);
  return {
    'text/plain': `${header(t)}\n${values}`,
    'text/html':
      `<div class="lessonkit-tensor"><div><b>Tensor</b> <code>${escapeHtml(t.dtype)}</code> ` +
      `shape <code>[${t.shape.join(', ')}]</code></div>` +
      `<pre style="font-family: var(--jp-code-font-family, monospace); margin: 0.25em 0">${escapeHtml(values)}</pre></div>`,
  };
}

export const tensorAdapter: MimeAdapter = {
  name: 'tf.Tensor',
  matches: (value) => value instanceof tf.Tensor,
  toMimeBundle: (value) => tensorBundle(value as tf.Tensor),
};
