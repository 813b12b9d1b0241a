/**
 * `exportForBrowser(model, dir, options)`: a trained model as a folder that a browser runs with nothing installed:
 *
 *   model.json + group1-shardNofM.bin   a standard tfjs LayersModel (convert.ts: standard layers only)
 *   lessonkit-export.json               what the page needs: page kind, raw input size, preprocessing steps, output
 *                                       kind, class names
 *   index.html + app.js + tf.min.js     the page (page/), with plain @tensorflow/tfjs copied from node_modules, so the
 *                                       folder works offline (served over HTTP: browsers refuse fetch() on file://)
 *
 * Before the folder is put in place, the files as written are loaded back in this process (tfjs-node) and run against
 * the original on the same inputs: the largest difference of the probabilities (or outputs) is in the report, and a
 * difference above 1e-3 (2e-2 with float16 weights) is an error that leaves nothing written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { compose, grayscaleTo3, normalize, resize, scaleTo01, centerCrop, type Transform } from '../data';
import type { MimeBundle } from '../display';
import { escapeHtml } from '../display';
import { ensureEngine } from '../engine';
import { LessonkitError, OptionError } from '../errors';
import { writeDirAtomic } from '../io';
import { STANDARD_LAYER_CLASSES, toStandardModel, topologyClassNames } from './convert';
import { encodeFloat16 } from './float16';
import { preprocessFromTransform, preprocessedShape, type PreprocessStep } from './preprocess';

export type PageKind = 'digits' | 'image' | 'sequence';
/** What the exported model outputs: probabilities, logits (the page applies softmax) or plain values. */
export type OutputKind = 'probabilities' | 'logits' | 'values';

export interface ExportForBrowserOptions {
  /** The page: a canvas to draw a digit, an image file picker, or a JSON box. Default: from the input rank and
   *  channels (rank 4 with 1 raw channel: digits; rank 4: image; else sequence). */
  page?: PageKind;
  /** The lesson's evaluation transform (its steps are read from its name; see preprocess.ts). */
  transform?: Transform;
  /** The preprocessing steps, when not given as `transform`. Default: none (the raw 0..255 pixels). */
  preprocess?: PreprocessStep[];
  /** The raw picture the page makes before preprocessing. Default: 28x28x1 (digits), 32x32x3 (image). */
  input?: { height: number; width: number; channels: number };
  /** Class names, in output order. Default: the output index. */
  classNames?: readonly string[];
  /** Invert the raw pixels (255 - v) before preprocessing, for models trained on dark ink on white. Default: false. */
  invert?: boolean;
  /** The page's title. Default: the model's name. */
  title?: string;
  /** A line under the title. */
  subtitle?: string;
  /** Predictions listed. Default: 3. */
  topK?: number;
  /** A sequence the page's JSON box starts with (sequence pages). Default: zeros. */
  example?: number[][];
  /** What the output is, when the export cannot tell (a softmax / LogSoftmax output gives 'probabilities'). Default:
   *  'logits' with classNames, else 'values'. */
  output?: OutputKind;
  /** Load the written files back here and run them against the original on the same inputs (a difference above
   *  1e-3, 2e-2 with float16 weights, is an error and nothing is written). Default: true. */
  check?: boolean;
  /** Weights in model.json's shards: float32, or float16 (half the size; tfjs reads them back as float32). Default:
   *  'float32'. */
  weights?: 'float32' | 'float16';
}

export interface ExportedFile {
  name: string;
  bytes: number;
}

export interface ExportReport {
  dir: string;
  files: ExportedFile[];
  /** All files together. */
  bytes: number;
  /** Of which model.json and the weight shards. */
  modelBytes: number;
  layersFolded: number;
  notes: string[];
  /** The kernel-side check: the largest |original - exported| over the compared outputs. */
  parity?: { maxAbsDiff: number; compared: string; inputShape: number[] };
  /** The page's settings (the contents of lessonkit-export.json). */
  config: ExportConfig;
  toMimeBundle(): MimeBundle;
}

