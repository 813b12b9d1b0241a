/**
 * Loads a PyTorch `state_dict` saved as safetensors (torchvision, timm's `tv_in1k` checkpoints, or your own
 * `safetensors.torch.save_file(model.state_dict(), path)`) into a model whose layer names are the weight keys.
 * All problems are collected and reported at once: missing keys, unexpected keys, and shape mismatches (with the
 * layer and both shapes), and dtypes that do not load as float32. Every tensor is checked (name, shape, dtype) and
 * decoded before the first one is written, so a failure leaves the model exactly as it was.
 */
import * as tf from '@tensorflow/tfjs';
import { WeightsIntegrityError } from '../../errors';
import { FLOAT_DTYPES, readSafetensorsFile, type SafetensorsFile } from './safetensors';
import { IGNORED_TORCH_SUFFIXES, torchKeyTable, torchShapeOf } from './torch-keys';

export interface LoadStateDictOptions {
  /** Checkpoint keys starting with any of these are skipped (e.g. `['fc.']` for a model without the top). Default: []. */
  skipPrefixes?: string[];
}

export interface LoadReport {
  source: string;
  /** Torch keys written into the model. */
  loaded: string[];
  /** Checkpoint keys skipped on purpose (`num_batches_tracked`, `skipPrefixes`). */
  skipped: string[];
}

const LIST_LIMIT = 20;

function listed(keys: string[]): string {
  const shown = keys.slice(0, LIST_LIMIT).join(', ');
  return keys.length > LIST_LIMIT ? `${shown}, ... (${keys.length} in all)` : shown;
}

/** Loads a safetensors state_dict (file path or an opened file) into `model`. */
export function loadStateDict(
  model: tf.LayersModel,
  source: string | SafetensorsFile,
  options: LoadStateDictOptions = {},
): LoadReport {
  const file = typeof source === 'string' ? readSafetensorsFile(source) : source;
  const skipPrefixes = options.skipPrefixes ?? [];
  const table = torchKeyTable(model);
  const skipped: string[] = [];
  const unexpected: string[] = [];
  const mismatched: string[] = [];
  const badDtypes: string[] = [];
  for (const [key, entry] of file.entries) {
    if (IGNORED_TORCH_SUFFIXES.some((s) => key.endsWith(`.${s}`)) || skipPrefixes.some((p) => key.startsWith(p))) {
      skipped.push(key);
      continue;
    }
    const target = table.get(key);
    if (!target) {
      unexpected.push(key);
      continue;
    }
    if (!(FLOAT_DTYPES as readonly string[]).includes(entry.dtype)) {
      badDtypes.push(`${key} is ${entry.dtype} (expected one of ${FLOAT_DTYPES.join(', ')})`);
    }
    const want = torchShapeOf(target.variable.shape as number[], target.rule);
    if (want.length !== entry.shape.length || want.some((d, i) => d !== entry.shape[i])) {
      mismatched.push(
        `layer "${target.layer.name}" weight ${target.rule.tfjsWeight}: checkpoint ${key} has shape [${entry.shape}], ` +
          `the model needs [${want}] (torch layout; [${target.variable.shape}] in tfjs layout)`,
      );
    }
  }
  const missing = [...table.keys()].filter((k) => !file.entries.has(k));
  if (missing.length || unexpected.length || mismatched.length || badDtypes.length) {
    const parts = [`Loading ${file.source} into ${model.name} failed (the model was left unchanged):`];
    if (mismatched.length)
      parts.push(`shape mismatches (${mismatched.length}): ${mismatched.slice(0, LIST_LIMIT).join('; ')}`);
    if (missing.length) parts.push(`missing keys (${missing.length}): ${listed(missing)}`);
    if (unexpected.length) parts.push(`unexpected keys (${unexpected.length}): ${listed(unexpected)}`);
    if (badDtypes.length) parts.push(`dtypes that do not load as float32 (${badDtypes.length}): ${listed(badDtypes)}`);
    throw new WeightsIntegrityError(parts.join('\n  '), file.source);
  }
  // Decode everything first (a decode error must not leave some layers written), then write.
  const decoded = [...table].map(([key]) => [key, file.readFloat32(key)] as const);
  const loaded: string[] = [];
  for (const [key, values] of decoded) {
    const target = table.get(key)!;
    const entry = file.entries.get(key)!;
    tf.tidy(() => {
      const t = tf.tensor(values, entry.shape, 'float32');
      target.variable.write(target.rule.transpose ? tf.transpose(t, target.rule.transpose) : t);
    });
    loaded.push(key);
  }
  return { source: file.source, loaded, skipped };
}
