/**
 * The teaching diagrams (src/lessons/diagrams): each is well-formed SVG (parsed by Python's xml.etree, a real XML
 * parser), shows the labels the lesson needs (Korean beside English), is byte-for-byte deterministic, references only
 * markers it defines, and has no two labels whose estimated boxes overlap. The tanh′ chart is checked against the
 * formula. The browser half (real glyph boxes in Chromium) is in diagrams-browser.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  gruCellDiagram,
  labelsOutside,
  lstmCellDiagram,
  overlappingLabels,
  parseLabel,
  plainLabel,
  rnnFormsDiagram,
  SvgCanvas,
  SvgDiagram,
  tanhDerivative,
  tanhDerivativeChart,
  transferStrategiesDiagram,
  transferStrategyLayers,
  unrolledRnnDiagram,
} from '../../src/lessons/diagrams';
import { PLOTLY_MIME } from '../../src/viz/figure';

const REPO = path.resolve(__dirname, '..', '..', '..');

function python(): string {
  const candidates = [
    process.env.LESSONKIT_PYTHON,
    path.join(REPO, '.venv', 'bin', 'python'),
    '/usr/bin/python3',
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`no Python found (tried ${candidates.join(', ')})`);
  return found;
}

interface ParsedSvg {
  root: string;
  attrs: Record<string, string>;
  /** The text content of each <text> element (its tspans joined). */
  texts: string[];
  ids: string[];
  /** Every `url(#id)` referenced by an attribute. */
  refs: string[];
  elements: number;
}

const PARSE = `
import json, re, sys
import xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
NS = '{http://www.w3.org/2000/svg}'
out = {'root': root.tag, 'attrs': dict(root.attrib), 'texts': [], 'ids': [], 'refs': [], 'elements': 0}
for el in root.iter():
    out['elements'] += 1
    if el.tag == NS + 'text':
        out['texts'].append(''.join(el.itertext()))
    if 'id' in el.attrib:
        out['ids'].append(el.attrib['id'])
    for v in el.attrib.values():
        out['refs'] += re.findall(r'url\\(#([^)]+)\\)', v)
print(json.dumps(out, ensure_ascii=False))
`;

