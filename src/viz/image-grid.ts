/**
 * Sample grids: rows x columns of images with labels, e.g. the lesson's 2x5 "pred: X, actual: Y" grid of wrong
 * predictions, in colour for CIFAR (de-normalized with the mean/std the data was normalized with) and gray for MNIST.
 *
 * Shown as one PNG (`image/png`), an HTML block, and a `text/plain` account. The HTML labels the grid as a reader
 * expects: a label per row (a class name beside its row of samples) and per column, and a caption under an image only
 * where each image has its own (a wrong prediction's "pred: X, actual: Y"). Captions that are the same along a row or
 * a column become that row's or column's label, so an 8x10 grid of class samples shows 10 class names, not a table
 * of 80 repeated ones. Every label is HTML-escaped.
 */
import * as tf from '@tensorflow/tfjs';
import type { MimeBundle } from '../display';
import { ensureEngine } from '../engine';
import { escapeHtml } from '../display';
import { encodePng } from './png';

export interface SampleGridOptions {
  /** Grid rows. Default: enough rows for all images at `cols` per row. */
  rows?: number;
  /** Grid columns. Default: min(5, number of images). */
  cols?: number;
  /**
   * One caption per image, in row-major order. Captions equal along every row (or every column) are shown once, as
   * the row's (column's) label; others under their image. Default: none.
   */
  captions?: readonly string[];
  /** One label per row, shown to its left (e.g. the class of a row of samples). Default: none. */
  rowLabels?: readonly string[];
  /** One label per column, shown above it. Default: none. */
  colLabels?: readonly string[];
  /** Per-channel mean the images were normalized with; the grid undoes `(x - mean) / std`. Default: no de-normalization. */
  mean?: readonly number[];
  /** Per-channel std the images were normalized with. Default: no de-normalization. */
  std?: readonly number[];
  /**
   * Pixel scale after de-normalization: '0-1' or '0-255'. Default: 'auto' (integer tensors are 0-255; float tensors
   * whose maximum exceeds 1.5 are 0-255, else 0-1).
   */
  valueRange?: 'auto' | '0-1' | '0-255';
  /** Integer upscaling factor (nearest neighbour), so 28x28 digits are visible. Default: the smallest that makes cells >= 64 px, at most 8. */
  scale?: number;
  /** White border around each cell, in pixels. Default: 2. */
  padding?: number;
  /** A title above the grid. Default: none. */
  title?: string;
}

/** How an `ImageGrid` is labelled (see `gridLabels`). */
export interface GridLabels {
  /** One per row, or empty. */
  rowLabels: readonly string[];
  /** One per column, or empty. */
  colLabels: readonly string[];
  /** One per image (row-major) when the images have captions of their own, else empty. */
  cellCaptions: readonly string[];
}

/**
 * Row labels, column labels and the captions left for single images: captions equal along every row become row
 * labels, else captions equal along every column become column labels (explicit labels win; a 1-row or 1-column grid
 * keeps its captions under the images).
 */
export function gridLabels(
  rows: number,
  cols: number,
  captions: readonly string[],
  explicit: { rowLabels?: readonly string[]; colLabels?: readonly string[] } = {},
): GridLabels {
  let rowLabels = explicit.rowLabels ?? [];
  let colLabels = explicit.colLabels ?? [];
  let cellCaptions: readonly string[] = captions;
  const full = captions.length === rows * cols;
  const at = (r: number, c: number) => captions[r * cols + c];
  const sameAlongRows =
    full &&
    cols > 1 &&
    Array.from({ length: rows }, (_, r) => r).every((r) =>
      Array.from({ length: cols }, (_, c) => at(r, c)).every((x) => x === at(r, 0)),
    );
  const sameAlongCols =
    full &&
    rows > 1 &&
    Array.from({ length: cols }, (_, c) => c).every((c) =>
      Array.from({ length: rows }, (_, r) => at(r, c)).every((x) => x === at(0, c)),
    );
  if (sameAlongRows && rowLabels.length === 0) {
    rowLabels = Array.from({ length: rows }, (_, r) => at(r, 0));
    cellCaptions = [];
  } else if (sameAlongCols && colLabels.length === 0) {
    colLabels = Array.from({ length: cols }, (_, c) => at(0, c));
    cellCaptions = [];
  }
  return { rowLabels, colLabels, cellCaptions };
}

const LABEL_STYLE = 'font-size:12px;line-height:1.2;overflow-wrap:anywhere';

export class ImageGrid {
  /** Row and column labels, and the captions left under single images. */
  readonly labels: GridLabels;