export interface ExportConfig {
  format: 'lessonkit-export';
  version: 1;
  title: string;
  subtitle?: string;
  model: 'model.json';
  page: PageKind;
  /** Raw picture (digits, image) or the model's input shape without the batch (sequence). */
  input: { height: number; width: number; channels: number } | { shape: number[] };
  invert: boolean;
  preprocess: PreprocessStep[];
  output: OutputKind;
  classNames?: string[];
  topK: number;
  example?: number[][];
  notes: string[];
}

const SHARD_BYTES = 4 * 1024 * 1024;
const PAGE_DIR_CANDIDATES = [
  path.resolve(__dirname, 'page'),
  path.resolve(__dirname, '..', '..', '..', 'src', 'export', 'page'),
];

function pageAsset(name: string): string {
  for (const dir of PAGE_DIR_CANDIDATES) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  throw new LessonkitError(
    `exportForBrowser: the page file ${name} is missing (looked in ${PAGE_DIR_CANDIDATES.join(', ')}).`,
  );
}

function tfjsBundle(): string {
  return require.resolve('@tensorflow/tfjs/dist/tf.min.js');
}

/** The lesson's own transforms for the steps (so the kernel-side check preprocesses exactly as the lessons do). */
export function transformFromSteps(steps: PreprocessStep[]): Transform {
  return compose(
    ...steps.map((s) => {
      switch (s.op) {
        case 'grayscaleTo3':
          return grayscaleTo3();
        case 'resize':
          return resize([s.height, s.width]);
        case 'centerCrop':
          return centerCrop([s.height, s.width]);
        case 'scaleTo01':
          return scaleTo01();
        case 'normalize':
          return normalize(s.mean, s.std);
      }
    }),
  );
}

function outputKind(model: tf.LayersModel, converted: boolean, options: ExportForBrowserOptions): OutputKind {
  if (converted) return 'probabilities';
  const last = model.outputs[0].sourceLayer as tf.layers.Layer;
  const activation = (last.getConfig() as { activation?: string }).activation;
  if (activation === 'softmax' || last.getClassName() === 'Softmax') return 'probabilities';
  if (options.output) return options.output;
  return options.classNames ? 'logits' : 'values';
}

function inferPage(model: tf.LayersModel, options: ExportForBrowserOptions): PageKind {
  if (options.page) return options.page;
  const rank = model.inputs[0].shape.length;
  if (rank === 4) return options.input?.channels === 3 ? 'image' : options.input ? 'digits' : 'image';
  return 'sequence';
}

/** Writes the model as `model.json` + 4 MiB shards (tfjs-converter's naming) into `dir`; float16 on request. */
async function saveShards(model: tf.LayersModel, dir: string, precision: 'float32' | 'float16'): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      let data = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      let specs: tf.io.WeightsManifestEntry[] = artifacts.weightSpecs ?? [];
      if (precision === 'float16') {
        // float32 weights as float16 bits, marked so that tfjs's loader turns them back into float32.
        const parts: Uint8Array[] = [];
        let offset = 0;
        specs = specs.map((spec) => {
          const count = spec.shape.reduce((a, b) => a * b, 1);
          const bytes = count * (spec.dtype === 'float32' || spec.dtype === 'int32' ? 4 : 1);
          const chunk = new Uint8Array(data, offset, bytes);
          offset += bytes;
          if (spec.dtype !== 'float32') {
            parts.push(chunk);
            return spec;
          }
          parts.push(encodeFloat16(new Float32Array(data.slice(offset - bytes, offset))));
          return { ...spec, quantization: { dtype: 'float16' } };
        });
        data = tf.io.concatenateArrayBuffers(parts.map((p) => p.slice().buffer));
      }
      const n = Math.max(1, Math.ceil(data.byteLength / SHARD_BYTES));
      const paths: string[] = [];
      for (let i = 0; i < n; i++) {
        const name = `group1-shard${i + 1}of${n}.bin`;
        fs.writeFileSync(
          path.join(dir, name),
          new Uint8Array(data, i * SHARD_BYTES, Math.min(SHARD_BYTES, data.byteLength - i * SHARD_BYTES)),
        );
        paths.push(name);
      }
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: 'lessonkit exportForBrowser',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths, weights: specs }],
      };
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

