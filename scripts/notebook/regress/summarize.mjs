// Turns an executed notebook into what the regression tests store and compare: per code cell, a list of output
// summaries. Text is sanitized; charts keep their structure (trace count and types); images keep their size.
import { createHash } from 'node:crypto';
import { htmlText } from '../handout-html.mjs';
import { cellSource } from '../notebook-file.mjs';
import { imageSize } from './image-size.mjs';
import { sanitizeText } from './sanitize.mjs';

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';
const IMAGE_MIMES = ['image/png', 'image/jpeg', 'image/gif', 'image/svg+xml'];

function joined(value) {
  return Array.isArray(value) ? value.join('') : String(value ?? '');
}

/** The structure of a Plotly figure: one entry per trace, its type (Plotly's default type is `scatter`). */
export function plotlyStructure(figure) {
  const fig = typeof figure === 'string' ? JSON.parse(figure) : figure;
  const data = Array.isArray(fig?.data) ? fig.data : [];
  return { traces: data.map((t) => t?.type ?? 'scatter') };
}

/** The summary of one rich output (display_data / execute_result). */
function summarizeRich(data) {
  const mimes = Object.keys(data).sort();
  const summary = { type: 'display', mimes };
  if (data[PLOTLY_MIME]) summary.plotly = plotlyStructure(data[PLOTLY_MIME]);
  const image = IMAGE_MIMES.find((m) => data[m] !== undefined);
  if (image) summary.image = { mime: image, ...(imageSize(image, data[image]) ?? { width: null, height: null }) };
  if (data['text/plain'] !== undefined) summary.text = sanitizeText(joined(data['text/plain']));
  else if (data['text/html'] !== undefined && !summary.plotly) summary.text = sanitizeText(htmlText(joined(data['text/html'])));
  return summary;
}

/** Output summaries of one cell; adjacent stream outputs of the same stream are merged first. */
export function summarizeOutputs(outputs = []) {
  const merged = [];
  for (const out of outputs) {
    const last = merged[merged.length - 1];
    if (out.output_type === 'stream' && last?.output_type === 'stream' && last.name === out.name) {
      last.text += joined(out.text);
    } else {
      merged.push(out.output_type === 'stream' ? { ...out, text: joined(out.text) } : out);
    }
  }
  return merged.map((out) => {
    switch (out.output_type) {
      case 'stream':
        return { type: 'stream', name: out.name, text: sanitizeText(out.text) };
      case 'error':
        return { type: 'error', ename: out.ename, evalue: sanitizeText(out.evalue ?? '') };
      case 'display_data':
      case 'execute_result':
        return summarizeRich(out.data ?? {});
      default:
        return { type: String(out.output_type) };
    }
  });
}

/** The regression summary of an executed notebook. */
export function summarizeNotebook(nb, name) {
  const cells = [];
  let index = 0;
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'code') continue;
    const source = cellSource(cell);
    cells.push({
      index,
      ...(cell.id ? { id: cell.id } : {}),
      source: createHash('sha256').update(source).digest('hex').slice(0, 12),
      excerpt: source.split('\n').find((l) => l.trim() !== '')?.trim().slice(0, 80) ?? '',
      outputs: summarizeOutputs(cell.outputs),
    });
    index += 1;
  }
  return { notebook: name, cells };
}

/** All raw text a notebook shows (streams and text/plain), for metric patterns. */
export function notebookText(nb) {
  const parts = [];
  for (const cell of nb.cells) {
    for (const out of cell.outputs ?? []) {
      if (out.output_type === 'stream') parts.push(joined(out.text));
      else if (out.data?.['text/plain'] !== undefined) parts.push(joined(out.data['text/plain']));
    }
  }
  return parts.join('\n');
}
