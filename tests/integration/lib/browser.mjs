// Headless Debian chromium (/usr/bin/chromium, from scripts/install-deps.sh) driven by puppeteer-core,
// which downloads no browser of its own. RESOUND_CHROMIUM names another executable.
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const suiteDir = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(suiteDir, 'node_modules', 'puppeteer-core', 'package.json'))) {
  throw new Error(`puppeteer-core is not installed: run \`npm ci\` in ${suiteDir} and re-run the tests.`);
}
const puppeteer = createRequire(join(suiteDir, 'package.json'))('puppeteer-core');

export const CHROMIUM = process.env.RESOUND_CHROMIUM || '/usr/bin/chromium';

/** A headless browser; the caller closes it. */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (scripts/install-deps.sh) or set RESOUND_CHROMIUM`);
  }
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // --no-sandbox: tests run as root in CI; the pages are our own, served on loopback.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--hide-scrollbars'],
    defaultViewport: { width: 1280, height: 860, deviceScaleFactor: 1 },
  });
}

/**
 * Saves a PNG of `page` as <RESOUND_SCREENSHOT_DIR>/<name>.png (set by CTest to the build
 * directory's screenshots/); without the variable nothing is written. Returns the path or null.
 */
export async function screenshot(page, name) {
  const dir = process.env.RESOUND_SCREENSHOT_DIR;
  if (!dir) return null;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
