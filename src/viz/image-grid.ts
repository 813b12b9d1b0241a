/**
 * Sample grids: rows x columns of images with captions, e.g. the lesson's 2x5 "pred: X, actual: Y" grid of wrong
 * predictions, in colour for CIFAR (de-normalized with the mean/std the data was normalized with) and gray for MNIST.
 *
 * Shown as one PNG (`image/png`), an HTML block with that PNG and a caption table laid out like the grid (every
 * caption HTML-escaped), and a `text/plain` list of captions.
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
  /** One caption per image, in row-major order. Default: none. */
  captions?: readonly string[];
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

export class ImageGrid {
  constructor(
    readonly png: Uint8Array,
    readonly width: number,
    readonly height: number,
    readonly rows: number,
    readonly cols: number,
    readonly cellWidth: number,
    readonly captions: readonly string[],
    readonly title?: string,
  ) {}

  toHtml(): string {
    const src = `data:image/png;base64,${Buffer.from(this.png).toString('base64')}`;
    const cells: string[] = [];
    for (let r = 0; r < this.rows; r++) {
      const tds: string[] = [];
      for (let c = 0; c < this.cols; c++) {
        const caption = this.captions[r * this.cols + c] ?? '';
        tds.push(
          `<td style="width:${this.cellWidth}px;text-align:center;padding:0;font-size:11px;overflow-wrap:anywhere">${escapeHtml(caption)}</td>`,
        );
      }
      cells.push(`<tr><th style="font-size:11px;padding:0 4px">row ${r + 1}</th>${tds.join('')}</tr>`);
    }
    const title = this.title ? `<div style="font-weight:bold">${escapeHtml(this.title)}</div>` : '';
    const table =
      this.captions.length > 0
        ? `<table class="lessonkit-grid-captions" style="table-layout:fixed;border-collapse:collapse">${cells.join('')}</table>`
        : '';
    return (
      `<div class="lessonkit-grid">${title}<img class="lessonkit-grid-image" src="${src}" width="${this.width}" height="${this.height}" ` +
      `alt="${escapeHtml(`${this.rows}x${this.cols} image grid`)}" style="image-rendering:pixelated">${table}</div>`
    );
  }

  toPlainText(): string {
    const head = `${this.title ? `${this.title}: ` : ''}image grid ${this.rows}x${this.cols} (${this.width}x${this.height} px)`;
    const lines = this.captions.map((c, i) => `  [${Math.floor(i / this.cols) + 1},${(i % this.cols) + 1}] ${c}`);
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
  try {
    const png = await encodePng(grid);
    return new ImageGrid(
      png,
      grid.shape[1],
      grid.shape[0],
      rows,
      cols,
      w * scale + 2 * pad,
      captions.slice(),
      options.title,
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