/** Random inputs of the model's shape for the kernel-side check: raw pixels through the steps, or normal values. */
function checkInput(model: tf.LayersModel, config: ExportConfig): tf.Tensor {
  return tf.tidy(() => {
    if ('height' in config.input) {
      const { height, width, channels } = config.input;
      const raw = tf.randomUniform([2, height, width, channels], 0, 256, 'int32', 7) as tf.Tensor4D;
      return transformFromSteps(config.preprocess).apply(config.invert ? (tf.sub(255, raw) as tf.Tensor4D) : raw);
    }
    return tf.randomNormal([2, ...config.input.shape], 0, 1, 'float32', 7);
  });
}

/** Writes `model` and its page into `dir` (see the module header); returns what it wrote. */
export async function exportForBrowser(
  model: tf.LayersModel,
  dir: string,
  options: ExportForBrowserOptions = {},
): Promise<ExportReport> {
  ensureEngine();
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new OptionError(
      `exportForBrowser: the page needs a model with one input and one output; "${model.name}" has ${model.inputs.length} and ${model.outputs.length}.`,
      'model',
    );
  }
  if (options.transform && options.preprocess)
    throw new OptionError('exportForBrowser: give options.transform or options.preprocess, not both.', 'preprocess');
  const target = path.resolve(dir);
  if (
    fs.existsSync(target) &&
    fs.readdirSync(target).length > 0 &&
    !fs.existsSync(path.join(target, 'lessonkit-export.json'))
  ) {
    throw new OptionError(
      `exportForBrowser: ${target} exists and is not an earlier export (no lessonkit-export.json); pick an empty or new folder.`,
      'dir',
    );
  }
  const converted = toStandardModel(model);
  try {
    const page = inferPage(model, options);
    const preprocess = options.preprocess ?? (options.transform ? preprocessFromTransform(options.transform) : []);
    const modelShape = model.inputs[0].shape;
    let input: ExportConfig['input'];
    if (page === 'sequence') {
      const shape = modelShape.slice(1);
      if (shape.some((d) => d === null))
        throw new OptionError(
          `exportForBrowser: a sequence page needs a fixed input shape; "${model.name}" takes [${modelShape}].`,
          'page',
        );
      input = { shape: shape as number[] };
    } else {
      input =
        options.input ??
        (page === 'digits' ? { height: 28, width: 28, channels: 1 } : { height: 32, width: 32, channels: 3 });
      const seen = preprocessedShape([input.height, input.width, input.channels], preprocess);
      const want = modelShape.slice(1);
      if (want.length !== 3 || want.some((d, i) => d !== null && d !== seen[i])) {
        throw new OptionError(
          `exportForBrowser: the page's ${input.height}x${input.width}x${input.channels} pictures become [${seen}] after the preprocessing, ` +
            `but "${model.name}" takes [${modelShape}].`,
          'preprocess',
        );
      }
    }
    const output = outputKind(model, converted.logSoftmaxToSoftmax, options);
    const notes = [...converted.notes];
    if (output === 'logits') notes.push('The model outputs logits; the page applies softmax and shows probabilities.');
    if (output === 'probabilities') notes.push('The page shows the probabilities the model outputs.');
    const config: ExportConfig = {
      format: 'lessonkit-export',
      version: 1,
      title: options.title ?? model.name,
      subtitle: options.subtitle,
      model: 'model.json',
      page,
      input,
      invert: options.invert ?? false,
      preprocess,
      output,
      classNames: options.classNames ? [...options.classNames] : undefined,
      topK: options.topK ?? 3,
      example: options.example,
      notes,
    };
    const outUnits = model.outputs[0].shape[model.outputs[0].shape.length - 1];
    if (config.classNames && config.classNames.length !== outUnits) {
      throw new OptionError(
        `exportForBrowser: ${config.classNames.length} class names for a model with ${outUnits} outputs.`,
        'classNames',
      );
    }

    const precision = options.weights ?? 'float32';
    if (precision !== 'float32' && precision !== 'float16')
      throw new OptionError(
        `exportForBrowser: weights must be 'float32' or 'float16'. Received: ${precision}.`,
        'weights',
      );
    if (precision === 'float16')
      notes.push(
        "Weights stored as float16 (half the size); the page's predictions differ from the original by about 1e-3.",
      );
    const tolerance = precision === 'float16' ? 2e-2 : 1e-3;
    let parity: ExportReport['parity'];

    await writeDirAtomic(target, async (tmp) => {
      await saveShards(converted.model, tmp, precision);
      const topology = JSON.parse(fs.readFileSync(path.join(tmp, 'model.json'), 'utf8')).modelTopology;
      const foreign = topologyClassNames(topology).filter(
        (c) => !STANDARD_LAYER_CLASSES.has(c) && c !== 'Model' && c !== 'Sequential' && c !== 'Functional',
      );
      if (foreign.length)
        throw new LessonkitError(
          `exportForBrowser: internal error: model.json names non-standard classes ${foreign.join(', ')}.`,
        );
      if (options.check ?? true) {
        // The files as written, loaded back here, against the original on the same inputs.
        const written = await tf.loadLayersModel(`file://${path.join(tmp, 'model.json')}`);
        const x = checkInput(model, config);
        const compared = converted.logSoftmaxToSoftmax
          ? 'probabilities (exp of the original log-probabilities)'
          : output === 'logits'
            ? 'probabilities (softmax of the logits)'
            : 'outputs';
        const diff = tf.tidy(() => {
          let a = model.predict(x) as tf.Tensor;
          let b = written.predict(x) as tf.Tensor;
          if (converted.logSoftmaxToSoftmax) a = tf.exp(a);
          if (output === 'logits') [a, b] = [tf.softmax(a), tf.softmax(b)];
          return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
        });
        parity = { maxAbsDiff: diff, compared, inputShape: x.shape };
        x.dispose();
        written.dispose();
        if (!(diff <= tolerance)) {
          throw new LessonkitError(
            `exportForBrowser: the exported model differs from "${model.name}" by ${diff} (max |difference| of the ${compared}); expected < ${tolerance}. Nothing was written.`,
          );
        }
      }
      fs.writeFileSync(path.join(tmp, 'lessonkit-export.json'), JSON.stringify(config, null, 2) + '\n');
      fs.copyFileSync(tfjsBundle(), path.join(tmp, 'tf.min.js'));
      for (const name of ['index.html', 'app.js']) fs.copyFileSync(pageAsset(name), path.join(tmp, name));
    });

    const files = fs
      .readdirSync(target)
      .sort()
      .map((name) => ({ name, bytes: fs.statSync(path.join(target, name)).size }));
    const bytes = files.reduce((s, f) => s + f.bytes, 0);
    const modelBytes = files
      .filter((f) => f.name === 'model.json' || f.name.endsWith('.bin'))
      .reduce((s, f) => s + f.bytes, 0);
    return makeReport({
      dir: target,
      files,
      bytes,
      modelBytes,
      layersFolded: converted.layersFolded,
      notes,
      parity,
      config,
    });
  } finally {
    converted.model.dispose();
  }
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;

