// A list of downloads that can no longer be written, in a running `plexdl ui`: downloads
// stop after a few failed steps, the Diagnostics screen says why and offers the rebuild,
// the rebuild brings back the finished download from the file beside it, and the same
// running app downloads again afterwards (its scheduler waited instead of ending).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startApp, launchBrowser, viewports } from './harness.mjs';
import { LONG, signIn, openItem, queue, card, openDownloads, waitForStatus } from './flows.mjs';

let app;
let browser;
let page;
const pageErrors = [];

before(async () => {
  app = await startApp({ pinLinkAfterPolls: 1 });
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: viewports.phone, hasTouch: true });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
});

after(async () => {
  await browser?.close();
  app?.stop();
});

/**
 * From now on every change of a download past its pre-flight fails, as on a database that
 * can no longer be written (Python's sqlite3, so the test needs no SQLite of its own).
 */
function makeTheListUnwritable() {
  const database = join(app.dataDir, 'manifest.sqlite');
  execFileSync('python3', ['-c', `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
db.execute("""CREATE TRIGGER unwritable BEFORE UPDATE ON downloads
  WHEN NEW.download_status NOT IN ('queued', 'preflight')
  BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END""")
db.commit()
`, database]);
}

test('the Diagnostics screen rebuilds a list of downloads that fails, and downloads go on', async () => {
  await signIn(page, app.url);
  await openItem(page, 'Movies', 'Big Buck Bunny');
  await queue(page, 'original');
  await openDownloads(page);
  await waitForStatus(page, 'Big Buck Bunny', 'completed');

  makeTheListUnwritable();
  await openItem(page, 'Movies', 'Elephants Dream');
  await queue(page, 'original');

  // Three failed steps, 5 seconds apart, stop the downloads; the screen then says so.
  await page.goto(app.url + '#/diagnostics');
  const alert = page.getByRole('alert').filter({ hasText: 'list of downloads' });
  const started = Date.now();
  while (!(await alert.isVisible())) {
    assert.ok(Date.now() - started < LONG, 'the Diagnostics screen never reported the problem');
    await page.waitForTimeout(1000);
    await page.getByRole('button', { name: 'Reload' }).click();
  }
  assert.match(await alert.textContent(), /Rebuild/);
  await alert.getByRole('button', { name: 'Rebuild the list of downloads' }).click();
  const said = page.getByRole('status').filter({ hasText: 'was rebuilt' });
  await said.waitFor({ timeout: LONG });
  assert.match(await said.textContent(), /1 finished downloads are back/);
  assert.match(await said.textContent(), /manifest\.damaged-/);
  await alert.waitFor({ state: 'detached' });

  await openDownloads(page);
  await waitForStatus(page, 'Big Buck Bunny', 'completed');
  // The same process downloads again: its scheduler waited for the rebuild.
  await openItem(page, 'Movies', 'Elephants Dream');
  await queue(page, 'original');
  await openDownloads(page);
  await waitForStatus(page, 'Elephants Dream', 'completed');
  assert.equal(await card(page, 'Big Buck Bunny').count(), 1);
  assert.deepEqual(pageErrors, []);
});
