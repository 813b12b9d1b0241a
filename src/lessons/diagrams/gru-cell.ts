/**
 * The GRU cell with its two gates: one state h (은닉 상태) runs along the top; the update gate z (업데이트 게이트)
 * keeps z of the old state and takes 1 - z of the candidate; the reset gate r (리셋 게이트) decides how much of
 * h_{t-1} goes into the candidate. No cell state, no output gate. This is the "reset before" GRU that tfjs
 * implements (see models/rnn.ts).
 */
import { COLORS, gateBoxes, SvgCanvas, SvgDiagram } from './svg';

export function gruCellDiagram(): SvgDiagram {
  const W = 960;
  const H = 480;
  const c = new SvgCanvas('gru-cell', W, H);
  c.text(W / 2, 26, 'GRU 셀과 게이트  ·  the GRU cell and its gates', { size: 16, weight: 'bold' });
  c.rect(100, 56, 780, 340, { fill: '#f8fafc', stroke: '#94a3b8', rx: 16 });

  const hy = 100;
  const zMulX = 700;
  const addX = 840;
  const rMulX = 450;
  // The state line.
  c.brokenLine(hy, [60, zMulX, addX, 910], { stroke: COLORS.stateStroke, strokeWidth: 3 });
  c.text(56, hy + 5, 'h_{t-1}', { size: 15, anchor: 'end' });
  c.text(914, hy + 5, 'h_t', { size: 15, anchor: 'start' });
  c.text(300, hy - 12, '은닉 상태 hidden state', { size: 13, fill: COLORS.stateStroke, weight: 'bold' });
  c.op(zMulX, hy, 'times', { stroke: COLORS.stateStroke });
  c.op(addX, hy, 'plus', { stroke: COLORS.stateStroke });
  c.text(770, hy - 12, 'z_t ⊙ h_{t-1}', { size: 12, fill: COLORS.muted });

  // Gates.
  const gy = 272;
  const gh = 68;
  const gates = [
    {
      x: 200,
      sym: 'σ',
      name: 'z_t',
      ko: '업데이트 게이트',
      en: 'update gate',
      fill: COLORS.gate,
      stroke: COLORS.gateStroke,
    },
    {
      x: 340,
      sym: 'σ',
      name: 'r_t',
      ko: '리셋 게이트',
      en: 'reset gate',
      fill: COLORS.gate,
      stroke: COLORS.gateStroke,
    },
    {
      x: 600,
      sym: 'tanh',
      name: 'h̃_t',
      ko: '후보 값',
      en: 'candidate',
      fill: COLORS.state,
      stroke: COLORS.stateStroke,
    },
  ];
  const { top: gTop, bottom: gBottom } = gateBoxes(c, gates, { y: gy, height: gh, width: 116 });

  // Reset: r_t * h_{t-1} into the candidate.
  c.dot(rMulX, hy, COLORS.stateStroke);
  c.connector(
    [
      [rMulX, hy + 2],
      [rMulX, gy - 13],
    ],
    { stroke: COLORS.stateStroke },
  );
  c.op(rMulX, gy, 'times');
  c.connector(
    [
      [398, gy],
      [rMulX - 13, gy],
    ],
    { stroke: COLORS.gateStroke },
  );
  c.connector(
    [
      [rMulX + 12, gy],
      [600 - 60, gy],
    ],
    { stroke: COLORS.ink },
  );
  c.text(494, gy - 14, 'r_t ⊙ h_{t-1}', { size: 12, fill: COLORS.muted });

  // Update: z_t times the old state; 1 - z_t times the candidate.
  const zy = 168;
  c.connector(
    [
      [200, gTop - 1],
      [200, zy],
      [zMulX, zy],
      [zMulX, hy + 13],
    ],
    { stroke: COLORS.gateStroke },
  );
  c.text(210, zy - 10, 'z_t', { size: 13, anchor: 'start', fill: COLORS.gateStroke });
  c.dot(zMulX, zy, COLORS.gateStroke);
  const oneY = 210;
  c.connector(
    [
      [zMulX, zy],
      [zMulX, oneY],
      [760 - 16, oneY],
    ],
    { stroke: COLORS.gateStroke },
  );
  c.circle(760, oneY, 15, { fill: COLORS.gate, stroke: COLORS.gateStroke });
  c.text(760, oneY, '1−', { size: 13, centerY: true });
  c.op(addX, oneY, 'times');
  c.connector(
    [
      [775, oneY],
      [addX - 13, oneY],
    ],
    { stroke: COLORS.gateStroke },
  );
  c.connector(
    [
      [658, gy],
      [addX, gy],
      [addX, oneY + 13],
    ],
    { stroke: COLORS.stateStroke },
  );
  c.text(750, gy - 10, 'h̃_t', { size: 13, fill: COLORS.stateStroke });
  c.connector(
    [
      [addX, oneY - 12],
      [addX, hy + 13],
    ],
    { stroke: COLORS.ink },
  );
  c.text(addX + 14, 160, '(1−z_t) ⊙ h̃_t', { size: 12, anchor: 'start', fill: COLORS.muted });

  // Inputs: h_{t-1} drops to the bus with x_t; the candidate gets x_t alone (and r_t ⊙ h_{t-1} from the left).
  const busY = 350;
  c.dot(120, hy, COLORS.stateStroke);
  c.connector(
    [
      [120, hy + 2],
      [120, busY],
      [340, busY],
    ],
    { stroke: COLORS.ink, arrow: false, strokeWidth: 2 },
  );
  c.connector(
    [
      [160, 440],
      [160, busY],
    ],
    { stroke: COLORS.inputStroke, arrow: false, strokeWidth: 2 },
  );
  c.dot(160, busY);
  c.text(160, 458, 'x_t', { size: 15, centerY: true });
  for (const g of gates.slice(0, 2))
    c.connector(
      [
        [g.x, busY],
        [g.x, gBottom + 2],
      ],
      { stroke: COLORS.ink },
    );
  c.text(230, busY + 20, '[h_{t-1}, x_t]', { size: 12, fill: COLORS.muted });
  c.dot(160, 385, COLORS.inputStroke);
  c.connector(
    [
      [160, 385],
      [600, 385],
      [600, gBottom + 2],
    ],
    { stroke: COLORS.inputStroke },
  );
  c.text(420, 378, 'x_t', { size: 12, fill: COLORS.inputStroke });

  c.text(
    200,
    430,
    '⊗ 원소별 곱 element-wise product · ⊕ 합 sum · σ sigmoid (0~1) · 셀 상태와 출력 게이트가 없다 (no cell state, no output gate)',
    { size: 12, anchor: 'start', fill: COLORS.muted },
  );
  c.text(
    200,
    472,
    'z_t = 1: 예전 상태 유지 (keep the old state) · z_t = 0: 새 후보 값으로 교체 (take the new candidate)',
    { size: 12, anchor: 'start', fill: COLORS.gateStroke },
  );

  return SvgDiagram.from(
    c,
    'The GRU cell (GRU 셀)',
    'One state, the hidden state (은닉 상태) h. Update gate (업데이트 게이트) z_t = sigmoid(W_z [h_(t-1), x_t]); ' +
      'reset gate (리셋 게이트) r_t = sigmoid(W_r [h_(t-1), x_t]); candidate h~_t = tanh(W [r_t * h_(t-1), x_t]); ' +
      'h_t = z_t * h_(t-1) + (1 - z_t) * h~_t. No cell state and no output gate.',
  );
}
