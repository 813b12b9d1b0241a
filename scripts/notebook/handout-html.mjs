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
.lessonkit-handout-header details.lessonkit-engine { margin: -.4em 0 .8em; color: #444; font-size: .92em; }
.lessonkit-handout-header details.lessonkit-engine summary { cursor: pointer; }
.lessonkit-handout-header nav ul { margin: .3em 0 0; padding-left: 0; list-style: none; columns: 2; }
.lessonkit-handout-header nav li.level-3 { margin-left: 1.4em; }
@media print { .lessonkit-handout-header nav ul { columns: 1; } }
</style>`;

/**
 * Options for `finishHandout`.
 * @typedef {object} HandoutInfo
 * @property {string} title        document title (shown as the header's h1 and in <title>).
 * @property {string} profile      lesson profile the notebook ran with.
 * @property {string} engine       backend description printed by the run (e.g. `tensorflow backend (TF 2.21.0, cpu) ...`);
 *                                 the header shows its short form (`shortEngine`) and the whole text collapsed.
 * @property {string} [executedAt] when it ran (ISO text). Default: not shown.
 * @property {string} [source]     the notebook file, as shown to the reader. Default: not shown.
 */

/**
 * The engine in a few words, from `describeEngine`'s line (`tensorflow backend (TF 2.21.0, cpu) via
 * @tensorflow/tfjs-node; <why this package>; <oneDNN verdict and why>`): `tensorflow backend (TF 2.21.0, cpu),
 * oneDNN off`. A line of another shape is returned up to its first `;`.
 * @param {string} engine
 */
export function shortEngine(engine) {
  const first = engine
    .split(';')[0]
    .replace(/\s+via\s+\S+\s*$/, '')
    .trim();
  const onednn = /\boneDNN (on|off)\b/i.exec(engine);
  return onednn ? `${first}, oneDNN ${onednn[1].toLowerCase()}` : first;
}

/**
 * Turns the exported HTML into a handout: a header with title, run information and a table of contents. Scripts,
 * styles and outputs are left as the export made them. Returns `{ html, ...measureHandout(html) }`.
 * @param {string} html
 * @param {HandoutInfo} info
 */
export function finishHandout(html, info) {
  let doc = html;
  doc = doc.replace(/<title>[\s\S]*?<\/title>/i, `<title>${escapeHtml(info.title)}</title>`);
  // A notebook that opens with an h1 has its own title (the lessons' "# 2. Transfer learning ...", which may differ
  // from metadata.title): the header follows that heading, and the contents list leaves it out.
  const all = headingsOf(doc);
  const ownTitle = all.length > 0 && all[0].level === 1 && firstH1(doc) !== undefined;
  const headings = ownTitle ? all.slice(1) : all;
  const toc = headings
    .filter((h) => h.id && h.level >= 1 && h.level <= 3)
    // No list numbers of our own: the lessons number their sections in the headings ("2. The data"), and an
    // ordered list printed a second, different number before each ("1. 2. The data").
    .map((h) => `<li class="level-${h.level}"><a href="#${escapeHtml(h.id)}">${escapeHtml(h.text)}</a></li>`)
    .join('\n');
  const short = shortEngine(info.engine);
  const run = [
    `Profile <code>${escapeHtml(info.profile)}</code>`,
    `engine <code>${escapeHtml(short)}</code>`,
    info.executedAt ? `executed ${escapeHtml(info.executedAt)}` : '',
    info.source ? `from <code>${escapeHtml(info.source)}</code>` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const header =
    '<header class="lessonkit-handout-header">\n' +
    (ownTitle ? '' : `<h1>${escapeHtml(info.title)}</h1>\n`) +
    `<p class="lessonkit-run">${run}</p>\n` +
    (short !== info.engine
      ? `<details class="lessonkit-engine"><summary>About the engine</summary><p>${escapeHtml(info.engine)}</p></details>\n`
      : '') +
    (toc ? `<nav aria-label="Contents"><strong>Contents</strong>\n<ul>\n${toc}\n</ul></nav>\n` : '') +
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

/** Text that is plumbing, not lesson: the runner's injected cell and its run line (the header shows the run). */
const PLUMBING = [/Injected by scripts\/lessons\.mjs/, /\blessonkit run: profile\b/];

/**
 * What keeps a handout from reading like a lesson, as sentences (empty: none found): plumbing text in the page (the
 * injected parameters cell, its run line), the engine's long explanation shown more than once outside the header's
 * collapsed <details>, an image grid followed by a table of captions (one per image), and a contents list with
 * numbers of its own. `engine` is the run's engine line (`describeEngine`), when known.
 * @param {string} html the finished handout
 * @param {{ engine?: string }} [run]
 * @returns {string[]}
 */
export function handoutProblems(html, run = {}) {
  /** @type {string[]} */
  const problems = [];
  const body = html.replace(/<script\b[\s\S]*?<\/script>/gi, '').replace(/<style\b[\s\S]*?<\/style>/gi, '');
  const text = htmlText(body.replace(/<[^>]*>/g, (tag) => `${tag} `)); // elements apart stay words apart
  for (const re of PLUMBING) {
    const m = re.exec(text);
    if (m) problems.push(`plumbing text in the page: "${m[0]}"`);
  }
  if (run.engine && run.engine !== shortEngine(run.engine)) {
    // The long line once, inside the header's collapsed details; never in a visible output before the lesson starts.
    const times = text.split(htmlText(escapeHtml(run.engine))).length - 1;
    if (times > 1) problems.push(`the engine's long explanation appears ${times} times (at most once, collapsed)`);
  }
  const captionTables = (body.match(/class="lessonkit-grid-captions"/g) ?? []).length;
  if (captionTables) problems.push(`${captionTables} image grid(s) followed by a table of captions`);
  const header = /<header class="lessonkit-handout-header">[\s\S]*?<\/header>/.exec(body)?.[0] ?? '';
  if (/<nav\b[\s\S]*<ol\b/.test(header))
    problems.push('the contents list numbers its entries (the headings carry numbers)');
  return problems;
}
