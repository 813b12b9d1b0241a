/**
 * plotly.js goes into a document ONCE.
 *
 * A chart's `text/html` part draws itself with `window.Plotly`, waiting for it if needed. The first chart of a kernel
 * session (more exactly: the first figure rendered since `resetPlotlyDocument()`) also carries the library in a
 * `<script data-lessonkit-plotly="<version>">` tag; every later figure only refers to it. A figure that is re-rendered
 * (the live learning curve updating its output) keeps carrying the library, so the updated output still has it.
 *
 * A notebook can still lose the library: re-running the cell of the first chart replaces its output with a chart that
 * no longer carries it. `ensurePlotlyInDocument(html)` repairs any whole HTML document (the handout exporter calls
 * it): it keeps the first library tag, removes the others, and inserts one when charts need it and none is there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The attribute that marks the library's script tag. */
export const PLOTLY_LIBRARY_ATTRIBUTE = 'data-lessonkit-plotly';
/** The attribute that marks a chart's container (a chart needs the library). */
export const PLOTLY_CHART_ATTRIBUTE = 'data-lessonkit-plotly-chart';

const STATE_KEY = Symbol.for('lessonkit.plotlyDocument');

interface DocumentState {
  /** Key of the figure whose HTML carries the library, once one has. */
  embeddedBy?: string;
}

function state(): DocumentState {
  const g = globalThis as Record<symbol, DocumentState | undefined>;
  return (g[STATE_KEY] ??= {});
}

/** Forgets which figure carried the library (tests; a fresh document). */
export function resetPlotlyDocument(): void {
  state().embeddedBy = undefined;
}

/** Whether the figure with this key must carry the library: the first one to ask, and that same one again. */
export function claimPlotlyEmbedding(figureKey: string): boolean {
  const s = state();
  if (s.embeddedBy === undefined) s.embeddedBy = figureKey;
  return s.embeddedBy === figureKey;
}

/** The installed plotly.js file: `plotly.min.js` when the package ships it, else `plotly.js`. */
export function plotlyLibraryPath(): string {
  const pkg = require.resolve('plotly.js-dist/package.json');
  const dir = path.dirname(pkg);
  const min = path.join(dir, 'plotly.min.js');
  return fs.existsSync(min) ? min : path.join(dir, 'plotly.js');
}

export function plotlyVersion(): string {
  return (JSON.parse(fs.readFileSync(require.resolve('plotly.js-dist/package.json'), 'utf8')) as { version: string }).version;
}

let cachedTag: string | undefined;

/** The library as one `<script>` tag with the marker attribute (read from node_modules once per process). */
export function plotlyLibraryTag(): string {
  if (cachedTag === undefined) {
    // `</script` inside the code would end the tag early; `<\/script` means the same in JS strings and regexes.
    const source = fs.readFileSync(plotlyLibraryPath(), 'utf8').replace(/<\/script/gi, '<\\/script');
    cachedTag = `<script type="text/javascript" ${PLOTLY_LIBRARY_ATTRIBUTE}="${plotlyVersion()}">${source}</script>`;
  }
  return cachedTag;
}

const LIBRARY_TAG_RE = new RegExp(`<script\\b[^>]*\\b${PLOTLY_LIBRARY_ATTRIBUTE}\\b[^>]*>[\\s\\S]*?</script>`, 'gi');

/** How many library tags a document holds. */
export function countPlotlyLibraries(html: string): number {
  return (html.match(LIBRARY_TAG_RE) ?? []).length;
}

/**
 * Makes a whole HTML document carry plotly.js exactly once when it has charts: keeps the first library tag, removes
 * the rest; when there is none, inserts one at the end of `<head>` (or at the start, without a head). A document
 * without charts is returned with its library tags removed.
 */
export function ensurePlotlyInDocument(html: string): string {
  const hasCharts = html.includes(PLOTLY_CHART_ATTRIBUTE);
  let seen = 0;
  // Replace with a function so that `$` sequences in the library are not read as replacement patterns.
  const deduped = html.replace(LIBRARY_TAG_RE, (tag) => (hasCharts && seen++ === 0 ? tag : ''));
  if (!hasCharts || seen > 0) return deduped;
  const tag = plotlyLibraryTag();
  const headEnd = deduped.search(/<\/head>/i);
  return headEnd >= 0 ? deduped.slice(0, headEnd) + tag + deduped.slice(headEnd) : tag + deduped;
}