/** Parses SVG with a real XML parser; throws with the parser's message when it is not well-formed. */
function parseSvg(svg: string): ParsedSvg {
  const r = spawnSync(python(), ['-c', PARSE], { input: svg, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`not well-formed XML: ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(r.stdout) as ParsedSvg;
}

const DIAGRAMS: [string, () => SvgDiagram, string[]][] = [
  [
    'unrolled RNN',
    unrolledRnnDiagram,
    [
      't-1 시점',
      't 시점',
      't+1 시점',
      'ht-1',
      'xt-1',
      'ot+1',
      'W(x)',
      'W(h)',
      '은닉 상태 hidden state',
      '역전파 backpropagation',
      'unroll',
    ],
  ],
  [
    'RNN forms',
    rnnFormsDiagram,
    [
      'one-to-many',
      'many-to-one',
      'many-to-many (1)',
      'many-to-many (2)',
      '이미지 캡셔닝',
      '감성 분석',
      '기계 번역 (Seq2Seq)',
      '프레임별 비디오 분류',
      '입력 1개 → 출력 4개',
      '입력 4개 → 출력 1개',
      '입력 3개 → 출력 3개',
      '입력 4개 → 출력 4개',
    ],
  ],
  [
    'LSTM cell',
    lstmCellDiagram,
    [
      '셀 상태 cell state',
      '망각 게이트',
      'forget gate',
      '입력 게이트',
      'input gate',
      '출력 게이트',
      'output gate',
      '은닉 상태',
      'hidden state',
      'Ct-1',
      'ht-1',
      'xt',
      '역전파',
    ],
  ],
  [
    'GRU cell',
    gruCellDiagram,
    [
      '은닉 상태 hidden state',
      '업데이트 게이트',
      'update gate',
      '리셋 게이트',
      'reset gate',
      'candidate',
      'ht-1',
      'xt',
      '1−',
    ],
  ],
  [
    'transfer strategies',
    transferStrategiesDiagram,
    [
      '전략 1',
      '전략 2',
      '전략 3',
      'stem',
      'layer4',
      'fc (head)',
      '고정 frozen',
      '학습 train',
      '사전 학습 pretrained',
      '무작위 random',
      '새 헤드 new head',
    ],
  ],
];

for (const [name, make, labels] of DIAGRAMS) {
  test(`${name}: well-formed SVG with its labels, deterministic, markers defined, no overlapping labels`, () => {
    const d = make();
    const parsed = parseSvg(d.svg);
    assert.equal(parsed.root, '{http://www.w3.org/2000/svg}svg');
    assert.equal(parsed.attrs.width, String(d.width));
    assert.equal(parsed.attrs.height, String(d.height));
    assert.equal(parsed.attrs.viewBox, `0 0 ${d.width} ${d.height}`);
    assert.ok(parsed.elements > 20, `${name} draws something (${parsed.elements} elements)`);
    const text = parsed.texts.join('\n');
    for (const label of labels) assert.ok(text.includes(label), `${name} shows "${label}"`);
    for (const ref of parsed.refs) assert.ok(parsed.ids.includes(ref), `${name}: url(#${ref}) has a definition`);
    assert.equal(new Set(parsed.ids).size, parsed.ids.length, `${name}: ids are unique`);
    assert.ok(
      parsed.ids.every((id) => id.startsWith(`lk-${d.name}-`)),
      `${name}: ids carry the diagram's name, so two diagrams in one page do not clash`,
    );

    assert.equal(make().svg, d.svg, `${name} is deterministic`);
    assert.deepEqual(overlappingLabels(d.labels), [], `${name}: no two labels overlap`);
    assert.deepEqual(labelsOutside(d.labels, d.width, d.height), [], `${name}: every label inside the picture`);
    assert.equal(d.labels.length, parsed.texts.length, 'every <text> element is a recorded label');

    const bundle = d.toMimeBundle();
    assert.deepEqual(Object.keys(bundle).sort(), ['image/svg+xml', 'text/html', 'text/plain']);
    assert.equal(bundle['image/svg+xml'], d.svg);
    const html = bundle['text/html'] as string;
    const img =
      /^<div class="lessonkit-diagram-container" style="max-width:(\d+)px"><img class="lessonkit-diagram" src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)" width="(\d+)" height="(\d+)" alt="([^"]*)" style="max-width:100%;height:auto"><\/div>$/.exec(
        html,
      );
    assert.ok(img, `text/html is one scalable <img> of the SVG: ${html.slice(0, 200)}`);
    assert.equal(Buffer.from(img[2], 'base64').toString('utf8'), d.svg, 'the <img> carries exactly the SVG');
    assert.deepEqual([Number(img[1]), Number(img[3]), Number(img[4])], [d.width, d.width, d.height]);
    assert.ok(img[5].length > 20 && !/[<>"]/.test(img[5]), 'alt text says what it shows, escaped');
    assert.ok(!html.includes('<svg'), 'no inline <svg>: JupyterLab strips it from untrusted notebooks');
    assert.ok(bundle['text/plain'].split('\n')[0].length > 10, 'text/plain starts with a title line');
    assert.ok(!/https?:\/\/(?!www\.w3\.org\/2000\/svg)/.test(d.svg), `${name} refers to nothing on the network`);
  });
}

test('all diagrams in one HTML page: their ids do not clash', () => {
  const ids = DIAGRAMS.flatMap(([, make]) => parseSvg(make().svg).ids);
  assert.equal(new Set(ids).size, ids.length);
});

test('the transfer strategies: which stages are frozen, trained and where their weights start', () => {
  const roles = (s: 1 | 2 | 3, upTo?: 'stem' | 'layer1' | 'layer2' | 'layer3') =>
    transferStrategyLayers(s, upTo).map((l) => `${l.stage}:${l.role}:${l.weights}`);
  assert.deepEqual(roles(1), [
    'stem:trained:random',
    'layer1:trained:random',
    'layer2:trained:random',
    'layer3:trained:random',
    'layer4:trained:random',
    'fc:trained:random',
  ]);
  assert.deepEqual(roles(2), [
    'stem:frozen:pretrained',
    'layer1:frozen:pretrained',
    'layer2:frozen:pretrained',
    'layer3:frozen:pretrained',
    'layer4:trained:pretrained',
    'fc:trained:new',
  ]);
  assert.deepEqual(roles(2, 'layer1'), [
    'stem:frozen:pretrained',
    'layer1:frozen:pretrained',
    'layer2:trained:pretrained',
    'layer3:trained:pretrained',
    'layer4:trained:pretrained',
    'fc:trained:new',
  ]);
  assert.deepEqual(roles(3), [
    'stem:frozen:pretrained',
    'layer1:frozen:pretrained',
    'layer2:frozen:pretrained',
    'layer3:frozen:pretrained',
    'layer4:frozen:pretrained',
    'fc:trained:new',
  ]);
  assert.throws(() => transferStrategyLayers(2, 'layer4' as never), /upTo must be one of stem, layer1, layer2, layer3/);

  // The picture follows the data: 4 frozen stages in strategy 2 (upTo layer3) + 5 in strategy 3, plus the legend.
  const frozenTags = (svg: string) => parseSvg(svg).texts.filter((t) => t === '고정 frozen').length;
  assert.equal(frozenTags(transferStrategiesDiagram().svg), 4 + 5);
  assert.equal(frozenTags(transferStrategiesDiagram({ upTo: 'stem' }).svg), 1 + 5);
  assert.ok(
    transferStrategiesDiagram().description.includes(
      'strategy 2 (reuse the lower layers (frozen), train the rest and the head): frozen stem, layer1, layer2, layer3; trained layer4, fc',
    ),
  );
  assert.ok(
    transferStrategiesDiagram({ model: 'ResNet-50' }).description.startsWith(
      'The three transfer-learning strategies (전이학습 종류), ResNet-50',
    ),
  );
});

test('labels: subscript markup, escaping, width estimate and the overlap check', () => {
  assert.deepEqual(parseLabel('h_{t-1}'), [
    { text: 'h', sub: false },
    { text: 't-1', sub: true },
  ]);
  assert.deepEqual(parseLabel('x_t + b'), [
    { text: 'x', sub: false },
    { text: 't', sub: true },
    { text: ' + b', sub: false },
  ]);
  assert.equal(plainLabel('C_{t-1} → C_t'), 'Ct-1 → Ct');
  assert.throws(() => parseLabel('h_{t'), /unclosed/);

  const c = new SvgCanvas('label-test', 300, 100);
  c.text(150, 40, '은닉 상태 <b>&"\'', { size: 14 });
  const parsed = parseSvg(c.toSvg('t <title>', 'd & d'));
  assert.deepEqual(parsed.texts, ['은닉 상태 <b>&"\'']);

  // Hangul is estimated a full em wide, Latin narrower: the check can tell a long Korean label from a short one.
  const [korean] = c.labelBoxes();
  assert.ok(korean.box.width > 14 * 5, `estimated width ${korean.box.width}`);

  const overlapping = new SvgCanvas('overlap-test', 300, 100);
  overlapping.text(100, 50, 'forget gate');
  overlapping.text(110, 55, '망각 게이트');
  overlapping.text(250, 90, 'far away', { size: 10 });
  assert.deepEqual(overlappingLabels(overlapping.labelBoxes()), [['forget gate', '망각 게이트']]);
  assert.deepEqual(labelsOutside(overlapping.labelBoxes(), 300, 100), []);
  assert.deepEqual(labelsOutside(overlapping.labelBoxes(), 270, 100), ['far away']);
  assert.throws(() => new SvgCanvas('Bad Name', 10, 10), /lowercase/);
});

test('tanh′ chart: the curve is 1 − tanh², peaks at 1 at x = 0, below 1.35e-3 outside (−4, 4); deterministic JSON', () => {
  assert.equal(tanhDerivative(0), 1);
  assert.ok(Math.abs(tanhDerivative(4) - 0.0013409506830258655) < 1e-15);
  assert.equal(tanhDerivative(-2.5), tanhDerivative(2.5));
  const fig = tanhDerivativeChart();
  const json = fig.toJSON();
  assert.deepEqual(tanhDerivativeChart().toJSON(), json, 'same figure every time');
  assert.equal(json.data.length, 2);
  const d = json.data[1] as { x: number[]; y: number[]; name: string };
  assert.ok(d.name.startsWith('tanh′'));
  const peak = Math.max(...d.y);
  assert.equal(peak, 1);
  assert.equal(d.x[d.y.indexOf(peak)], 0);
  const outside = d.y.filter((_, i) => Math.abs(d.x[i]) >= 4);
  assert.ok(outside.length > 10 && outside.every((v) => v <= 0.00135), 'close to 0 outside (-4, 4)');
  d.x.forEach((x, i) => assert.ok(Math.abs(d.y[i] - (1 - Math.tanh(x) ** 2)) < 1e-6, `tanh′(${x})`));
  const bundle = fig.toMimeBundle();
  assert.ok(bundle[PLOTLY_MIME] && bundle['text/html']);
  assert.match(
    bundle['text/plain'],
    /maximum 1 at x = 0; tanh′\(4\) ≈ 1\.34e-3, so outside \(−4, 4\) each step of backpropagation multiplies the gradient by at most 1\.35e-3$/,
  );
  const notes = (json.layout.annotations as { text: string }[]).map((a) => a.text);
  assert.ok(notes.includes('|x| ≥ 4: tanh′ ≤ 1.35e-3') && 1.35e-3 >= tanhDerivative(4), notes.join('; '));
  assert.throws(() => tanhDerivativeChart({ range: 3 }), /range > saturation/);
});
