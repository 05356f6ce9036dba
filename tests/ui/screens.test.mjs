// Screenshots of every screen at the phone size (Pixel 7a, 412 x 915) and both tablet
// orientations (Galaxy Tab S7, 800 x 1280 and 1280 x 800), plus the phone in dark mode.
// Each size gets a fresh app, so the sign-in screen shows its PIN. The pictures go to
// tests/output/screenshots/<size>/; the checks here make sure each screen really shows its
// content before the picture is taken, and that nothing is wider than the screen.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, launchBrowser, viewports, shot } from './harness.mjs';
import { signIn, openSection, openItem, openDialog, queue, openDownloads, waitForStatus } from './flows.mjs';

// The server is busy converting for others, so the download dialog shows its warning, and
// the 480p download stops with the busy-server failure (the default policy asks first).
const scenario = {
  pinLinkAfterPolls: 3,
  busy: true,
  refuseTranscodes: true,
  faults: [{ path: '/library/parts/', method: 'GET', fault: { kind: 'throttle', bytesPerSecond: 1500000 } }],
};

const sizes = [
  ['phone', viewports.phone, 'light'],
  ['phone-dark', viewports.phone, 'dark'],
  ['tablet-portrait', viewports.tabletPortrait, 'light'],
  ['tablet-landscape', viewports.tabletLandscape, 'light'],
];

/** Fails when the page scrolls sideways (something is wider than the screen). */
async function fitsWidth(page, name) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${name}: ${overflow} px wider than the screen`);
}

/** Fails when a visible button or link is smaller than 48 px high. */
async function touchTargets(page, name) {
  const small = await page.evaluate(() => [...document.querySelectorAll('button, a.button, a.tab, a.row, input[type=radio], input[type=checkbox]')]
    .filter((el) => el.offsetParent !== null)
    .map((el) => {
      const target = el.matches('input') ? el.closest('label') : el;
      const box = target.getBoundingClientRect();
      return { text: (target.textContent || '').trim().slice(0, 30), height: box.height };
    })
    .filter((box) => box.height < 47.5));
  assert.deepEqual(small, [], `${name}: touch targets under 48 px`);
}

for (const [size, viewport, colorScheme] of sizes) {
  test(`every screen at ${size}`, async () => {
    const app = await startApp(scenario);
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ viewport, colorScheme, hasTouch: true });
      const page = await context.newPage();
      const capture = async (name) => {
        await page.waitForTimeout(300);
        await fitsWidth(page, name);
        await touchTargets(page, name);
        await shot(page, size, name);
      };
      await signIn(page, app.url, () => capture('01-sign-in'));
      await page.locator('a.row', { hasText: 'Reachable' }).waitFor();
      await capture('02-servers');
      await page.locator('a.row').first().click();
      await page.getByRole('link', { name: /Movies/ }).waitFor();
      await capture('03-libraries');
      await openSection(page, 'Movies');
      await page.locator('ul.grid img').first().waitFor();
      await page.waitForFunction(() => [...document.querySelectorAll('ul.grid img')].every((img) => img.complete && img.naturalWidth > 0));
      await capture('04-library-items');
      await page.locator('a.tile', { hasText: 'Big Buck Bunny' }).click();
      await page.locator('.item-detail h2', { hasText: 'Big Buck Bunny' }).waitFor();
      await capture('05-movie-detail');
      const dialog = await openDialog(page);
      await dialog.getByRole('note').filter({ hasText: 'converting' }).waitFor();
      await capture('06-download-dialog');
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      await queue(page, 'original');
      await openItem(page, 'Movies', 'Sintel');
      await queue(page, '480p');
      await openItem(page, 'TV shows', 'Game of Thrones');
      const season = page.locator('li.child', { hasText: 'Season 1' }).first();
      await season.getByRole('button', { name: 'Episodes' }).click();
      await season.locator('li.child').nth(2).waitFor();
      await capture('07-show-detail');
      await queue(page, 'original', 'Season 1');
      await openDownloads(page);
      await waitForStatus(page, 'Sintel', 'failed');
      await page.locator('li.download[data-status="transferring"]').first().waitFor({ timeout: 60000 });
      await capture('08-downloads');
      await waitForStatus(page, 'Big Buck Bunny', 'completed');
      await page.getByRole('link', { name: 'Settings' }).click();
      await page.getByText('Download only on Wi-Fi').waitFor();
      await capture('09-settings');
      await page.getByRole('link', { name: 'Diagnostics' }).click();
      await page.locator('pre.log').waitFor();
      await capture('10-diagnostics');
      const log = await page.locator('pre.log').textContent();
      assert.ok(!log.includes(app.token), 'the log lines on screen hold no token');
    } finally {
      await browser.close();
      app.stop();
    }
  });
}
