// Pure HTML post-processing for handouts exported by nbconvert's `lab` template:
// - plotly.js goes into the document exactly once (inline copies that charts carried are cut out, CDN or file
//   references are dropped, and the library is inlined once in <head> before any chart script runs);
// - require.js (a CDN script the template adds and the handouts never use) is removed;
// - the template's CDN MathJax 2 (script + config) is replaced by MathJax 3's self-contained SVG build, inlined once,
//   when the document has math, so equations render offline;
// - a header with the title, the profile and backend used, and a table of contents goes at the top.

/** The comment that starts every plotly.js bundle (plotly.js-dist and plotly.min.js alike). */
const PLOTLY_BANNER = /\/\*\*\s*\n\s*\*\s*plotly\.js v[0-9][^\n]*\n/;
/** How a plotly.js bundle ends (esbuild UMD wrapper of plotly.js 2.x-4.x). */
const PLOTLY_END = /window\.Plotly\s*=\s*Plotly;\s*return\s+Plotly;\s*\}\)\);?/;

/** lessonkit charts mark their container with this attribute (src/viz/plotly-document.ts). */
const CHART_ATTRIBUTE = 'data-lessonkit-plotly-chart';

const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi;

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** Plain text of an HTML fragment (tags dropped, common entities decoded, whitespace collapsed). */
export function htmlText(fragment) {
  return fragment
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|#x27|nbsp|para|#182);/g, (_, e) =>
      ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", nbsp: ' ', para: '', '#182': '' })[e])
    .replace(/¶/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Cuts every inline plotly.js bundle out of one script's text. Returns the remaining text and how many were cut. */
export function cutPlotlyBundles(js) {
  let rest = js;
  let cut = 0;
  for (;;) {
    const start = PLOTLY_BANNER.exec(rest);
    if (!start) break;
    const tail = rest.slice(start.index);
    const end = PLOTLY_END.exec(tail);
    if (!end) throw new Error('An inline plotly.js bundle has no recognisable end (window.Plotly = Plotly; ...); cannot de-duplicate it');
    rest = rest.slice(0, start.index) + tail.slice(end.index + end[0].length);
    cut += 1;
  }
  return { js: rest, cut };
}

/**
 * Removes every copy or reference of plotly.js and require.js from the document's scripts.
 * Returns `{ html, removed, usesPlotly }`: `usesPlotly` is true when a script (or a removed copy) needs `Plotly`.
 */
export function stripPlotlyCopies(html) {
  let removed = 0;
  let usesPlotly = false;
  const out = html.replace(SCRIPT, (whole, attrs, body) => {
    const src = /\bsrc\s*=\s*["']([^"']*)["']/i.exec(attrs)?.[1];
    if (src !== undefined) {
      if (/plotly[^/]*\.js/i.test(src)) {
        removed += 1;
        usesPlotly = true;
        return '';
      }
      return /require(\.min)?\.js/i.test(src) ? '' : whole;
    }
    const { js, cut } = cutPlotlyBundles(body);
    removed += cut;
    if (cut > 0 || /\bPlotly\s*\.\s*(newPlot|react|plot)\b/.test(js)) usesPlotly = true;
    if (cut > 0 && /data-lessonkit-plotly=/.test(attrs) && js.trim() === '') return '';
    if (cut === 0) return whole;
    return js.trim() === '' ? '' : `<script${attrs}>${js}</script>`;
  });
  if (out.includes(CHART_ATTRIBUTE)) usesPlotly = true;
  return { html: out, removed, usesPlotly };
}

/** A script element that defines `window.Plotly` from the library's text; `</script` inside it is escaped. */
export function plotlyScriptTag(plotlyJs) {
  return `<script>\n${plotlyJs.replace(/<\/script/gi, '<\\/script')}\n</script>`;
}

/**
 * Removes the template's MathJax (the CDN script and its `text/x-mathjax-config` block). Returns `{ html, hasMath }`:
 * `hasMath` is true when the text has TeX delimiters ($...$, $$...$$, \(...\), \[...\]) outside scripts.
 */
export function stripMathJax(html) {
  const out = html.replace(SCRIPT, (whole, attrs, body) => {
    const src = /\bsrc\s*=\s*["']([^"']*)["']/i.exec(attrs)?.[1];
    if (src !== undefined && /mathjax/i.test(src)) return '';
    if (/text\/x-mathjax-config/i.test(attrs) || /MathJax\.Hub\.Config/.test(body)) return '';
    return whole;
  });
  // Code (cells' sources, `inline code`) is not typeset, and template literals like `${x}` are not math.
  const text = out.replace(/<(script|style|pre|code)\b[\s\S]*?<\/\1>/gi, '');
  const hasMath = /\$\$[\s\S]+?\$\$|\$[^$\n]+\$|\\\([\s\S]+?\\\)|\\\[[\s\S]+?\\\]/.test(text);
  return { html: out, hasMath };
}

/** MathJax 3 configured like the notebook front ends ($...$ inline, $$...$$ display), then the library itself. */
export function mathJaxScriptTags(mathJaxJs) {
  const config = {
    tex: { inlineMath: [['$', '$'], ['\\(', '\\)']], displayMath: [['$$', '$$'], ['\\[', '\\]']], processEscapes: true },
    svg: { fontCache: 'global' },
    options: { skipHtmlTags: ['script', 'noscript', 'style', 'textarea', 'pre', 'code'] },
  };
  return `<script>window.MathJax = ${JSON.stringify(config)};</script>\n<script>\n${mathJaxJs.replace(/<\/script/gi, '<\\/script')}\n</script>`;
}

/** Headings (h1-h3) in document order: `{ level, id, text }`. */
export function headingsOf(html) {
  const found = [];
  const re = /<h([1-3])\b([^>]*)>([\s\S]*?)<\/h\1>/gi;
  let m;
  while ((m = re.exec(html))) {
    const id = /\bid\s*=\s*"([^"]*)"/i.exec(m[2])?.[1];
    const text = htmlText(m[3]);
    if (text) found.push({ level: Number(m[1]), id, text });
  }
  return found;
}

