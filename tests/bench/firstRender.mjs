// The UI's first render, for plexdl-bench: opens the Downloads screen of a running
// `plexdl demo` in Debian's headless Chromium at phone size, `runs` times, each in a fresh
// browser context (no cache, no cookie), and prints one line of JSON with the time from
// the start of the navigation to the first download row in the page (performance.now() in
// the page, taken by a MutationObserver the moment the row is inserted), in milliseconds.
//
// Usage: node tests/bench/firstRender.mjs URL RUNS
// It uses the UI tests' playwright-core (npm ci in tests/ui) and CHROMIUM or /usr/bin/chromium.

import { createRequire } from 'node:module';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(resolve(here, '../ui/package.json'));
const { chromium } = require('playwright-core');

const [url, runsText] = process.argv.slice(2);
const runs = Number.parseInt(runsText || '5', 10);
if (!url || !(runs > 0)) {
  console.error('usage: node firstRender.mjs URL RUNS');
  process.exit(2);
}

// Recorded in the page before any of its scripts run.
const observe = () => {
  const seen = () => {
    if (window.__firstRow === undefined && document.querySelector('li.download')) {
      window.__firstRow = performance.now();
    }
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true });
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
const times = [];
try {
  for (let run = 0; run < runs; run++) {
    const context = await browser.newContext({ viewport: { width: 412, height: 915 } });
    const page = await context.newPage();
    await page.addInitScript(observe);
    await page.goto(`${url}/#/downloads`);
    await page.waitForSelector('li.download', { timeout: 15000 });
    await page.waitForFunction(() => window.__firstRow !== undefined);
    times.push(await page.evaluate(() => window.__firstRow));
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify({ firstRowMillis: times }));
