/**
 * A small SVG builder for the lesson's teaching diagrams, and the Displayable they become.
 *
 * - Deterministic: the same calls give the same bytes (no random ids; marker ids derive from the diagram's name).
 * - Text is laid out by an estimated width (Hangul and CJK a full em, Latin about half), so that a diagram can check
 *   itself for overlapping labels (`overlappingLabels`) without a browser; the unit tests call it on every diagram.
 * - Labels take a tiny markup for subscripts: `h_{t-1}` draws "h" with "t-1" lowered and smaller.
 * - Connectors are drawn over a white halo, so a line that crosses another reads as passing over it.
 *
 * `SvgDiagram.toMimeBundle()` gives `image/svg+xml`, `text/html` (the same SVG as an <img>, scaled to the output's
 * width: JupyterLab prefers it, and keeps it in untrusted notebooks; the HTML handouts use it) and a `text/plain`
 * description for terminals and diffs.
 */
import type { MimeBundle } from '../../display';
import { escapeHtml } from '../../display';

/** Fonts that carry Hangul on Linux (Noto CJK), macOS and Windows, then any sans-serif. */
export const DIAGRAM_FONT =
  "'Noto Sans CJK KR','Noto Sans KR','Apple SD Gothic Neo','Malgun Gothic','DejaVu Sans',sans-serif";

/** The palette every diagram shares. */
export const COLORS = {
  ink: '#222222',
  muted: '#666666',
  input: '#dbeafe', // blue: inputs
  inputStroke: '#2563eb',
  state: '#dcfce7', // green: cells, hidden state
  stateStroke: '#15803d',
  output: '#ffedd5', // orange: outputs
  outputStroke: '#c2410c',
  gate: '#fef9c3', // yellow: gates
  gateStroke: '#a16207',
  frozen: '#e2e8f0', // gray-blue: frozen layers
  frozenStroke: '#475569',
  trained: '#fed7aa', // orange: trained layers
  trainedStroke: '#c2410c',
  cellLine: '#7c3aed', // violet: the LSTM cell state path
  backprop: '#dc2626', // red: gradients
  panel: '#fafafa',
} as const;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One piece of a label: plain, or a subscript. */
interface Run {
  text: string;
  sub: boolean;
}

/** Splits `h_{t-1}` into runs; `_x` (one character) also works. */
export function parseLabel(label: string): Run[] {
  const runs: Run[] = [];
  let plain = '';
  for (let i = 0; i < label.length; i++) {
    const ch = label[i];
    if (ch === '_' && i + 1 < label.length) {
      let sub: string;
      if (label[i + 1] === '{') {
        const end = label.indexOf('}', i + 2);
        if (end < 0) throw new Error(`parseLabel: unclosed "_{" in ${JSON.stringify(label)}`);
        sub = label.slice(i + 2, end);
        i = end;
      } else {
        sub = label[i + 1];
        i += 1;
      }
      if (plain) runs.push({ text: plain, sub: false });
      plain = '';
      runs.push({ text: sub, sub: true });
    } else {
      plain += ch;
    }
  }
  if (plain) runs.push({ text: plain, sub: false });
  return runs;
}

/** The label without its markup (`h_{t-1}` -> `ht-1`): what a reader sees, and what text/plain and tests search. */
export function plainLabel(label: string): string {
  return parseLabel(label)
    .map((r) => r.text)
    .join('');
}

const SUB_SCALE = 0.72;

/** Estimated advance of one character, in em. Deliberately generous, so estimated boxes contain the real glyphs. */
function charEm(ch: string): number {
  const c = ch.codePointAt(0) ?? 0;
  if (
    (c >= 0x1100 && c <= 0x11ff) ||
    (c >= 0x3000 && c <= 0x9fff) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xff00 && c <= 0xffef)
  )
    return 1.0;
  if (" .,:;'!|ilIjft()[]".includes(ch)) return 0.34;
  if ('mwMW@⊗⊕'.includes(ch)) return 0.9;
  if (ch >= 'A' && ch <= 'Z') return 0.68;
  if (c > 0x2000) return 1.0; // arrows, ellipsis, ⊙, math symbols: full width in the CJK fonts
  return 0.58;
}

/** Estimated width of a label (with its markup) at a font size, in pixels. */
export function labelWidth(label: string, fontSize: number): number {
  let w = 0;
  for (const run of parseLabel(label)) {
    const size = run.sub ? fontSize * SUB_SCALE : fontSize;
    for (const ch of run.text) w += charEm(ch) * size;
  }
  return w;
}

