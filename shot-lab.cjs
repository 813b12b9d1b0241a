// usage: node shot-lab.cjs <executed notebook> <out.png>
const path = require('path'); const fs = require('fs');
const { startLab, jupyter } = require('./dist/test/notebooks/jupyterlab-server.js');
const { openBrowser } = require('./dist/test/notebooks/chromium.js');
(async () => {
  const [nb, out] = process.argv.slice(2);
  const rootDir = fs.mkdtempSync(path.join(__dirname, 'build', 'lab-shot-'));
  fs.copyFileSync(nb, path.join(rootDir, path.basename(nb)));
  const lab = await startLab({ jupyter: jupyter(), rootDir });
  const b = await openBrowser({ allowOrigins: [lab.url], viewport: { width: 1400, height: 1000 } });
  try {
    await b.page.goto(`${lab.url}/lab/tree/${path.basename(nb)}?token=${lab.token}&reset`, { waitUntil: 'domcontentloaded' });
    await b.page.locator('.jp-NotebookPanel-toolbar .jp-Toolbar-kernelName').waitFor({ state: 'visible', timeout: 60000 });
    await new Promise((r) => setTimeout(r, 8000));
    const target = process.argv[4];
    if (target) await b.page.evaluate((t) => { const h = [...document.querySelectorAll('.jp-Notebook h2, .jp-Notebook h1')].find((e) => e.textContent.includes(t)); if (h) h.scrollIntoView(); }, target);
    await new Promise((r) => setTimeout(r, 3000));
    await b.page.screenshot({ path: out });
  } finally { await b.close(); await lab.stop(); fs.rmSync(rootDir, { recursive: true, force: true }); }
})().catch((e) => { console.error(e); process.exit(1); });