  /**
   * `rowPngs`: the grid cut into one PNG per row, needed only when single images carry captions (each row of
   * captions goes under its row of images). `cellHeight`: a cell's height in pixels (default `cellWidth`).
   */
  constructor(
    readonly png: Uint8Array,
    readonly width: number,
    readonly height: number,
    readonly rows: number,
    readonly cols: number,
    readonly cellWidth: number,
    readonly captions: readonly string[],
    readonly title?: string,
    layout: {
      cellHeight?: number;
      rowLabels?: readonly string[];
      colLabels?: readonly string[];
      rowPngs?: readonly Uint8Array[];
    } = {},
  ) {
    this.cellHeight = layout.cellHeight ?? cellWidth;
    this.labels = gridLabels(rows, cols, captions, layout);
    this.rowPngs = layout.rowPngs ?? [];
  }

  readonly cellHeight: number;
  readonly rowPngs: readonly Uint8Array[];

  toHtml(): string {
    const { rowLabels, colLabels, cellCaptions } = this.labels;
    const perImage = cellCaptions.length > 0 && this.rowPngs.length === this.rows;
    const hasRowLabels = rowLabels.length > 0;
    const top = colLabels.length > 0 ? 1 : 0;
    const items: string[] = [];
    const place = (row: number, col: number, html: string, style = '') =>
      items.push(`<div style="grid-row:${row};grid-column:${col};${style}">${html}</div>`);
    colLabels.forEach((label, c) =>
      place(1, c + 2, escapeHtml(label), `${LABEL_STYLE};text-align:center;padding-bottom:2px`),
    );
    const rowLabelStyle = `${LABEL_STYLE};text-align:right;padding-right:6px;align-self:center;font-weight:600`;
    const img = (png: Uint8Array, w: number, h: number, alt: string) =>
      `<img class="lessonkit-grid-image" src="data:image/png;base64,${Buffer.from(png).toString('base64')}" width="${w}" height="${h}" ` +
      `alt="${escapeHtml(alt)}" style="display:block;max-width:none;image-rendering:pixelated">`;
    let template: string;
    if (perImage) {
      // Image rows and caption rows alternate: each caption sits under its own image.
      for (let r = 0; r < this.rows; r++) {
        const gridRow = top + 1 + 2 * r;
        if (hasRowLabels) place(gridRow, 1, escapeHtml(rowLabels[r] ?? ''), rowLabelStyle);
        place(
          gridRow,
          2,
          img(this.rowPngs[r], this.width, this.cellHeight, `row ${r + 1} of a ${this.rows}x${this.cols} image grid`),
          `grid-column:2 / span ${this.cols}`,
        );
        for (let c = 0; c < this.cols; c++) {
          const caption = cellCaptions[r * this.cols + c];
          if (caption !== undefined)
            place(gridRow + 1, c + 2, escapeHtml(caption), `${LABEL_STYLE};text-align:center;padding:1px 2px 6px`);
        }
      }
      template = `${top ? 'auto ' : ''}repeat(${this.rows}, ${this.cellHeight}px auto)`;
    } else {
      rowLabels.forEach((label, r) => place(top + 1 + r, 1, escapeHtml(label), rowLabelStyle));
      place(
        top + 1,
        2,
        img(this.png, this.width, this.height, `${this.rows}x${this.cols} image grid`),
        `grid-row:${top + 1} / span ${this.rows};grid-column:2 / span ${this.cols}`,
      );
      template = `${top ? 'auto ' : ''}repeat(${this.rows}, ${this.cellHeight}px)`;
    }
    const title = this.title ? `<div style="font-weight:bold;margin-bottom:4px">${escapeHtml(this.title)}</div>` : '';
    return (
      `<div class="lessonkit-grid">${title}<div class="lessonkit-grid-layout" style="display:grid;width:max-content;` +
      `grid-template-columns:auto repeat(${this.cols}, ${this.cellWidth}px);grid-template-rows:${template}">${items.join('')}</div></div>`
    );
  }

  toPlainText(): string {
    const { rowLabels, colLabels, cellCaptions } = this.labels;
    const head = `${this.title ? `${this.title}: ` : ''}image grid ${this.rows}x${this.cols} (${this.width}x${this.height} px)`;
    const lines: string[] = [];
    if (rowLabels.length) lines.push(`  rows: ${rowLabels.join(', ')}`);
    if (colLabels.length) lines.push(`  columns: ${colLabels.join(', ')}`);
    lines.push(...cellCaptions.map((c, i) => `  [${Math.floor(i / this.cols) + 1},${(i % this.cols) + 1}] ${c}`));
    return [head, ...lines].join('\n');
  }

  toMimeBundle(): MimeBundle {
    return {
      'text/plain': this.toPlainText(),
      'text/html': this.toHtml(),
      'image/png': Buffer.from(this.png).toString('base64'),
    };
  }
}

