/**
 * The RNN folded (one cell with a loop) and unrolled over three time steps t-1, t, t+1, as in the original lesson's
 * table: each step takes x(t) and h(t-1) and gives o(t) and h(t); the same W(x), W(h), b at every step. A dashed red
 * arrow runs back along the chain: backpropagation through time (역전파), one tanh′·W(h) factor per step.
 */
import { COLORS, SvgCanvas, SvgDiagram } from './svg';

export function unrolledRnnDiagram(): SvgDiagram {
  const W = 940;
  const H = 380;
  const c = new SvgCanvas('unrolled-rnn', W, H);
  const cellY = 150;
  const cellH = 64;
  const cellW = 112;
  const midY = cellY + cellH / 2;

  c.text(W / 2, 26, 'RNN 구조: 접힌 모양(왼쪽)과 시간축으로 펼친 모양(오른쪽)  ·  folded and unrolled in time', {
    size: 16,
    weight: 'bold',
  });

  // Folded: one cell with a loop.
  const fx = 40;
  c.rect(fx, cellY, cellW, cellH, { fill: COLORS.state, stroke: COLORS.stateStroke, rx: 10 });
  c.lines(fx + cellW / 2, midY, ['RNN 셀 cell', 'tanh'], { size: 14 });
  c.connector(
    [
      [fx + cellW / 2, 300],
      [fx + cellW / 2, cellY + cellH + 2],
    ],
    { stroke: COLORS.inputStroke },
  );
  c.text(fx + cellW / 2, 318, 'x_t', { size: 15, centerY: true });
  c.text(fx + cellW / 2 + 10, 270, 'W(x)', { size: 12, anchor: 'start', fill: COLORS.inputStroke });
  c.connector(
    [
      [fx + cellW / 2, cellY - 2],
      [fx + cellW / 2, 82],
    ],
    { stroke: COLORS.outputStroke },
  );
  c.text(fx + cellW / 2, 68, 'o_t', { size: 15, centerY: true });
  // The loop: out of the right side, around, back into the right side lower down.
  const rx = fx + cellW;
  c.connector(
    `M${rx},${cellY + 18}C${rx + 44},${cellY + 6} ${rx + 44},${cellY + cellH - 6} ${rx + 3},${cellY + cellH - 18}`,
    { stroke: COLORS.stateStroke },
  );
  c.text(rx + 40, cellY - 10, 'W(h)', { size: 12, anchor: 'start', fill: COLORS.stateStroke });
  c.text(rx + 40, midY, 'h', { size: 15, anchor: 'start', centerY: true });

  // "unroll" arrow.
  const ux = 216;
  c.connector(
    [
      [ux, midY],
      [ux + 56, midY],
    ],
    { stroke: COLORS.muted, strokeWidth: 3 },
  );
  c.text(ux + 28, midY - 16, '펼치기', { size: 12, fill: COLORS.muted });
  c.text(ux + 28, midY + 26, 'unroll', { size: 12, fill: COLORS.muted });

  // Unrolled: three steps.
  const steps = ['t-1', 't', 't+1'];
  const hIn = ['h_{t-2}', 'h_{t-1}', 'h_t'];
  const x0 = 350;
  const gap = 84;
  c.text(x0 - 60, midY + 5, '…', { size: 18, fill: COLORS.muted });
  for (let i = 0; i < steps.length; i++) {
    const x = x0 + i * (cellW + gap);
    const cx = x + cellW / 2;
    c.rect(x, cellY, cellW, cellH, { fill: COLORS.state, stroke: COLORS.stateStroke, rx: 10 });
    c.lines(cx, midY, [`${steps[i]} 시점`, 'tanh'], { size: 14 });
    // h from the previous step.
    c.connector(
      [
        [x - gap + (i === 0 ? 40 : 0), midY],
        [x - 2, midY],
      ],
      { stroke: COLORS.stateStroke },
    );
    c.text(x - (i === 0 ? 25 : gap / 2), midY - 12, hIn[i], { size: 14 });
    // x below, o above.
    c.connector(
      [
        [cx, 300],
        [cx, cellY + cellH + 2],
      ],
      { stroke: COLORS.inputStroke },
    );
    c.text(cx, 318, `x_{${steps[i]}}`, { size: 15, centerY: true });
    c.connector(
      [
        [cx, cellY - 2],
        [cx, 82],
      ],
      { stroke: COLORS.outputStroke },
    );
    c.text(cx, 68, `o_{${steps[i]}}`, { size: 15, centerY: true });
  }
  const last = x0 + 2 * (cellW + gap) + cellW;
  c.connector(
    [
      [last + 2, midY],
      [last + 60, midY],
    ],
    { stroke: COLORS.stateStroke },
  );
  c.text(last + 30, midY - 12, 'h_{t+1}', { size: 14 });
  c.text(last + 76, midY + 5, '…', { size: 18, fill: COLORS.muted });
  c.text(x0 + cellW / 2 + 10, 270, 'W(x)', { size: 12, anchor: 'start', fill: COLORS.inputStroke });
  c.text(x0 + cellW + 6, midY + 22, 'W(h)', { size: 12, anchor: 'start', fill: COLORS.stateStroke });

  // Backpropagation through time.
  const by = 340;
  c.connector(
    [
      [last + 40, by],
      [x0 - 20, by],
    ],
    { stroke: COLORS.backprop, dash: '7 5', strokeWidth: 2 },
  );
  c.text(W - 20, by + 30, '역전파 backpropagation through time: 한 시점마다 × tanh′ · W(h)  (per step)', {
    size: 13,
    anchor: 'end',
    fill: COLORS.backprop,
  });

  // Legend.
  c.text(20, 370, 'x 입력 input · h 은닉 상태 hidden state · o 출력 output', {
    size: 12,
    anchor: 'start',
    fill: COLORS.muted,
  });
  c.text(W / 2, 48, '모든 시점이 같은 W(x), W(h), b를 공유한다  ·  the same weights at every step', {
    size: 13,
    fill: COLORS.muted,
  });

  return SvgDiagram.from(
    c,
    'The RNN unrolled in time (순환 신경망을 시간축으로 펼친 모양)',
    'Each step t takes the input x(t) and the previous hidden state (은닉 상태) h(t-1) and computes ' +
      'h(t) = tanh(W(x)·x(t) + W(h)·h(t-1) + b) and the output o(t); the same W(x), W(h), b at every step. ' +
      'Backpropagation (역전파) runs back along the chain, multiplying by tanh′ and W(h) once per step.',
  );
}