function makeReport(r: Omit<ExportReport, 'toMimeBundle'>): ExportReport {
  const summary = () => {
    const lines = [
      `Exported "${r.config.title}" to ${r.dir}: ${r.files.length} files, ${mb(r.bytes)} (model ${mb(r.modelBytes)}).`,
      `Page: ${r.config.page}; open index.html through a local web server, e.g. python3 -m http.server -d ${JSON.stringify(r.dir)}.`,
    ];
    if (r.parity)
      lines.push(
        `Check against the original here: max |difference| ${r.parity.maxAbsDiff.toExponential(2)} (${r.parity.compared}).`,
      );
    return [...lines, ...r.notes.map((n) => `- ${n}`)];
  };
  return {
    ...r,
    toMimeBundle(): MimeBundle {
      const lines = summary();
      const href = path.relative(process.cwd(), path.join(r.dir, 'index.html')).split(path.sep).join('/');
      return {
        'text/plain': lines.join('\n'),
        'text/html':
          `<div><p>${escapeHtml(lines[0])} <a href="${escapeHtml(href)}" target="_blank">index.html</a></p>` +
          `<ul>${lines
            .slice(1)
            .map((l) => `<li>${escapeHtml(l.replace(/^- /, ''))}</li>`)
            .join('')}</ul></div>`,
      };
    },
  };
}
