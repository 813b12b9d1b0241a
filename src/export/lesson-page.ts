/**
 * `exportLessonPage(lesson, model, options)`: the one call a lesson's last cell makes. It fills in what the lesson
 * implies (the page, the class names, the raw picture size, a title, the folder `exports/<lesson>` beside the
 * notebook) and calls `exportForBrowser`; anything given in `options` wins.
 */
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { CIFAR10_CLASSES, MNIST_CLASSES } from '../data';
import { OptionError } from '../errors';
import { exportForBrowser, type ExportForBrowserOptions, type ExportReport } from './export-for-browser';

export type LessonPageName = '01-mnist' | '02-cifar10' | '03-rnn';

export interface LessonPageOptions extends ExportForBrowserOptions {
  /** Where to write. Default: `exports/<lesson>` under the current folder (the notebook's, in the kernel). */
  dir?: string;
}

const LESSON_PAGES: Record<LessonPageName, ExportForBrowserOptions> = {
  '01-mnist': {
    page: 'digits',
    classNames: MNIST_CLASSES,
    input: { height: 28, width: 28, channels: 1 },
    title: 'Lesson 01: handwritten digits (ResNet-50, transfer learning)',
    subtitle: 'Draw a digit, white on black, as in MNIST. The model runs in this page with TensorFlow.js.',
  },
  '02-cifar10': {
    page: 'image',
    classNames: CIFAR10_CLASSES,
    input: { height: 32, width: 32, channels: 3 },
    title: 'Lesson 02: CIFAR-10 pictures (ResNet-34, transfer learning)',
    subtitle: 'Pick a picture; it is resized to 32×32 as in CIFAR-10. The model runs in this page with TensorFlow.js.',
  },
  '03-rnn': {
    page: 'sequence',
    title: 'Lesson 03: a recurrent network',
    subtitle: 'Enter a sequence as JSON (steps × features). The model runs in this page with TensorFlow.js.',
  },
};

/** Exports a lesson's model and its page; the report displays as a summary with a link to index.html. */
export async function exportLessonPage(
  lesson: LessonPageName,
  model: tf.LayersModel,
  options: LessonPageOptions = {},
): Promise<ExportReport> {
  const preset = LESSON_PAGES[lesson];
  if (!preset) {
    throw new OptionError(
      `exportLessonPage: unknown lesson ${JSON.stringify(lesson)}; expected one of ${Object.keys(LESSON_PAGES).join(', ')}.`,
      'lesson',
    );
  }
  const { dir, ...rest } = options;
  return exportForBrowser(model, dir ?? path.join('exports', lesson), { ...preset, ...rest });
}
