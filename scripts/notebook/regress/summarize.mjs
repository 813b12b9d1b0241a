// @ts-check
// Turns an executed notebook into what the regression tests store and compare: per code cell, a list of output
// summaries. Text is sanitized; charts keep their structure (trace count and types); images keep their size.
import { createHash } from 'node:crypto';
import { htmlText } from '../handout-html.mjs';
import { cellSource } from '../notebook-file.mjs';
import { imageSize } from './image-size.mjs';
import { sanitizeText } from './sanitize.mjs';

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';
const IMAGE_MIMES = ['image/png', 'image/jpeg', 'image/gif', 'image/svg+xml'];

/** @typedef {import('../notebook-file.mjs').Notebook} Notebook */
/** @typedef {import('../notebook-file.mjs').Output} Output */
/**
 * What the regression stores for one output.
 * @typedef {object} OutputSummary
 * @property {string} type  `stream`, `error`, `display` or another output_type
 * @property {string} [name]
 * @property {string} [text]
 * @property {string} [ename]
 * @property {string} [evalue]
 * @property {string[]} [mimes]
 * @property {{ traces: string[] }} [plotly]
 * @property {{ mime: string, width: number | null, height: number | null }} [image]
 */
/**
 * What the regression stores for one code cell.
 * @typedef {{ index: number, id?: string, source: string, excerpt: string, outputs: OutputSummary[] }} CellSummary
 */

/** @param {unknown} value */
function joined(value) {
  return Array.isArray(value) ? value.join('') : String(value ?? '');
}

/**
 * The structure of a Plotly figure: one entry per trace, its type (Plotly's default type is `scatter`).
 * @param {unknown} figure the figure, or its JSON
 * @returns {{ traces: string[] }}
 */
export function plotlyStructure(figure) {
  const fig = typeof figure === 'string' ? JSON.parse(figure) : figure;
  const data = Array.isArray(fig?.data) ? fig.data : [];
  return { traces: data.map((/** @type {any} */ t) => t?.type ?? 'scatter') };
}

/**
 * The summary of one rich output (display_data / execute_result).
 * @param {Record<string, unknown>} data
 * @returns {OutputSummary}
 */
function summarizeRich(data) {
  const mimes = Object.keys(data).sort();
  /** @type {OutputSummary} */
  const summary = { type: 'display', mimes };
  if (data[PLOTLY_MIME]) summary.plotly = plotlyStructure(data[PLOTLY_MIME]);
  const image = IMAGE_MIMES.find((m) => data[m] !== undefined);
  if (image) summary.image = { mime: image, ...(imageSize(image, data[image]) ?? { width: null, height: null }) };
  if (data['text/plain'] !== undefined) summary.text = sanitizeText(joined(data['text/plain']));
  else if (data['text/html'] !== undefined && !summary.plotly)
    summary.text = sanitizeText(htmlText(joined(data['text/html'])));
  return summary;
}

/**
 * Output summaries of one cell; adjacent stream outputs of the same stream are merged first.
 * @param {Output[]} [outputs]
 * @returns {OutputSummary[]}
 */
export function summarizeOutputs(outputs = []) {
  /** @type {Output[]} */
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
        return { type: 'stream', name: out.name, text: sanitizeText(joined(out.text)) };
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

/**
 * The regression summary of an executed notebook.
 * @param {Notebook} nb
 * @param {string} name
 */
export function summarizeNotebook(nb, name) {
  /** @type {CellSummary[]} */
  const cells = [];
  let index = 0;
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'code') continue;
    const source = cellSource(cell);
    cells.push({
      index,
      ...(cell.id ? { id: cell.id } : {}),
      source: createHash('sha256').update(source).digest('hex').slice(0, 12),
      excerpt:
        source
          .split('\n')
          .find((l) => l.trim() !== '')
          ?.trim()
          .slice(0, 80) ?? '',
      outputs: summarizeOutputs(cell.outputs),
    });
    index += 1;
  }
  return { notebook: name, cells };
}

/**
 * All raw text a notebook shows (streams and text/plain), for metric patterns.
 * @param {Notebook} nb
 * @returns {string}
 */
export function notebookText(nb) {
  /** @type {string[]} */
  const parts = [];
  for (const cell of nb.cells) {
    for (const out of cell.outputs ?? []) {
      if (out.output_type === 'stream') parts.push(joined(out.text));
      else if (out.data?.['text/plain'] !== undefined) parts.push(joined(out.data['text/plain']));
    }
  }
  return parts.join('\n');
}
