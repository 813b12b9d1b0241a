/**
 * Headless Chromium for the browser tests: Debian's /usr/bin/chromium (LESSONKIT_CHROMIUM overrides) driven by
 * playwright-core, with a fresh profile folder, background networking off, and (by default) the network off.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { setting } from '../../src/io/settings';

export const CHROMIUM_PATH = setting('LESSONKIT_CHROMIUM') ?? '/usr/bin/chromium';

/** The switches every test browser runs with: no sandbox or GPU, no first-run page, no background traffic. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why the browser tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return fs.existsSync(CHROMIUM_PATH)
    ? undefined
    : `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set LESSONKIT_CHROMIUM)`;
}

export interface BrowserOptions {
  /** Allow requests only to these origins (e.g. a loopback JupyterLab); everything else is aborted. Default: only file:. */
  allowOrigins?: string[];
  /** Viewport size. Default: 1280x900. */
  viewport?: { width: number; height: number };
}

export interface OpenBrowser {
  context: BrowserContext;
  page: Page;
  /** URLs the page tried to fetch and was refused (the network is off). */
  refused: string[];
  /** Uncaught errors raised by the page's scripts. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openBrowser(options: BrowserOptions = {}): Promise<OpenBrowser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'lessonkit-chromium-'));
  const allowed = options.allowOrigins ?? [];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    offline: allowed.length === 0,
    viewport: options.viewport ?? { width: 1280, height: 900 },
    args: CHROMIUM_FLAGS,
    timeout: 60_000,
  });
  const refused: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    const ok = url.startsWith('file:') || url.startsWith('data:') || allowed.some((o) => url.startsWith(o));
    if (ok) return route.continue();
    refused.push(url);
    return route.abort('internetdisconnected');
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return {
    context,
    page,
    refused,
    pageErrors,
    async close() {
      await context.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
