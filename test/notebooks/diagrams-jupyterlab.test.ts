/**
 * The teaching diagrams in JupyterLab, in the harder case: an executed notebook that JupyterLab did not run itself
 * (a handed-out copy, or build/notebooks/...), which it opens untrusted. Untrusted HTML is sanitized (inline <svg> is
 * dropped) and `image/svg+xml` is not rendered at all, so each diagram must come through its `text/html` <img>. The
 * notebook's outputs are the diagrams' real MIME bundles; no kernel runs. Screenshot in test-artifacts/.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  gruCellDiagram,
  lstmCellDiagram,
  rnnFormsDiagram,
  transferStrategiesDiagram,
  unrolledRnnDiagram,
} from '../../src/lessons/diagrams';
import { chromiumMissing, openBrowser, type OpenBrowser } from './chromium';
import { jupyter, startLab } from './jupyterlab-server';
import { ARTIFACTS_DIR, ROOT } from './tools';
import { setting } from '../../src/io/settings';

test('JupyterLab shows the diagrams of an untrusted executed notebook (text/html <img>), at full size', async (t) => {
  const missing = chromiumMissing();
  if (missing) return t.skip(`SKIPPED: ${missing}`);
  if (!fs.existsSync(jupyter()) && !setting('LESSONKIT_JUPYTER')) return t.skip(`SKIPPED: no jupyter at ${jupyter()}`);
  const diagrams = [
    unrolledRnnDiagram(),
    rnnFormsDiagram(),
    lstmCellDiagram(),
    gruCellDiagram(),
    transferStrategiesDiagram(),
  ];
  const lines = (s: string) => s.split(/(?<=\n)/);
  const nb = {
    cells: diagrams.map((d, i) => ({
      cell_type: 'code',
      execution_count: i + 1,
      id: `d${i}`,
      metadata: {},
      source: [`${d.name}()`],
      outputs: [
        {
          output_type: 'execute_result',
          execution_count: i + 1,
          metadata: {},
          data: Object.fromEntries(Object.entries(d.toMimeBundle()).map(([k, v]) => [k, lines(String(v))])),
        },
      ],
    })),
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.mkdirSync(path.join(ROOT, 'build'), { recursive: true });
  const rootDir = fs.mkdtempSync(path.join(ROOT, 'build', 'lab-diagrams-'));
  fs.writeFileSync(path.join(rootDir, 'diagrams.ipynb'), JSON.stringify(nb, null, 1));
  const lab = await startLab({ jupyter: jupyter(), rootDir }).catch((err: Error) => {
    fs.rmSync(rootDir, { recursive: true, force: true });
    throw err;
  });
  let browser: OpenBrowser | undefined;
  try {
    browser = await openBrowser({ allowOrigins: [lab.url], viewport: { width: 1300, height: 1200 } });
    const { page } = browser;
    page.setDefaultTimeout(90_000);
    await page.goto(`${lab.url}/lab/tree/diagrams.ipynb?token=${lab.token}&reset`, { waitUntil: 'domcontentloaded' });
    const images = page.locator('.jp-OutputArea-output img.lessonkit-diagram');
    await images.first().waitFor({ state: 'visible' });
    await page.waitForFunction(
      `document.querySelectorAll('.jp-OutputArea-output img.lessonkit-diagram').length === ${diagrams.length}`,
    );
    const sizes = await page.evaluate<{ w: number; h: number; mime: string | null }[]>(
      `[...document.querySelectorAll('.jp-OutputArea-output img.lessonkit-diagram')].map((i) => ({ w: i.naturalWidth, h: i.naturalHeight, mime: i.closest('.jp-OutputArea-output').getAttribute('data-mime-type') }))`,
    );
    assert.deepEqual(
      sizes,
      diagrams.map((d) => ({ w: d.width, h: d.height, mime: 'text/html' })),
      'every diagram loads from its text/html <img> at its natural size',
    );
    await images.nth(2).scrollIntoViewIfNeeded();
    const pageErrors = browser.pageErrors.filter((e) => !/^No active debugger session$/.test(e));
    assert.deepEqual(pageErrors, [], 'no script errors');
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- jupyter lab log ---\n${lab.log()}`);
  } finally {
    if (browser) {
      fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
      const shot = path.join(ARTIFACTS_DIR, 'jupyterlab-diagrams.png');
      await browser.page.screenshot({ path: shot }).catch(() => undefined);
      t.diagnostic(`screenshot: ${path.relative(ROOT, shot)}`);
      await browser.close();
    }
    await lab.stop();
    fs.rmSync(rootDir, { recursive: true, force: true });
  }
});
