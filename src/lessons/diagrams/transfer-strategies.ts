/**
 * The original lesson's three transfer-learning strategies (전이학습 종류), one row each, with which layers are frozen
 * (고정) and which are trained (학습), and where each layer's weights start from:
 * - strategy 1: reuse the architecture only, re-initialise and train every weight (모델의 구조만 활용, 가중치 재학습);
 * - strategy 2: reuse the lower layers frozen, train the rest and the new head (일부 레이어만 활용, fc 학습);
 * - strategy 3: freeze the whole backbone, train the new head only (모델 가중치 고정, fc 학습).
 * The stages are the ResNet's (stem, layer1..layer4, fc), as `applyFreezeStrategy` names them (models/freeze.ts).
 */
import { COLORS, SvgCanvas, SvgDiagram } from './svg';

export type StrategyTwoCut = 'stem' | 'layer1' | 'layer2' | 'layer3';

export interface TransferStrategiesOptions {
  /** Strategy 2 freezes the stem and the stages up to this one (as `applyFreezeStrategy`'s `upTo`). Default: 'layer3'. */
  upTo?: StrategyTwoCut;
  /** The backbone's name in the title. Default: 'ResNet'. */
  model?: string;
}

const STAGES = ['stem', 'layer1', 'layer2', 'layer3', 'layer4'] as const;

export type LayerRole = 'frozen' | 'trained';
export type WeightSource = 'random' | 'pretrained' | 'new';

/** Per strategy, per stage (stem..layer4, then fc): trained or frozen, and where the weights start. The diagram's data. */
export function transferStrategyLayers(
  strategy: 1 | 2 | 3,
  upTo: StrategyTwoCut = 'layer3',
): { stage: string; role: LayerRole; weights: WeightSource }[] {
  const cut = STAGES.indexOf(upTo);
  if (cut < 0 || cut > 3)
    throw new Error(
      `transferStrategyLayers: upTo must be one of ${STAGES.slice(0, 4).join(', ')}. Received ${JSON.stringify(upTo)}`,
    );
  const backbone = STAGES.map((stage, i) => {
    if (strategy === 1) return { stage, role: 'trained' as const, weights: 'random' as const };
    const frozen = strategy === 3 || i <= cut;
    return { stage, role: frozen ? ('frozen' as const) : ('trained' as const), weights: 'pretrained' as const };
  });
  return [...backbone, { stage: 'fc', role: 'trained', weights: strategy === 1 ? 'random' : 'new' }];
}

const TITLES: Record<1 | 2 | 3, [string, string]> = {
  1: ['전략 1: 모델의 구조만 활용, 가중치 재학습', 'reuse the architecture, retrain every weight'],
  2: ['전략 2: 일부 레이어만 활용, 나머지와 fc 학습', 'reuse the lower layers (frozen), train the rest and the head'],
  3: ['전략 3: 모델 가중치 고정, fc 학습', 'freeze the backbone, train the head only'],
};

const SOURCE_LABEL: Record<WeightSource, string> = {
  random: '무작위 random',
  pretrained: '사전 학습 pretrained',
  new: '새 헤드 new head',
};

export function transferStrategiesDiagram(options: TransferStrategiesOptions = {}): SvgDiagram {
  const upTo = options.upTo ?? 'layer3';
  const model = options.model ?? 'ResNet';
  const W = 960;
  const rowH = 132;
  const top = 50;
  const H = top + 3 * rowH + 40;
  const c = new SvgCanvas('transfer-strategies', W, H);
  c.text(
    W / 2,
    26,
    `전이학습 세 가지 전략: 어느 층을 고정하고 어느 층을 학습하나  ·  the three transfer strategies (${model})`,
    { size: 16, weight: 'bold' },
  );
  const blockW = 118;
  const gap = 20;
  const inputW = 78;
  const x0 = (W - (inputW + gap + 6 * blockW + 5 * gap)) / 2;
  const lines: string[] = [];
  for (const strategy of [1, 2, 3] as const) {
    const y = top + (strategy - 1) * rowH;
    c.rect(8, y, W - 16, rowH - 10, { fill: COLORS.panel, stroke: '#d4d4d4', rx: 8 });
    const [ko, en] = TITLES[strategy];
    c.text(24, y + 22, ko, { size: 14, weight: 'bold', anchor: 'start' });
    c.text(W - 24, y + 22, en, { size: 13, anchor: 'end', fill: COLORS.muted });
    const by = y + 36;
    const bh = 54;
    c.rect(x0, by + 6, inputW, bh - 12, { fill: COLORS.input, stroke: COLORS.inputStroke });
    c.lines(x0 + inputW / 2, by + bh / 2, ['입력', 'image'], { size: 12, lineHeight: 15 });
    const layers = transferStrategyLayers(strategy, upTo);
    layers.forEach((l, i) => {
      const x = x0 + inputW + gap + i * (blockW + gap);
      const frozen = l.role === 'frozen';
      c.connector(
        [
          [x - gap + 1, by + bh / 2],
          [x - 2, by + bh / 2],
        ],
        { stroke: COLORS.muted, strokeWidth: 1.5 },
      );
      c.rect(x, by, blockW, bh, {
        fill: frozen ? COLORS.frozen : COLORS.trained,
        stroke: frozen ? COLORS.frozenStroke : COLORS.trainedStroke,
        dash: frozen ? '5 3' : undefined,
        strokeWidth: frozen ? 1.5 : 2,
      });
      c.lines(x + blockW / 2, by + bh / 2, [l.stage === 'fc' ? 'fc (head)' : l.stage, SOURCE_LABEL[l.weights]], {
        size: 12,
        lineHeight: 17,
        weight: undefined,
      });
      c.text(x + blockW / 2, by + bh + 18, frozen ? '고정 frozen' : '학습 train', {
        size: 12,
        weight: 'bold',
        fill: frozen ? COLORS.frozenStroke : COLORS.trainedStroke,
      });
    });
    const frozenNames = layers.filter((l) => l.role === 'frozen').map((l) => l.stage);
    const trainedNames = layers.filter((l) => l.role === 'trained').map((l) => l.stage);
    lines.push(
      `strategy ${strategy} (${en}): frozen ${frozenNames.length ? frozenNames.join(', ') : 'none'}; trained ${trainedNames.join(', ')}; ` +
        `backbone weights ${layers[0].weights === 'random' ? 're-initialised' : 'pretrained'}`,
    );
  }
  const ly = H - 16;
  c.rect(24, ly - 12, 26, 16, { fill: COLORS.frozen, stroke: COLORS.frozenStroke, dash: '5 3', rx: 3 });
  c.text(58, ly, '고정 frozen: 가중치를 바꾸지 않음 (no gradient step)', {
    size: 12,
    anchor: 'start',
    fill: COLORS.muted,
  });
  c.rect(440, ly - 12, 26, 16, { fill: COLORS.trained, stroke: COLORS.trainedStroke, rx: 3 });
  c.text(474, ly, '학습 train: 역전파로 갱신 (updated by backpropagation)', {
    size: 12,
    anchor: 'start',
    fill: COLORS.muted,
  });
  return SvgDiagram.from(c, `The three transfer-learning strategies (전이학습 종류), ${model}`, lines.join('\n'));
}