/** Images `[n, h, w]`, `[n, h, w, 1]` or `[n, h, w, 3]` as 0..255 float `[n, h, w, c]`, de-normalized. */
function toDisplayPixels(images: tf.Tensor, options: SampleGridOptions): tf.Tensor4D {
  return tf.tidy(() => {
    let x = images.rank === 3 ? tf.expandDims(images, -1) : images;
    if (x.rank !== 4 || ![1, 3].includes(x.shape[3] as number)) {
      throw new Error(
        `sampleGrid: expected images [n, h, w], [n, h, w, 1] or [n, h, w, 3]. Received shape [${images.shape}]`,
      );
    }
    const channels = x.shape[3] as number;
    const isInt = x.dtype === 'int32' || x.dtype === 'bool';
    x = tf.cast(x, 'float32');
    if (options.mean || options.std) {
      const mean = options.mean ?? new Array(channels).fill(0);
      const std = options.std ?? new Array(channels).fill(1);
      if (mean.length !== channels || std.length !== channels) {
        throw new Error(
          `sampleGrid: mean/std need ${channels} value(s) for ${channels}-channel images. Received mean ${mean.length}, std ${std.length}`,
        );
      }
      x = tf.add(tf.mul(x, tf.tensor1d([...std])), tf.tensor1d([...mean]));
    }
    const range = options.valueRange ?? 'auto';
    const is255 = range === '0-255' || (range === 'auto' && (isInt || tf.max(x).dataSync()[0] > 1.5));
    return tf.clipByValue(is255 ? x : tf.mul(x, 255), 0, 255) as tf.Tensor4D;
  });
}

/** Lays out images in a grid and encodes it as PNG. */
export async function sampleGrid(images: tf.Tensor, options: SampleGridOptions = {}): Promise<ImageGrid> {
  ensureEngine();
  const n = images.shape[0] ?? 0;
  if (n === 0) throw new Error('sampleGrid: expected at least one image. Received an empty tensor');
  const cols = options.cols ?? Math.min(5, n);
  const rows = options.rows ?? Math.ceil(n / cols);
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1)
    throw new Error(`sampleGrid: expected integer rows, cols >= 1. Received rows ${rows}, cols ${cols}`);
  const captions = options.captions ?? [];
  if (captions.length > 0 && captions.length !== Math.min(n, rows * cols)) {
    throw new Error(
      `sampleGrid: expected ${Math.min(n, rows * cols)} captions (one per image shown). Received ${captions.length}`,
    );
  }
  for (const [name, labels, count] of [
    ['rowLabels', options.rowLabels, rows],
    ['colLabels', options.colLabels, cols],
  ] as const) {
    if (labels && labels.length !== count)
      throw new Error(
        `sampleGrid: expected ${count} ${name} (one per ${name === 'rowLabels' ? 'row' : 'column'}). Received ${labels.length}`,
      );
  }
  const [h, w] = [images.shape[1] as number, images.shape[2] as number];
  const scale = options.scale ?? Math.min(8, Math.max(1, Math.ceil(64 / Math.min(h, w))));
  const pad = options.padding ?? 2;
  const grid = tf.tidy(() => {
    let x = toDisplayPixels(images, options);
    x = x.slice(0, Math.min(n, rows * cols)) as tf.Tensor4D;
    const channels = x.shape[3];
    if (scale > 1) x = tf.image.resizeNearestNeighbor(x, [h * scale, w * scale]);
    const missing = rows * cols - (x.shape[0] as number);
    if (missing > 0) x = tf.concat([x, tf.fill([missing, h * scale, w * scale, channels], 255)]) as tf.Tensor4D;
    x = tf.pad(
      x,
      [
        [0, 0],
        [pad, pad],
        [pad, pad],
        [0, 0],
      ],
      255,
    );
    const ch = h * scale + 2 * pad;
    const cw = w * scale + 2 * pad;
    const laid = tf.reshape(tf.transpose(tf.reshape(x, [rows, cols, ch, cw, channels]), [0, 2, 1, 3, 4]), [
      rows * ch,
      cols * cw,
      channels,
    ]);
    return tf.cast(tf.round(laid), 'int32') as tf.Tensor3D;
  });
  const cellHeight = h * scale + 2 * pad;
  try {
    const png = await encodePng(grid);
    const labels = gridLabels(rows, cols, captions, options);
    // Captions of single images go under their own row of images, so the HTML shows the grid one row at a time.
    const rowPngs: Uint8Array[] = [];
    if (labels.cellCaptions.length > 0) {
      for (let r = 0; r < rows; r++) {
        const strip = grid.slice([r * cellHeight, 0, 0], [cellHeight, -1, -1]);
        try {
          rowPngs.push(await encodePng(strip));
        } finally {
          strip.dispose();
        }
      }
    }
    return new ImageGrid(
      png,
      grid.shape[1],
      grid.shape[0],
      rows,
      cols,
      w * scale + 2 * pad,
      captions.slice(),
      options.title,
      {
        cellHeight,
        rowLabels: options.rowLabels,
        colLabels: options.colLabels,
        rowPngs,
      },
    );
  } finally {
    grid.dispose();
  }
}

/** The lesson's caption: `pred: X, actual: Y`, with class names when given. */
export function predictionCaption(predicted: number, actual: number, classNames?: readonly string[]): string {
  const name = (i: number) => (classNames ? (classNames[i] ?? String(i)) : String(i));
  return `pred: ${name(predicted)}, actual: ${name(actual)}`;
}
