/**
 * The teaching diagrams in headless Chromium (network off). Their SVG, inline so that Chromium can measure it: with
 * the fonts really installed, no two labels overlap (the glyph boxes Chromium measures), every label stays inside the
 * picture, and the library's width estimate is never narrower than the real text. Their `text/html` (what JupyterLab
 * and the handouts show, an <img> of the SVG): it loads at full size and scales down to a narrow output. Screenshots
 * of the `text/html` go to test-artifacts/diagrams/. Skips without Chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromiumMissing, openBrowser } from '../notebooks/chromium';
import { ARTIFACTS_DIR } from '../notebooks/tools';
import {
  gruCellDiagram,
  lstmCellDiagram,
  rnnFormsDiagram,
  transferStrategiesDiagram,
  unrolledRnnDiagram,
  type SvgDiagram,
} from '../../src/lessons/diagrams';

interface Measured {
  name: string;
  texts: { text: string; x: number; y: number; width: number; height: number }[];
  width: number;
  height: number;
}

test('diagrams in Chromium: no overlapping labels, all inside, estimate >= real width, scaled to narrow outputs', async (t) => {
  const missing = chromiumMissing();
  if (missing) return t.skip(`SKIPPED: ${missing}`);
  const diagrams: SvgDiagram[] = [
    unrolledRnnDiagram(),
    rnnFormsDiagram(),
    lstmCellDiagram(),
    gruCellDiagram(),
    transferStrategiesDiagram(),
  ];
  const dir = path.join(ARTIFACTS_DIR, 'diagrams');
  fs.mkdirSync(dir, { recursive: true });
  const page = path.join(dir, 'diagrams.html');
  fs.writeFileSync(
    page,
    `<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:8px">` +
      diagrams.map((d) => `<div id="inline-${d.name}" style="width:980px">${d.svg}</div>`).join('') +
      diagrams.map((d) => `<div id="wide-${d.name}" style="width:980px">${d.toHtml()}</div>`).join('') +
      diagrams.map((d) => `<div id="narrow-${d.name}" style="width:600px">${d.toHtml()}</div>`).join('') +
      `</body></html>`,
  );
  const browser = await openBrowser({ viewport: { width: 1000, height: 900 } });
  try {
    await browser.page.goto(pathToFileURL(page).href, { waitUntil: 'load' });
    await browser.page.evaluate('document.fonts.ready');
    const measured = await browser.page.evaluate<Measured[]>(`
      [...document.querySelectorAll('div[id^="inline-"] svg')].map((svg) => ({
        name: svg.getAttribute('class').split(' ').pop().replace('lessonkit-diagram-', ''),
        width: Number(svg.getAttribute('width')),
        height: Number(svg.getAttribute('height')),
        texts: [...svg.querySelectorAll('text')].map((el) => { const b = el.getBBox(); return { text: el.textContent, x: b.x, y: b.y, width: b.width, height: b.height }; }),
      }))`);
    assert.equal(measured.length, diagrams.length);
    for (const m of measured) {
      const d = diagrams.find((x) => x.name === m.name)!;
      assert.equal(m.texts.length, d.labels.length, `${m.name}: every label rendered`);
      for (let i = 0; i < m.texts.length; i++) {
        const a = m.texts[i];
        assert.ok(a.width > 0, `${m.name}: "${a.text}" has glyphs`);
        assert.ok(
          a.x >= -0.5 && a.y >= -0.5 && a.x + a.width <= m.width + 0.5 && a.y + a.height <= m.height + 0.5,
          `${m.name}: "${a.text}" inside the picture (${JSON.stringify(a)})`,
        );
        assert.ok(
          d.labels[i].box.width >= a.width - 1,
          `${m.name}: estimated width ${d.labels[i].box.width.toFixed(1)} of "${a.text}" covers the rendered ${a.width.toFixed(1)}`,
        );
        for (let j = i + 1; j < m.texts.length; j++) {
          const b = m.texts[j];
          // getBBox spans the font's whole ascent and descent (about 1.45 em for Noto CJK), so the boxes of stacked lines
          // 1.25 em apart share 2-3 px with no glyph touching; more than 4 px is a real overlap.
          const dx = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
          const dy = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
          assert.ok(
            !(dx > 1 && dy > 4),
            `${m.name}: "${a.text}" and "${b.text}" overlap (${dx.toFixed(1)} x ${dy.toFixed(1)} px)`,
          );
        }
      }
    }
    const images = await browser.page.evaluate<{ w: number; h: number; shown: number }[]>(
      `[...document.querySelectorAll('div[id^="wide-"] img')].map((i) => ({ w: i.naturalWidth, h: i.naturalHeight, shown: i.getBoundingClientRect().width }))`,
    );
    assert.deepEqual(
      images,
      diagrams.map((d) => ({ w: d.width, h: d.height, shown: d.width })),
      'each text/html image loads at its natural size',
    );
    const narrow = await browser.page.evaluate<{ w: number; ratio: number }[]>(
      `[...document.querySelectorAll('div[id^="narrow-"] img')].map((i) => { const r = i.getBoundingClientRect(); return { w: r.width, ratio: r.width / r.height }; })`,
    );
    narrow.forEach((n, i) => {
      assert.ok(n.w <= 600.5 && n.w > 590, `${diagrams[i].name} scales to a 600 px output (${n.w})`);
      assert.ok(
        Math.abs(n.ratio - diagrams[i].width / diagrams[i].height) < 0.02,
        `${diagrams[i].name} keeps its aspect ratio`,
      );
    });
    for (const d of diagrams) {
      await (await browser.page.$(`#wide-${d.name}`))!.screenshot({ path: path.join(dir, `${d.name}.png`) });
    }
    t.diagnostic(`screenshots in ${path.relative(process.cwd(), dir)}`);
    assert.deepEqual(browser.refused, [], 'nothing fetched from the network');
    assert.deepEqual(browser.pageErrors, []);
  } finally {
    await browser.close();
  }
});
