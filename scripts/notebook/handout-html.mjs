// @ts-check
// Pure HTML post-processing for handouts. The notebook becomes HTML the one way the kit has (nbconvert's `lessonkit`
// template and LessonkitHtmlPreprocessor, python/lessonkit_nbconvert: plotly.js once, offline maths, fonts); a handout
// only adds a header with the title, the profile and backend used, and a table of contents, and is measured
// (`measureHandout`) so the build can print what its size is made of.

/** The script element that carries plotly.js in an exported document (python/lessonkit_nbconvert). */
const PLOTLY_LIBRARY = /<script\b[^>]*\bdata-lessonkit-plotly="[^"]*"[^>]*>[\s\S]*?<\/script>/gi;
/** The script element that carries MathJax: the template's MathJax script, pointed at a data: URL by the export. */
const MATHJAX_LIBRARY =
  /<script\b[^>]*\bsrc="data:text\/javascript[^"]*lessonkit-mathjax[^"]*"[^>]*>[\s\S]*?<\/script>/gi;
/** lessonkit charts mark their container with this attribute (src/viz/plotly-document.ts). */
const CHART_CONTAINER = /<div\b[^>]*\bdata-lessonkit-plotly-chart="1"/gi;
/** Embedded images: outputs, markdown images (`--embed-images`), and the icons in the template's CSS. */
const DATA_IMAGE = /data:image\/[a-z+.-]+;base64,[A-Za-z0-9+/=]+/gi;
/** Requests a page would make to the network: script, link and image sources that are not inline. */
const EXTERNAL_SOURCE = /<(?:script|img|link|iframe)\b[^>]*\b(?:src|href)\s*=\s*["'](https?:)?\/\/[^"']*["']/gi;

/** @type {Record<string, string>} */
const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** @type {Record<string, string>} */
const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", nbsp: ' ', para: '', '#182': '' };

/**
 * @param {unknown} text
 * @returns {string}
 */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/**
 * Plain text of an HTML fragment (tags dropped, common entities decoded, whitespace collapsed).
 * @param {string} fragment
 * @returns {string}
 */
export function htmlText(fragment) {
  return fragment
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|#x27|nbsp|para|#182);/g, (_, /** @type {string} */ e) => ENTITIES[e])
    .replace(/¶/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Bytes of all `matches`. @param {readonly string[] | null} matches */
const sum = (matches) => (matches ?? []).reduce((n, m) => n + Buffer.byteLength(m), 0);

/**
 * What an exported document is made of, in bytes: `{ bytes, plotly, mathjax, images, rest, charts,
 * plotlyLibraries, mathjaxLibraries, external }`. `external` lists the network sources it would load (a handout has
 * none).
 * @param {string} html
 */
export function measureHandout(html) {
  const plotlyTags = html.match(PLOTLY_LIBRARY) ?? [];
  const mathjaxTags = html.match(MATHJAX_LIBRARY) ?? [];
  const bytes = Buffer.byteLength(html);
  const plotly = sum(plotlyTags);
  const mathjax = sum(mathjaxTags);
  const images = sum(html.match(DATA_IMAGE));
  return {
    bytes,
    plotly,
    mathjax,
    images,
    rest: bytes - plotly - mathjax - images,
    charts: (html.match(CHART_CONTAINER) ?? []).length,
    plotlyLibraries: plotlyTags.length,
    mathjaxLibraries: mathjaxTags.length,
    external: html.match(EXTERNAL_SOURCE) ?? [],
  };
}

/**
 * One line for the build log: `2.41 MB (plotly.js 1.96 MB, MathJax 0.00 MB, images 0.02 MB, page 0.43 MB)`.
 * @param {{ bytes: number, plotly: number, mathjax: number, images: number, rest: number }} m
 */
export function formatHandoutSize(m) {
  const mb = (/** @type {number} */ n) => `${(n / 1e6).toFixed(2)} MB`;
  return `${mb(m.bytes)} (plotly.js ${mb(m.plotly)}, MathJax ${mb(m.mathjax)}, images ${mb(m.images)}, page ${mb(m.rest)})`;
}

/**
 * Headings (h1-h3) in document order: `{ level, id, text }`.
 * @param {string} html
 * @returns {{ level: number, id: string | undefined, text: string }[]}
 */
export function headingsOf(html) {
  /** @type {{ level: number, id: string | undefined, text: string }[]} */
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
  background: #f6f8fa; font-family: var(--lessonkit-font-sans, system-ui, -apple-system, "Segoe UI", "Noto Sans CJK KR",
  "Apple SD Gothic Neo", "Malgun Gothic", sans-serif); max-width: 1100px; }
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
 * Turns the exported HTML into a handout: a header with title, run information and a table of contents. Scripts,
 * styles and outputs are left as the export made them. Returns `{ html, ...measureHandout(html) }`.
 * @param {string} html
 * @param {HandoutInfo} info
 */
export function finishHandout(html, info) {
  let doc = html;
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
  ]
    .filter(Boolean)
    .join(' · ');
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
    const titleHeading = /** @type {{ html: string, index: number }} */ (firstH1(doc)); // the h1 found above
    const at = titleHeading.index + titleHeading.html.length;
    doc = `${doc.slice(0, at)}\n${header}${doc.slice(at)}`;
  } else {
    doc = insertOnce(doc, /<main>/i, `<main>\n${header}`, '<main>');
  }
  return { html: doc, ...measureHandout(doc) };
}

/**
 * The first h1 element: its text as HTML and where it starts.
 * @param {string} html
 * @returns {{ html: string, index: number } | undefined}
 */
function firstH1(html) {
  const m = /<h1\b[^>]*>[\s\S]*?<\/h1>/i.exec(html);
  return m ? { html: m[0], index: m.index } : undefined;
}

/**
 * @param {string} html
 * @param {RegExp} pattern
 * @param {string} replacement
 * @param {string} what how the error names the anchor
 */
function insertOnce(html, pattern, replacement, what) {
  if (!pattern.test(html))
    throw new Error(`nbconvert's HTML has no ${what}; expected the lessonkit (lab) template's layout`);
  return html.replace(pattern, () => replacement);
}