const HEADER_STYLE = `
<style>
.lessonkit-handout-header { margin: 1.5em auto 2em; padding: 1em 1.5em; border: 1px solid #d0d7de; border-radius: 6px;
  background: #f6f8fa; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px; }
.lessonkit-handout-header h1 { margin: 0 0 .3em; font-size: 1.8em; }
.lessonkit-handout-header .lessonkit-run { margin: 0 0 .8em; color: #444; }
.lessonkit-handout-header .lessonkit-run code { background: #e8ecf0; padding: 0 .3em; border-radius: 3px; }
.lessonkit-handout-header nav ol { margin: .3em 0 0; padding-left: 1.4em; columns: 2; }
.lessonkit-handout-header nav li.level-3 { margin-left: 1.2em; list-style: circle; }
@media print { .lessonkit-handout-header nav ol { columns: 1; } }
</style>`;

/**
 * Options for `finishHandout`.
 * @typedef {object} HandoutInfo
 * @property {string} title        document title (shown as the header's h1 and in <title>).
 * @property {string} profile      lesson profile the notebook ran with.
 * @property {string} engine       backend description printed by the run (e.g. `tensorflow backend (TF 2.21.0, cpu) ...`).
 * @property {string} [executedAt] when it ran (ISO text). Default: not shown.
 * @property {string} [source]     the notebook file, as shown to the reader. Default: not shown.
 */

/**
 * Turns nbconvert's HTML into a handout: plotly.js once in <head>, header with title, run info and table of contents.
 * `plotlyTag()` returns the library's <script> element; it is called only when the document has charts.
 * `mathJaxTags()` returns MathJax's config and library scripts; it is called only when the document has math.
 */
export function finishHandout(html, info, plotlyTag, mathJaxTags) {
  const stripped = stripPlotlyCopies(html);
  const math = stripMathJax(stripped.html);
  let doc = math.html;
  if (stripped.usesPlotly) {
    doc = insertOnce(doc, /<\/head>/i, `${plotlyTag()}\n</head>`, '</head>');
  }
  if (math.hasMath && mathJaxTags) {
    doc = insertOnce(doc, /<\/head>/i, `${mathJaxTags()}\n</head>`, '</head>');
  }
  doc = doc.replace(/<title>[\s\S]*?<\/title>/i, `<title>${escapeHtml(info.title)}</title>`);
  const headings = headingsOf(doc).filter((h, i) => !(i === 0 && h.level === 1 && h.text === info.title));
  const toc = headings
    .filter((h) => h.id && h.level >= 1 && h.level <= 3)
    .map((h) => `<li class="level-${h.level}"><a href="#${escapeHtml(h.id)}">${escapeHtml(h.text)}</a></li>`)
    .join('\n');
  const run = [
    `Profile <code>${escapeHtml(info.profile)}</code>`,
    `backend <code>${escapeHtml(info.engine)}</code>`,
    info.executedAt ? `executed ${escapeHtml(info.executedAt)}` : '',
    info.source ? `from <code>${escapeHtml(info.source)}</code>` : '',
  ].filter(Boolean).join(' · ');
  // When the notebook opens with the title as its own h1, the header follows that heading instead of repeating it.
  const first = firstH1(doc);
  const ownTitle = first !== undefined && htmlText(first.html) === info.title;
  const header =
    '<header class="lessonkit-handout-header">\n' +
    (ownTitle ? '' : `<h1>${escapeHtml(info.title)}</h1>\n`) +
    `<p class="lessonkit-run">${run}</p>\n` +
    (toc ? `<nav aria-label="Contents"><strong>Contents</strong>\n<ol>\n${toc}\n</ol></nav>\n` : '') +
    '</header>';
  doc = insertOnce(doc, /<\/head>/i, `${HEADER_STYLE}\n</head>`, '</head>');
  if (ownTitle) {
    const titleHeading = firstH1(doc);
    const at = titleHeading.index + titleHeading.html.length;
    doc = `${doc.slice(0, at)}\n${header}${doc.slice(at)}`;
  } else {
    doc = insertOnce(doc, /<main>/i, `<main>\n${header}`, '<main>');
  }
  return { html: doc, plotlyCopiesRemoved: stripped.removed, charts: stripped.usesPlotly, math: math.hasMath };
}

/** The first h1 element: its text as HTML and where it starts. */
function firstH1(html) {
  const m = /<h1\b[^>]*>[\s\S]*?<\/h1>/i.exec(html);
  return m ? { html: m[0], index: m.index } : undefined;
}

function insertOnce(html, pattern, replacement, what) {
  if (!pattern.test(html)) throw new Error(`nbconvert's HTML has no ${what}; expected the lab template's layout`);
  return html.replace(pattern, () => replacement);
}
