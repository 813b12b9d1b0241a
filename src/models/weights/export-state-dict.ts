/**
 * The inverse of `loadStateDict`: a model's weights as a PyTorch-layout state_dict (same keys, same table), ready for
 * `encodeSafetensors` and `safetensors.torch.load_file` on the PyTorch side.
 */
import * as tf from '@tensorflow/tfjs';
import type { Float32Record } from './safetensors-write';
import { torchKeyTable } from './torch-keys';

function inverse(perm: number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** Every weight of `model` under its torch key, in torch layout. */
export function exportStateDict(model: tf.LayersModel): Record<string, Float32Record> {
  const out: Record<string, Float32Record> = {};
  for (const [key, target] of torchKeyTable(model)) {
    const t = tf.tidy(() => {
      const v = target.variable.read();
      return target.rule.transpose ? tf.transpose(v, inverse(target.rule.transpose)) : tf.clone(v);
    });
    out[key] = { shape: t.shape, data: t.dataSync() as Float32Array };
    t.dispose();
  }
  return out;
}
