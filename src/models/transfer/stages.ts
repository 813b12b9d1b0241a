/**
 * Which part of a ResNet a layer belongs to, from its name alone (never from its position):
 * `stem` (conv1, bn1, relu, maxpool), `layer1`..`layer4`, `pool` (global pooling), `head` (`fc`, `fc.0`, ...).
 */

export const STAGE_ORDER = ['input', 'stem', 'layer1', 'layer2', 'layer3', 'layer4', 'pool', 'head'] as const;
export type StageName = (typeof STAGE_ORDER)[number];

/** The stage of a layer name; throws for names that follow none of the ResNet naming rules. */
export function stageOf(layerName: string): StageName {
  if (layerName === 'input') return 'input';
  if (layerName === 'fc' || layerName.startsWith('fc.')) return 'head';
  if (layerName === 'avgpool' || layerName === 'maxpool.global') return 'pool';
  const m = /^(layer[1-4])\./.exec(layerName);
  if (m) return m[1] as StageName;
  if (/^(conv1|bn1|relu|maxpool)(\.pad)?$/.test(layerName) || layerName === 'conv1.pad') return 'stem';
  throw new Error(
    `stageOf: layer "${layerName}" follows none of the ResNet layer names (conv1, bn1, layerN.*, avgpool, fc*).`,
  );
}
