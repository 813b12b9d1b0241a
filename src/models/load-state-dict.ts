/**
 * Loads a PyTorch `state_dict` saved as safetensors (torchvision, timm's `tv_in1k` checkpoints, or your own
 * `safetensors.torch.save_file(model.state_dict(), path)`) into a model whose layer names are the weight keys.
 * All problems are collected and reported at once: missing keys, unexpected keys, and shape mismatches (with the
 * layer and both shapes). Nothing is written unless everything matches.
 */
import * as tf from '@tensorflow/tfjs';
import { readSafetensorsFile, type SafetensorsFile } from './safetensors';
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
export function loadStateDict(model: tf.LayersModel, source: string | SafetensorsFile, options: LoadStateDictOptions = {}): LoadReport {
  const file = typeof source === 'string' ? readSafetensorsFile(source) : source;
  const skipPrefixes = options.skipPrefixes ?? [];
  const table = torchKeyTable(model);
  const skipped: string[] = [];
  const unexpected: string[] = [];
  const mismatched: string[] = [];
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
    const want = torchShapeOf(target.variable.shape as number[], target.rule);
    if (want.length !== entry.shape.length || want.some((d, i) => d !== entry.shape[i])) {
      mismatched.push(
        `layer "${target.layer.name}" weight ${target.rule.tfjsWeight}: checkpoint ${key} has shape [${entry.shape}], ` +
          `the model needs [${want}] (torch layout; [${target.variable.shape}] in tfjs layout)`,
      );
    }
  }
  const missing = [...table.keys()].filter((k) => !file.entries.has(k));
  if (missing.length || unexpected.length || mismatched.length) {
    const parts = [`Loading ${file.source} into ${model.name} failed:`];
    if (mismatched.length) parts.push(`shape mismatches (${mismatched.length}): ${mismatched.slice(0, LIST_LIMIT).join('; ')}`);
    if (missing.length) parts.push(`missing keys (${missing.length}): ${listed(missing)}`);
    if (unexpected.length) parts.push(`unexpected keys (${unexpected.length}): ${listed(unexpected)}`);
    throw new Error(parts.join('\n  '));
  }
  const loaded: string[] = [];
  for (const [key, target] of table) {
    const entry = file.entries.get(key)!;
    tf.tidy(() => {
      const t = tf.tensor(file.readFloat32(key), entry.shape, 'float32');
      target.variable.write(target.rule.transpose ? tf.transpose(t, target.rule.transpose) : t);
    });
    loaded.push(key);
  }
  return { source: file.source, loaded, skipped };
}