export interface TextStyle {
  /** Font size in px. Default: 14. */
  size?: number;
  /** Default: 'middle'. */
  anchor?: 'start' | 'middle' | 'end';
  weight?: 'normal' | 'bold';
  fill?: string;
  italic?: boolean;
}

export interface ShapeStyle {
  fill?: string;
  stroke?: string;
  strokeWidth?: number;
  dash?: string;
  /** Corner radius of rectangles. */
  rx?: number;
}

export interface LineStyle {
  stroke?: string;
  strokeWidth?: number;
  dash?: string;
  /** Arrowhead at the end. Default: true. */
  arrow?: boolean;
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/0+$/, '').replace(/\.$/, ''));

/** Builds one diagram. Coordinates are pixels of the diagram's natural size; it scales down to narrow outputs. */
export class SvgCanvas {
  private readonly parts: string[] = [];
  private readonly labels: { label: string; box: Box }[] = [];
  private readonly markerColors = new Set<string>();

  constructor(
    /** Used for marker ids and the root element's class: lowercase letters, digits and dashes. */
    readonly name: string,
    readonly width: number,
    readonly height: number,
  ) {
    if (!/^[a-z][a-z0-9-]*$/.test(name))
      throw new Error(`SvgCanvas: name must be lowercase letters, digits and dashes. Received ${JSON.stringify(name)}`);
  }

  private markerId(color: string): string {
    this.markerColors.add(color);
    return `lk-${this.name}-arrow-${color.replace(/[^a-z0-9]/gi, '')}`;
  }

  rect(x: number, y: number, width: number, height: number, style: ShapeStyle = {}): this {
    this.parts.push(
      `<rect x="${fmt(x)}" y="${fmt(y)}" width="${fmt(width)}" height="${fmt(height)}" rx="${fmt(style.rx ?? 6)}" ` +
        `fill="${style.fill ?? 'white'}" stroke="${style.stroke ?? COLORS.ink}" stroke-width="${fmt(style.strokeWidth ?? 1.5)}"` +
        `${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>`,
    );
    return this;
  }

  circle(cx: number, cy: number, r: number, style: ShapeStyle = {}): this {
    this.parts.push(
      `<circle cx="${fmt(cx)}" cy="${fmt(cy)}" r="${fmt(r)}" fill="${style.fill ?? 'white'}" stroke="${style.stroke ?? COLORS.ink}" stroke-width="${fmt(style.strokeWidth ?? 1.5)}"/>`,
    );
    return this;
  }

  /** A pointwise operation: a small circle with a symbol (⊗, ⊕, tanh, 1−), drawn with paths so no font is needed for ×/+. */
  op(cx: number, cy: number, kind: 'times' | 'plus', style: ShapeStyle = {}): this {
    const r = 11;
    this.circle(cx, cy, r, {
      fill: style.fill ?? 'white',
      stroke: style.stroke ?? COLORS.ink,
      strokeWidth: style.strokeWidth ?? 1.6,
    });
    const d = kind === 'plus' ? 6.5 : 4.6;
    const lines =
      kind === 'plus'
        ? [`M${fmt(cx - d)},${fmt(cy)}H${fmt(cx + d)}`, `M${fmt(cx)},${fmt(cy - d)}V${fmt(cy + d)}`]
        : [
            `M${fmt(cx - d)},${fmt(cy - d)}L${fmt(cx + d)},${fmt(cy + d)}`,
            `M${fmt(cx - d)},${fmt(cy + d)}L${fmt(cx + d)},${fmt(cy - d)}`,
          ];
    this.parts.push(
      `<path d="${lines.join('')}" stroke="${style.stroke ?? COLORS.ink}" stroke-width="2" fill="none"/>`,
    );
    return this;
  }

