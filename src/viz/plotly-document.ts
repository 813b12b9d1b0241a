/**
 * plotly.js goes into an HTML document ONCE, and never into a notebook.
 *
 * A chart output carries its figure (`application/vnd.plotly.v1+json`, which JupyterLab draws with its own plotly.js)
 * and a small `text/html` fallback that draws the figure with the page's `window.Plotly` (waiting for it while the
 * page unpacks it). The library itself is added when a notebook becomes HTML: the nbconvert preprocessor
 * `lessonkit_nbconvert.LessonkitHtmlPreprocessor` (python/lessonkit_nbconvert), which `npm run setup` installs as the
 * default of `jupyter nbconvert --to html`, regenerates every chart's `text/html` from its figure and puts the
 * minified library (`plotly.js-dist-min`, compressed) into the first chart output, in a
 * `<script data-lessonkit-plotly="<version>">` element. Re-run or cleared chart cells therefore do not matter.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The attribute that marks the library's script element in an exported document. */
export const PLOTLY_LIBRARY_ATTRIBUTE = 'data-lessonkit-plotly';
/** The attribute that marks a chart's container (a chart needs the library). */
export const PLOTLY_CHART_ATTRIBUTE = 'data-lessonkit-plotly-chart';

/** The plotly.js bundle exports inline: `plotly.js-dist-min`'s `plotly.min.js`. */
export function plotlyLibraryPath(): string {
  return path.join(path.dirname(require.resolve('plotly.js-dist-min/package.json')), 'plotly.min.js');
}

/** The version of that bundle (the charts are built for it). */
export function plotlyVersion(): string {
  return (
    JSON.parse(fs.readFileSync(require.resolve('plotly.js-dist-min/package.json'), 'utf8')) as { version: string }
  ).version;
}

const LIBRARY_TAG_RE = new RegExp(`<script\\b[^>]*\\b${PLOTLY_LIBRARY_ATTRIBUTE}=`, 'gi');

/** How many library script elements a document (or an output's HTML) holds. */
export function countPlotlyLibraries(html: string): number {
  return (html.match(LIBRARY_TAG_RE) ?? []).length;
}
