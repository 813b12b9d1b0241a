/**
 * A Plotly figure that displays itself: `application/vnd.plotly.v1+json` (JupyterLab's plotly renderer),
 * `text/html` (offline HTML handouts; see plotly-document.ts for how the library gets in once), and a `text/plain`
 * summary for terminals and diffs.
 */
import * as crypto from 'node:crypto';
import type { MimeBundle } from '../display';
import { claimPlotlyEmbedding, plotlyLibraryTag, PLOTLY_CHART_ATTRIBUTE } from './plotly-document';

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/** One Plotly trace (`{type: 'scatter', x, y, ...}`); kept loose because Plotly has hundreds of attributes. */
export type PlotlyTrace = Record<string, unknown> & { type?: string };
export type PlotlyLayout = Record<string, unknown>;

export interface PlotlyFigureOptions {
  /** Height of the HTML container in pixels. Default: 420. */
  height?: number;
  /** Identity for the one-library-per-document rule; a re-rendered figure keeps it. Default: a random key. */
  documentKey?: string;
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
  readonly documentKey: string;
  readonly height: number;

  constructor(
    readonly data: PlotlyTrace[],
    readonly layout: PlotlyLayout,
    /** The `text/plain` summary. */
    readonly summary: string,
    options: PlotlyFigureOptions = {},
  ) {
    this.documentKey = options.documentKey ?? crypto.randomUUID();
    this.height = options.height ?? 420;
  }

  /** The plotly JSON: `{data, layout}`. */
  toJSON(): { data: PlotlyTrace[]; layout: PlotlyLayout } {
    return { data: this.data, layout: { height: this.height, ...this.layout } };
  }

  /** The HTML part; carries the library when this is the document's first figure. */
  toHtml(): string {
    const id = `lessonkit-plot-${crypto.randomBytes(6).toString('hex')}`;
    const spec = scriptSafeJson({ ...this.toJSON(), config: { responsive: true, displaylogo: false } });
    const library = claimPlotlyEmbedding(this.documentKey) ? plotlyLibraryTag() : '';
    const draw =
      `(function(){var spec=${spec};var el=document.getElementById(${JSON.stringify(id)});var tries=0;` +
      `function draw(){if(window.Plotly){window.Plotly.newPlot(el,spec.data,spec.layout,spec.config);return;}` +
      `if(++tries>400){el.textContent='plotly.js is not loaded in this document (run ensurePlotlyInDocument on it).';return;}` +
      `setTimeout(draw,25);}draw();})();`;
    return (
      `${library}<div id="${id}" class="lessonkit-plotly" ${PLOTLY_CHART_ATTRIBUTE}="1" style="width:100%;height:${this.height}px"></div>` +
      `<script type="text/javascript">${draw}</script>`
    );
  }

  toMimeBundle(): MimeBundle {
    return { 'text/plain': this.summary, [PLOTLY_MIME]: this.toJSON(), 'text/html': this.toHtml() };
  }
}