  /** A polyline through the points (or a path `d` string), with an arrowhead at the end unless `arrow: false`. */
  connector(points: [number, number][] | string, style: LineStyle = {}): this {
    const stroke = style.stroke ?? COLORS.ink;
    const width = style.strokeWidth ?? 1.8;
    const d =
      typeof points === 'string'
        ? points
        : points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${fmt(x)},${fmt(y)}`).join('');
    const marker = style.arrow === false ? '' : ` marker-end="url(#${this.markerId(stroke)})"`;
    const dash = style.dash ? ` stroke-dasharray="${style.dash}"` : '';
    this.parts.push(
      `<path d="${d}" fill="none" stroke="white" stroke-width="${fmt(width + 5)}" stroke-linejoin="round"/>` +
        `<path d="${d}" fill="none" stroke="${stroke}" stroke-width="${fmt(width)}" stroke-linejoin="round"${dash}${marker}/>`,
    );
    return this;
  }

  /**
   * A horizontal line at `y` from `xs[0]` to the last x, broken around the operators at the x's in between (a gap of
   * `gap` on each side, so an arrow ends at each operator's circle), e.g. a cell's state line through ⊗ and ⊕.
   */
  brokenLine(y: number, xs: readonly number[], style: LineStyle = {}, gap = 12): this {
    for (let i = 0; i + 1 < xs.length; i++) {
      const from = i === 0 ? xs[i] : xs[i] + gap;
      const to = i + 2 === xs.length ? xs[i + 1] : xs[i + 1] - gap;
      this.connector(
        [
          [from, y],
          [to, y],
        ],
        style,
      );
    }
    return this;
  }

  /** A junction dot where a line branches. */
  dot(cx: number, cy: number, color: string = COLORS.ink): this {
    this.parts.push(`<circle cx="${fmt(cx)}" cy="${fmt(cy)}" r="3.2" fill="${color}"/>`);
    return this;
  }

  /**
   * A one-line label whose baseline is at `y` (vertically centred on `y` when `centerY` is true). Returns the
   * label's estimated box, which is also recorded for `overlappingLabels`.
   */
  text(x: number, y: number, label: string, style: TextStyle & { centerY?: boolean } = {}): Box {
    const size = style.size ?? 14;
    const anchor = style.anchor ?? 'middle';
    const width = labelWidth(label, size);
    const baseline = style.centerY ? y + size * 0.35 : y;
    const left = anchor === 'start' ? x : anchor === 'end' ? x - width : x - width / 2;
    const box: Box = { x: left, y: baseline - size * 0.82, width, height: size * 1.12 };
    const runs = parseLabel(label);
    let body = '';
    let lowered = false;
    for (const run of runs) {
      if (run.sub && !lowered) {
        body += `<tspan dy="${fmt(size * 0.28)}" font-size="${fmt(size * SUB_SCALE)}">${escapeHtml(run.text)}</tspan>`;
        lowered = true;
      } else if (!run.sub && lowered) {
        body += `<tspan dy="${fmt(-size * 0.28)}">${escapeHtml(run.text)}</tspan>`;
        lowered = false;
      } else if (run.sub) {
        body += `<tspan font-size="${fmt(size * SUB_SCALE)}">${escapeHtml(run.text)}</tspan>`;
      } else {
        body += `<tspan>${escapeHtml(run.text)}</tspan>`;
      }
    }
    this.parts.push(
      `<text x="${fmt(x)}" y="${fmt(baseline)}" font-size="${fmt(size)}" text-anchor="${anchor}" fill="${style.fill ?? COLORS.ink}"` +
        `${style.weight === 'bold' ? ' font-weight="bold"' : ''}${style.italic ? ' font-style="italic"' : ''}>${body}</text>`,
    );
    this.labels.push({ label, box });
    return box;
  }

  /** Several lines centred on (x, y), one below the other. */
  lines(x: number, y: number, labels: readonly string[], style: TextStyle & { lineHeight?: number } = {}): Box[] {
    const size = style.size ?? 14;
    const step = style.lineHeight ?? size * 1.25;
    const top = y - (step * (labels.length - 1)) / 2;
    return labels.map((l, i) => this.text(x, top + i * step, l, { ...style, centerY: true }));
  }

  /** A box with one or more centred lines of text; the box grows to fit the widest line plus padding. */
  labelledBox(
    cx: number,
    cy: number,
    minWidth: number,
    height: number,
    labels: readonly string[],
    style: ShapeStyle & { size?: number; weight?: 'normal' | 'bold' } = {},
  ): Box {
    const size = style.size ?? 13;
    const width = Math.max(minWidth, ...labels.map((l) => labelWidth(l, size) + 12));
    const box = { x: cx - width / 2, y: cy - height / 2, width, height };
    this.rect(box.x, box.y, width, height, style);
    this.lines(cx, cy, labels, { size, weight: style.weight });
    return box;
  }

  /** Raw SVG (for shapes the builder lacks). */
  raw(fragment: string): this {
    this.parts.push(fragment);
    return this;
  }

  /** Every label drawn so far, with its estimated box. */
  labelBoxes(): readonly { label: string; box: Box }[] {
    return this.labels;
  }

  /** The SVG document. `title` and `description` become its <title> and <desc> (screen readers, tooltips). */
  toSvg(title: string, description: string): string {
    const markers = [...this.markerColors]
      .sort()
      .map(
        (color) =>
          `<marker id="lk-${this.name}-arrow-${color.replace(/[^a-z0-9]/gi, '')}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
          `<path d="M0,0L10,5L0,10z" fill="${color}"/></marker>`,
      )
      .join('');
    return (
      `<svg xmlns="http://www.w3.org/2000/svg" class="lessonkit-diagram lessonkit-diagram-${this.name}" width="${this.width}" height="${this.height}" ` +
      `viewBox="0 0 ${this.width} ${this.height}" role="img" font-family="${DIAGRAM_FONT.replace(/"/g, '&quot;')}">` +
      `<title>${escapeHtml(title)}</title><desc>${escapeHtml(description)}</desc>` +
      `<defs>${markers}</defs><rect x="0" y="0" width="${this.width}" height="${this.height}" fill="white"/>` +
      this.parts.join('') +
      `</svg>`
    );
  }
}

