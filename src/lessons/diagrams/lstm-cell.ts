/**
 * The LSTM cell with its gates (after Olah's "Understanding LSTM Networks"): the cell state (셀 상태) runs along the
 * top, touched only by one multiplication (the forget gate, 망각 게이트) and one addition (the input gate's
 * contribution, 입력 게이트); the output gate (출력 게이트) picks what of tanh(C_t) becomes the hidden state
 * (은닉 상태). Every gate reads the same [h_{t-1}, x_t].
 */
import { COLORS, gateBoxes, SvgCanvas, SvgDiagram } from './svg';

export function lstmCellDiagram(): SvgDiagram {
  const W = 940;
  const H = 470;
  const c = new SvgCanvas('lstm-cell', W, H);
  c.text(W / 2, 26, 'LSTM 셀과 게이트  ·  the LSTM cell and its gates', { size: 16, weight: 'bold' });

  const boxL = 130;
  const boxR = 810;
  c.rect(boxL, 56, boxR - boxL, 330, { fill: '#f8fafc', stroke: '#94a3b8', rx: 16 });

  // The cell state line.
  const cy = 100;
  const fX = 250; // forget multiply
  const addX = 450; // add
  const tanhX = 740; // tanh on the cell state
  c.brokenLine(cy, [60, fX, addX, 880], { stroke: COLORS.cellLine, strokeWidth: 3 });
  c.text(56, cy + 5, 'C_{t-1}', { size: 15, anchor: 'end' });
  c.text(886, cy + 5, 'C_t', { size: 15, anchor: 'start' });
  c.text(340, cy - 12, '셀 상태 cell state', { size: 13, fill: COLORS.cellLine, weight: 'bold' });
  c.op(fX, cy, 'times', { stroke: COLORS.cellLine });
  c.op(addX, cy, 'plus', { stroke: COLORS.cellLine });

  // Gates.
  const gy = 262;
  const gh = 68;
  const gates = [
    {
      x: 250,
      sym: 'σ',
      name: 'f_t',
      ko: '망각 게이트',
      en: 'forget gate',
      fill: COLORS.gate,
      stroke: COLORS.gateStroke,
    },
    {
      x: 380,
      sym: 'σ',
      name: 'i_t',
      ko: '입력 게이트',
      en: 'input gate',
      fill: COLORS.gate,
      stroke: COLORS.gateStroke,
    },
    {
      x: 510,
      sym: 'tanh',
      name: 'C̃_t',
      ko: '후보 값',
      en: 'candidate',
      fill: COLORS.state,
      stroke: COLORS.stateStroke,
    },
    {
      x: 640,
      sym: 'σ',
      name: 'o_t',
      ko: '출력 게이트',
      en: 'output gate',
      fill: COLORS.gate,
      stroke: COLORS.gateStroke,
    },
  ];
  const { top: gTop, bottom: gBottom } = gateBoxes(c, gates, { y: gy, height: gh, width: 112 });

  // Forget gate up into the cell line.
  c.connector(
    [
      [250, gTop - 1],
      [250, cy + 13],
    ],
    { stroke: COLORS.gateStroke },
  );
  // Input gate and candidate meet in a multiply, which goes up into the add.
  const icY = 178;
  c.op(addX, icY, 'times');
  c.connector(
    [
      [380, gTop - 1],
      [380, icY],
      [addX - 13, icY],
    ],
    { stroke: COLORS.gateStroke },
  );
  c.connector(
    [
      [510, gTop - 1],
      [510, icY],
      [addX + 13, icY],
    ],
    { stroke: COLORS.stateStroke },
  );
  c.connector(
    [
      [addX, icY - 12],
      [addX, cy + 13],
    ],
    { stroke: COLORS.ink },
  );
  c.text(addX + 16, 143, 'i_t ⊙ C̃_t', { size: 12, anchor: 'start', fill: COLORS.muted });

  // Output: tanh(C_t), times o_t, gives h_t.
  c.dot(tanhX, cy, COLORS.cellLine);
  const tY = 160;
  c.raw(
    `<ellipse cx="${tanhX}" cy="${tY}" rx="26" ry="14" fill="${COLORS.state}" stroke="${COLORS.stateStroke}" stroke-width="1.5"/>`,
  );
  c.text(tanhX, tY, 'tanh', { size: 12, centerY: true });
  c.connector(
    [
      [tanhX, cy + 3],
      [tanhX, tY - 15],
    ],
    { stroke: COLORS.cellLine },
  );
  const oY = gy;
  c.op(tanhX, oY, 'times');
  c.connector(
    [
      [tanhX, tY + 15],
      [tanhX, oY - 13],
    ],
    { stroke: COLORS.stateStroke },
  );
  c.connector(
    [
      [696, oY],
      [tanhX - 13, oY],
    ],
    { stroke: COLORS.gateStroke },
  );
  c.connector(
    [
      [tanhX + 12, oY],
      [880, oY],
    ],
    { stroke: COLORS.stateStroke, strokeWidth: 2.5 },
  );
  c.text(886, oY + 5, 'h_t', { size: 15, anchor: 'start' });
  c.text(770, oY - 14, '은닉 상태', { size: 12, anchor: 'start', fill: COLORS.stateStroke });
  c.text(770, oY + 24, 'hidden state', { size: 12, anchor: 'start', fill: COLORS.stateStroke });

  // Inputs: h_{t-1} from the left and x_t from below, one bus into every gate.
  const busY = 350;
  c.connector(
    [
      [60, busY],
      [640, busY],
    ],
    { stroke: COLORS.ink, arrow: false, strokeWidth: 2 },
  );
  c.text(56, busY + 5, 'h_{t-1}', { size: 15, anchor: 'end' });
  c.connector(
    [
      [170, 422],
      [170, busY],
    ],
    { stroke: COLORS.inputStroke, arrow: false, strokeWidth: 2 },
  );
  c.dot(170, busY);
  c.text(170, 436, 'x_t', { size: 15, centerY: true });
  for (const g of gates)
    c.connector(
      [
        [g.x, busY],
        [g.x, gBottom + 2],
      ],
      { stroke: COLORS.ink },
    );
  c.text(
    205,
    busY + 22,
    '[h_{t-1}, x_t]: 모든 게이트의 입력  ·  every gate reads the previous hidden state and the input',
    { size: 12, anchor: 'start', fill: COLORS.muted },
  );

  // Legend.
  c.text(230, 412, '⊗ 원소별 곱 element-wise product · ⊕ 합 sum · σ sigmoid (0~1)', {
    size: 12,
    anchor: 'start',
    fill: COLORS.muted,
  });
  c.text(
    20,
    464,
    '셀 상태 경로에는 tanh가 없다: 역전파 backpropagation은 이 길에서 시점마다 f_t만 곱한다 (multiplied only by the forget gate per step)',
    { size: 12, anchor: 'start', fill: COLORS.cellLine },
  );

  return SvgDiagram.from(
    c,
    'The LSTM cell (LSTM 셀)',
    'Cell state (셀 상태) C runs along the top: C_t = f_t * C_(t-1) + i_t * C~_t. ' +
      'Forget gate (망각 게이트) f_t = sigmoid(W_f [h_(t-1), x_t] + b_f); input gate (입력 게이트) i_t = sigmoid(...); ' +
      'candidate C~_t = tanh(...); output gate (출력 게이트) o_t = sigmoid(...); hidden state (은닉 상태) h_t = o_t * tanh(C_t). ' +
      'Backpropagation (역전파) along the cell state is multiplied only by f_t per step.',
  );
}
