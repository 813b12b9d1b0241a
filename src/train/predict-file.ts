/**
 * A prediction on one image file the learner supplies (a photo of a handwritten digit, a picture of a cat):
 * decode it like the training data, apply the same batch transform, and report the top classes.
 */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { decodeImageBytes, type Transform } from '../data';
import { ensureEngine } from '../engine';
import type { MimeBundle } from '../display';
import { escapeHtml } from '../display';
import { sampleGrid, type ImageGrid } from '../viz';
import { OptionError } from '../errors';

export interface PredictImageFileOptions {
  /** Class names, indexed by class. Required. */
  classNames: readonly string[];
  /** Channels the model's data had before the transform (1 for MNIST, 3 for CIFAR-10). Required. */
  channels: 1 | 3;
  /** `[height, width]` of the training images before the transform (e.g. [28, 28]). Required. */
  size: [number, number];
  /** The batch transform used for the test data (resize, scale, normalize). Default: none. */
  transform?: Transform;
  /** Invert the pixels (a dark digit on white paper → MNIST's white digit on black). Default: false. */
  invert?: boolean;
  /** What the model outputs: 'logits' (softmax applied here) or 'log-probabilities' (exp applied here). Default: 'logits'. */
  output?: 'logits' | 'log-probabilities';
  /** How many classes to list. Default: 3. */
  topK?: number;
}

export interface FilePrediction {
  file: string;
  /** The top classes, most likely first. */
  top: { class: number; name: string; probability: number }[];
  /** The image as the model saw it before the transform. */
  image: ImageGrid;
  toMimeBundle(): MimeBundle;
}

export async function predictImageFile(
  model: tf.LayersModel,
  file: string,
  options: PredictImageFileOptions,
): Promise<FilePrediction> {
  ensureEngine();
  if (!fs.existsSync(file))
    throw new OptionError(`predictImageFile: ${file} does not exist (expected a JPEG or PNG image).`);
  const decoded = decodeImageBytes(fs.readFileSync(file), file, options.channels, options.size);
  const raw = tf.tidy(() => {
    const t = tf.tensor4d(
      Int32Array.from(decoded.pixels),
      [1, decoded.height, decoded.width, decoded.channels],
      'int32',
    );
    return (options.invert ? tf.sub(255, t).toInt() : t) as tf.Tensor4D;
  });
  const k = Math.min(options.topK ?? 3, options.classNames.length);
  try {
    const probabilities = tf.tidy(() => {
      const x = options.transform ? options.transform.apply(raw) : raw.toFloat();
      const out = model.predict(x) as tf.Tensor;
      return options.output === 'log-probabilities' ? tf.exp(out) : tf.softmax(out);
    });
    const values = Array.from(await probabilities.data());
    probabilities.dispose();
    if (values.length !== options.classNames.length) {
      throw new Error(
        `predictImageFile: the model gives ${values.length} outputs but ${options.classNames.length} class names were given.`,
      );
    }
    const top = values
      .map((probability, c) => ({ class: c, name: options.classNames[c], probability }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, k);
    const image = await sampleGrid(raw, {
      rows: 1,
      cols: 1,
      captions: [`pred: ${top[0].name}`],
      scale: 4,
      title: file,
    });
    return {
      file,
      top,
      image,
      toMimeBundle(): MimeBundle {
        const lines = top.map((t) => `${t.name}: ${(100 * t.probability).toFixed(1)}%`);
        const rows = top.map(
          (t) =>
            `<tr><td>${escapeHtml(t.name)}</td><td style="text-align:right">${(100 * t.probability).toFixed(1)}%</td></tr>`,
        );
        return {
          'text/plain': `Prediction for ${file}: ${lines.join(', ')}`,
          'text/html': `<div>${image.toHtml()}<table><tr><th>class</th><th>probability</th></tr>${rows.join('')}</table></div>`,
        };
      },
    };
  } finally {
    raw.dispose();
  }
}