/** Pairs of labels whose estimated boxes intersect (by more than `tolerance` px in both directions). */
/** A gate of a recurrent cell diagram: its box centre x, symbol, name, Korean and English names, and colours. */
export interface GateBox {
  x: number;
  sym: string;
  name: string;
  ko: string;
  en: string;
  fill: string;
  stroke: string;
}

/** Draws each gate as a rounded box centred at (`gate.x`, `y`) with three lines of text; returns the row's top and bottom. */
export function gateBoxes(
  c: SvgCanvas,
  gates: readonly GateBox[],
  box: { y: number; height: number; width: number },
): { top: number; bottom: number } {
  for (const g of gates) {
    c.rect(g.x - box.width / 2, box.y - box.height / 2, box.width, box.height, {
      fill: g.fill,
      stroke: g.stroke,
      rx: 8,
    });
    c.lines(g.x, box.y, [`${g.sym}  ${g.name}`, g.ko, g.en], { size: 13, lineHeight: 19 });
  }
  return { top: box.y - box.height / 2, bottom: box.y + box.height / 2 };
}

export function overlappingLabels(labels: readonly { label: string; box: Box }[], tolerance = 0.5): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i].box;
      const b = labels[j].box;
      const dx = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const dy = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      if (dx > tolerance && dy > tolerance) out.push([labels[i].label, labels[j].label]);
    }
  }
  return out;
}

/** Labels whose estimated boxes leave the canvas. */
export function labelsOutside(labels: readonly { label: string; box: Box }[], width: number, height: number): string[] {
  return labels
    .filter(({ box }) => box.x < 0 || box.y < 0 || box.x + box.width > width || box.y + box.height > height)
    .map((l) => l.label);
}

/** A finished diagram: SVG markup plus what it shows, in words. */
export class SvgDiagram {
  constructor(
    /** The diagram's name (e.g. 'unrolled-rnn'). */
    readonly name: string,
    readonly svg: string,
    readonly width: number,
    readonly height: number,
    /** The text/plain part: a title line and what the picture says. */
    readonly description: string,
    /** The labels drawn, with their estimated boxes (for the overlap check). */
    readonly labels: readonly { label: string; box: Box }[],
  ) {}

  static from(canvas: SvgCanvas, title: string, description: string): SvgDiagram {
    return new SvgDiagram(
      canvas.name,
      canvas.toSvg(title, description),
      canvas.width,
      canvas.height,
      `${title}\n${description}`,
      canvas.labelBoxes().slice(),
    );
  }

  /**
   * The SVG as an <img> with a data: URI, scaled down to the output's width. Not inline <svg>: JupyterLab sanitizes
   * the HTML of untrusted notebooks (any notebook it did not execute itself) and drops <svg> elements, but keeps
   * <img src="data:...">; an image also keeps the diagrams' marker ids from clashing within one handout.
   */
  toHtml(): string {
    const src = `data:image/svg+xml;base64,${Buffer.from(this.svg, 'utf8').toString('base64')}`;
    const alt = escapeHtml(this.description.replace(/\n/g, ' '));
    return (
      `<div class="lessonkit-diagram-container" style="max-width:${this.width}px">` +
      `<img class="lessonkit-diagram" src="${src}" width="${this.width}" height="${this.height}" alt="${alt}" style="max-width:100%;height:auto"></div>`
    );
  }

  toMimeBundle(): MimeBundle {
    return { 'text/plain': this.description, 'image/svg+xml': this.svg, 'text/html': this.toHtml() };
  }
}
