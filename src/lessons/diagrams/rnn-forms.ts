/**
 * The four forms of the original lesson (RNN 형태), in Karpathy's layout: inputs (blue) at the bottom, RNN cells
 * (green) in the middle, outputs (orange) on top, time running left to right.
 * - one-to-many: image captioning (이미지 캡셔닝);
 * - many-to-one: sentiment analysis (감성 분석);
 * - many-to-many (1): read everything, then answer, Seq2Seq machine translation (기계 번역);
 * - many-to-many (2): an output at every input, per-frame video classification.
 */
import { COLORS, SvgCanvas, SvgDiagram } from './svg';

interface Form {
  title: string;
  korean: string;
  example: string;
  /** Per step: has an input, has an output. */
  steps: { input: boolean; output: boolean }[];
}

export const RNN_FORMS: readonly Form[] = [
  {
    title: 'one-to-many',
    korean: '이미지 캡셔닝',
    example: 'image captioning',
    steps: [
      { input: true, output: true },
      { input: false, output: true },
      { input: false, output: true },
      { input: false, output: true },
    ],
  },
  {
    title: 'many-to-one',
    korean: '감성 분석',
    example: 'sentiment analysis',
    steps: [
      { input: true, output: false },
      { input: true, output: false },
      { input: true, output: false },
      { input: true, output: true },
    ],
  },
  {
    title: 'many-to-many (1)',
    korean: '기계 번역 (Seq2Seq)',
    example: 'machine translation',
    steps: [
      { input: true, output: false },
      { input: true, output: false },
      { input: true, output: false },
      { input: false, output: true },
      { input: false, output: true },
      { input: false, output: true },
    ],
  },
  {
    title: 'many-to-many (2)',
    korean: '프레임별 비디오 분류',
    example: 'video classification per frame',
    steps: [
      { input: true, output: true },
      { input: true, output: true },
      { input: true, output: true },
      { input: true, output: true },
    ],
  },
];

export function rnnFormsDiagram(): SvgDiagram {
  const W = 920;
  const panelW = 440;
  const panelH = 250;
  const top = 44;
  const H = top + 2 * panelH + 20 + 30;
  const c = new SvgCanvas('rnn-forms', W, H);
  c.text(W / 2, 26, 'RNN 형태: 네 가지 입출력 구조  ·  the four forms (time runs left to right)', {
    size: 16,
    weight: 'bold',
  });
  const box = 34;
  RNN_FORMS.forEach((form, k) => {
    const px = 10 + (k % 2) * (panelW + 20);
    const py = top + Math.floor(k / 2) * (panelH + 10);
    c.rect(px, py, panelW, panelH, { fill: COLORS.panel, stroke: '#d4d4d4', rx: 8 });
    c.text(px + panelW / 2, py + 24, form.title, { size: 15, weight: 'bold' });
    c.text(px + panelW / 2, py + 44, `${form.korean}  ·  ${form.example}`, { size: 13, fill: COLORS.muted });
    const n = form.steps.length;
    const gap = n > 4 ? 26 : 44;
    const rowW = n * box + (n - 1) * gap;
    const x0 = px + (panelW - rowW) / 2;
    const yOut = py + 70;
    const yCell = py + 138;
    const yIn = py + 206;
    form.steps.forEach((s, i) => {
      const x = x0 + i * (box + gap);
      const cx = x + box / 2;
      c.rect(x, yCell - box / 2, box, box, { fill: COLORS.state, stroke: COLORS.stateStroke, rx: 6 });
      c.text(cx, yCell, 'h', { size: 14, centerY: true });
      if (i > 0)
        c.connector(
          [
            [x - gap + 1, yCell],
            [x - 2, yCell],
          ],
          { stroke: COLORS.stateStroke },
        );
      if (s.input) {
        c.rect(x, yIn - box / 2, box, box, { fill: COLORS.input, stroke: COLORS.inputStroke, rx: 6 });
        c.text(cx, yIn, 'x', { size: 14, centerY: true });
        c.connector(
          [
            [cx, yIn - box / 2 - 1],
            [cx, yCell + box / 2 + 2],
          ],
          { stroke: COLORS.inputStroke },
        );
      }
      if (s.output) {
        c.rect(x, yOut - box / 2, box, box, { fill: COLORS.output, stroke: COLORS.outputStroke, rx: 6 });
        c.text(cx, yOut, 'o', { size: 14, centerY: true });
        c.connector(
          [
            [cx, yCell - box / 2 - 1],
            [cx, yOut + box / 2 + 2],
          ],
          { stroke: COLORS.outputStroke },
        );
      }
    });
    const nIn = form.steps.filter((s) => s.input).length;
    const nOut = form.steps.filter((s) => s.output).length;
    c.text(
      px + panelW / 2,
      py + panelH - 12,
      `입력 ${nIn}개 → 출력 ${nOut}개  ·  ${nIn} input${nIn > 1 ? 's' : ''} → ${nOut} output${nOut > 1 ? 's' : ''}`,
      { size: 12, fill: COLORS.muted },
    );
  });
  const ly = H - 16;
  c.text(
    20,
    ly,
    'x 입력 input · h 은닉 상태 hidden state (RNN 셀 cell) · o 출력 output · 시간은 왼쪽에서 오른쪽으로 (time runs left to right)',
    { size: 12, anchor: 'start', fill: COLORS.muted },
  );
  return SvgDiagram.from(
    c,
    'The four forms of an RNN (RNN 형태)',
    RNN_FORMS.map((f) => {
      const nIn = f.steps.filter((s) => s.input).length;
      const nOut = f.steps.filter((s) => s.output).length;
      return `${f.title}: ${nIn} input(s) -> ${nOut} output(s), e.g. ${f.example} (${f.korean})`;
    }).join('; '),
  );
}
