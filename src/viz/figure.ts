/**
 * A Plotly figure that displays itself: `application/vnd.plotly.v1+json` (JupyterLab's plotly renderer), a small
 * `text/html` fallback that draws the figure with the page's plotly.js (see plotly-document.ts: the library is added
 * once per document by the HTML export, never carried by an output), and a `text/plain` summary for terminals and
 * diffs. Before plotly.js arrives, and where scripts do not run, the fallback shows the summary.
 */
import * as crypto from 'node:crypto';
import type { MimeBundle } from '../display';
import { escapeHtml } from '../display';
import { PLOTLY_CHART_ATTRIBUTE } from './plotly-document';

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/**
 * Fonts for chart text: Plotly's default faces, then Korean (CJK) fallbacks, so Hangul in titles and class names
 * does not render as empty boxes.
 */
export const CHART_FONT_FAMILY =
  '"Open Sans", verdana, arial, "Noto Sans CJK KR", "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", "Nanum Gothic", sans-serif';

/** What the fallback says when plotly.js never arrives. */
export const PLOTLY_MISSING_MESSAGE =
  'This chart needs plotly.js in the page. Open the notebook in JupyterLab, or export it with ' +
  '`jupyter nbconvert --to html` in the lessonkit environment, which includes plotly.js once.';

/** One Plotly trace (`{type: 'scatter', x, y, ...}`); kept loose because Plotly has hundreds of attributes. */
export type PlotlyTrace = Record<string, unknown> & { type?: string };
export type PlotlyLayout = Record<string, unknown>;

export interface PlotlyFigureOptions {
  /** Height of the chart in pixels. Default: 420. */
  height?: number;
}

/** JSON that is safe inside a `<script>` element (no `</script>`, no `<!--`, no line separators). */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export class PlotlyFigure {
  readonly height: number;

  constructor(
    readonly data: PlotlyTrace[],
    readonly layout: PlotlyLayout,
    /** The `text/plain` summary. */
    readonly summary: string,
    options: PlotlyFigureOptions = {},
  ) {
    this.height = options.height ?? 420;
  }

  /** The plotly JSON: `{data, layout}`. */
  toJSON(): { data: PlotlyTrace[]; layout: PlotlyLayout } {
    return { data: this.data, layout: { height: this.height, font: { family: CHART_FONT_FAMILY }, ...this.layout } };
  }

  /** The HTML fallback: a container showing the summary, and a script that draws the figure with `window.Plotly`. */
  toHtml(): string {
    const id = `lessonkit-plot-${crypto.randomBytes(6).toString('hex')}`;
    const spec = scriptSafeJson({ ...this.toJSON(), config: { responsive: true, displaylogo: false } });
    // Waits for the page's plotly.js: `window.lessonkitPlotly` (a promise, while an export unpacks the library) or
    // `window.Plotly`; after about 10 s without either it says what is missing.
    const draw =
      `(function(){var spec=${spec};var el=document.getElementById(${JSON.stringify(id)});var tries=0;` +
      `function draw(P){el.textContent='';P.newPlot(el,spec.data,spec.layout,spec.config);}` +
      `function missing(){el.textContent=${JSON.stringify(PLOTLY_MISSING_MESSAGE)};}` +
      `(function wait(){var p=window.lessonkitPlotly;if(p&&p.then){p.then(draw,missing);return;}` +
      `if(window.Plotly){draw(window.Plotly);return;}if(++tries>200){missing();return;}setTimeout(wait,50);})();})();`;
    return (
      `<div id="${id}" class="lessonkit-plotly" ${PLOTLY_CHART_ATTRIBUTE}="1" style="width:100%;height:${this.height}px">` +
      `${escapeHtml(this.summary)}</div><script type="text/javascript">${draw}</script>`
    );
  }

  toMimeBundle(): MimeBundle {
    return { 'text/plain': this.summary, [PLOTLY_MIME]: this.toJSON(), 'text/html': this.toHtml() };
  }
}
