/**
 * What the browser tests look at in an exported notebook or handout: the charts plotly drew, whether Hangul renders
 * with real glyphs (not the empty boxes of a missing font), maths typeset by MathJax, and whether a chart's legend
 * covers an axis title. Browser-side code is passed as text: this project compiles without the DOM library.
 */
import type { Page } from 'playwright-core';

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

export interface RenderedChart {
  /** The plot holds plotly's SVG. */
  svg: boolean;
  /** Trace groups drawn (scatter, bar and heatmap traces). */
  traces: number;
}

/** Waits until `count` plotly charts have drawn, then describes each, in document order. */
export async function renderedCharts(page: Page, count: number, timeoutMs = 60_000): Promise<RenderedChart[]> {
  await page.waitForFunction(`document.querySelectorAll('.js-plotly-plot .main-svg').length >= ${count}`, undefined, {
    timeout: timeoutMs,
  });
  return page.evaluate<RenderedChart[]>(`
    [...document.querySelectorAll('.js-plotly-plot')].map((plot) => ({
      svg: plot.querySelector('svg.main-svg') !== null,
      traces: plot.querySelectorAll('svg.main-svg g.trace, svg.main-svg g.hm').length,
    }))`);
}

/** Chart containers that show text instead of a plot (the "plotly.js is missing" message, or the summary). */
export async function undrawnCharts(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`
    [...document.querySelectorAll('[data-lessonkit-plotly-chart]')]
      .filter((el) => !el.classList.contains('js-plotly-plot'))
      .map((el) => el.textContent.slice(0, 200))`);
}

export interface GlyphCheck {
  /** The text that was drawn. */
  text: string;
  /** The font stack of the element it came from. */
  fontFamily: string;
  /** The text drawn differs from the same number of characters that no font has (so it is not empty boxes). */
  distinctFromTofu: boolean;
  /** The characters that no font has, compared with themselves (a self-check: must be false). */
  tofuDistinctFromTofu: boolean;
}

/**
 * Draws the first Hangul word of the page (in the font stack of the element that holds it) on a canvas, and the same
 * number of characters from Unicode's last private-use plane (which no installed font covers, so they render as the
 * missing-glyph box), and compares the pixels. Returns undefined when the page has no Hangul.
 */
export async function hangulGlyphs(page: Page): Promise<GlyphCheck | undefined> {
  return page.evaluate<GlyphCheck | undefined>(`(() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let node, word;
    while ((node = walker.nextNode())) {
      if (node.parentElement.closest('script, style')) continue;
      const m = /[\\uAC00-\\uD7A3]+/.exec(node.textContent);
      if (m) { word = m[0]; break; }
    }
    if (!word) return undefined;
    const fontFamily = getComputedStyle(node.parentElement).fontFamily;
    const draw = (text) => {
      const c = document.createElement('canvas');
      c.width = 40 * text.length + 20; c.height = 60;
      const g = c.getContext('2d');
      g.fillStyle = '#fff'; g.fillRect(0, 0, c.width, c.height);
      g.fillStyle = '#000'; g.font = '32px ' + fontFamily; g.textBaseline = 'middle';
      g.fillText(text, 10, 30);
      return c.toDataURL();
    };
    const tofu = String.fromCodePoint(0x10fffd).repeat([...word].length);
    return {
      text: word,
      fontFamily,
      distinctFromTofu: draw(word) !== draw(tofu),
      tofuDistinctFromTofu: draw(tofu) !== draw(String.fromCodePoint(0x10fffc).repeat([...word].length)),
    };
  })()`);
}

/** How many formulas MathJax typeset (its SVG output), after waiting for at least `min`. */
export async function typesetMath(page: Page, min: number, timeoutMs = 60_000): Promise<number> {
  await page.waitForFunction(`document.querySelectorAll('mjx-container svg').length >= ${min}`, undefined, {
    timeout: timeoutMs,
  });
  return page.evaluate<number>(`document.querySelectorAll('mjx-container svg').length`);
}

/** Math delimiters left as text outside code (maths that was not typeset). */
export async function untypesetMath(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const found = [];
    const walker = document.createTreeWalker(document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      if (node.parentElement.closest('script, style, pre, code, mjx-container, .js-plotly-plot')) continue;
      const m = /\\$\\$[^$]+\\$\\$|\\$[^$\\s][^$\\n]*[^$\\s\\\\]\\$(?!\\d)|\\\\\\([\\s\\S]+?\\\\\\)/.exec(node.textContent);
      if (m) found.push(m[0].slice(0, 80));
    }
    return found;
  })()`);
}

export interface Overlap {
  chart: number;
  legend: string;
  title: string;
}

/** Legends whose box intersects an axis title's (or the chart title's) box, per chart (index in document order). */
export async function legendAxisTitleOverlaps(page: Page): Promise<Overlap[]> {
  return page.evaluate<Overlap[]>(`(() => {
    const out = [];
    const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    [...document.querySelectorAll('.js-plotly-plot')].forEach((plot, chart) => {
      const legend = plot.querySelector('g.legend');
      if (!legend) return;
      const box = legend.getBoundingClientRect();
      // Axis titles (g-xtitle, g-x2title, g-ytitle, ...) and the chart title (g-gtitle); not the legend's own title.
      for (const title of plot.querySelectorAll('g[class$="title"] > text')) {
        if (legend.contains(title)) continue;
        const t = title.getBoundingClientRect();
        if (t.width > 0 && hit(box, t)) out.push({ chart, legend: legend.textContent.slice(0, 60), title: title.textContent });
      }
    });
    return out;
  })()`);
}
