// Keep rules at the phone size (Pixel 7a, 412 x 915): the user sets a storage limit in
// Settings, then asks The 100 (six episodes of 13.4 MB in the replay library) to keep its
// next 3 episodes. The core queues them by itself; the Downloads screen shows the rule's
// badge on each of them, the rule with its settings, and the storage bar against the
// limit; the limit of 30 MB leaves room for two episodes, so the rule stops with its
// sentence. Changing the rule in the same dialog and stopping it are checked too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, launchBrowser, viewports, shot } from './harness.mjs';
import { signIn, openItem, openDownloads, card, LONG } from './flows.mjs';

test('a keep rule at phone size: badge, rule list, storage bar and the limit', async () => {
  const app = await startApp({});
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: viewports.phone, hasTouch: true });
    const page = await context.newPage();
    await signIn(page, app.url);
    await page.locator('a.row', { hasText: 'Reachable' }).waitFor({ timeout: LONG });

    // A limit of 30 MB (typed with a comma, as a phone keyboard may give it).
    await page.getByRole('link', { name: 'Settings' }).click();
    const limit = page.getByRole('group', { name: 'Storage limit for keep rules' });
    await limit.getByLabel('Limit in GB').fill('0,03');
    await limit.getByRole('button', { name: 'Set the limit' }).click();
    await limit.getByText('Rules stop queuing episodes at 30 MB').waitFor();
    await limit.getByLabel('Limit in GB').fill('lots');
    await limit.getByRole('button', { name: 'Set the limit' }).click();
    await limit.getByRole('alert').filter({ hasText: 'is not a size in GB' }).waitFor();
    await limit.getByText('Rules stop queuing episodes at 30 MB').waitFor();

    await openItem(page, 'TV shows', 'The 100');
    await page.getByRole('button', { name: 'Keep next episodes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Keep next episodes' });
    await dialog.locator('.choice').first().waitFor();
    await dialog.getByLabel('Episodes to keep ahead').selectOption('3');
    await dialog.locator('input[value="original"]').check();
    await dialog.getByLabel('Delete watched episodes at once').check();
    await page.waitForTimeout(300);
    await shot(page, 'phone', '11-keep-dialog');
    await dialog.getByRole('button', { name: 'Keep these episodes' }).click();
    await page.locator('.notice', { hasText: 'Keeping the next 3 episodes of The 100' }).waitFor();
    await dialog.waitFor({ state: 'detached' });

    await openDownloads(page);
    // Two fit under the limit; the third would pass it.
    const badges = page.locator('li.download .rule-badge');
    await page.waitForFunction(() => document.querySelectorAll('li.download .rule-badge').length === 2, null, { timeout: LONG });
    assert.equal(await badges.count(), 2, 'the rule queued two episodes');
    assert.equal(await page.locator('li.download').count(), 2, 'nothing else was queued');
    for (const title of await page.locator('li.download .row-title').allTextContents()) {
      assert.match(title, /Pilot|Earth Skills/, `${title} is one of the first two episodes`);
    }
    const storage = page.getByLabel('Storage', { exact: true });
    await storage.getByText('of the 30 MB limit').waitFor();
    await storage.getByRole('status').filter({ hasText: 'Stopped at the storage limit of 30 MB' }).waitFor();
    const meter = storage.getByRole('meter', { name: 'Space downloads take' });
    const filled = Number(await meter.getAttribute('aria-valuenow'));
    assert.ok(filled >= 85 && filled <= 100, `two episodes of 13.4 MB fill ${filled}% of 30 MB`);
    const rule = page.locator('li.rule', { hasText: 'The 100' });
    await rule.getByText('The next 3 episodes in Original (no conversion). Delete watched episodes at once.').waitFor();
    await page.locator('li.download[data-status="completed"]').nth(1).waitFor({ timeout: LONG });
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `Downloads: ${overflow} px wider than the screen`);
    await shot(page, 'phone', '12-downloads-with-rule');

    // The same dialog shows the rule's settings, changes it, and stops it.
    await openItem(page, 'TV shows', 'The 100');
    await page.getByRole('button', { name: 'Keep next episodes' }).click();
    const again = page.getByRole('dialog', { name: 'Keep next episodes' });
    await again.locator('.choice').first().waitFor();
    assert.equal(await again.getByLabel('Episodes to keep ahead').inputValue(), '3');
    assert.ok(await again.getByLabel('Delete watched episodes at once').isChecked());
    await again.getByLabel('Episodes to keep ahead').selectOption('1');
    await again.getByRole('button', { name: 'Save' }).click();
    await page.locator('.notice', { hasText: 'Keeping the next episode of The 100' }).waitFor();
    await openDownloads(page);
    await page.locator('li.rule', { hasText: 'The next episode in' }).waitFor();
    await page.locator('li.rule').getByRole('button', { name: 'Stop keeping' }).click();
    await page.locator('.notice', { hasText: 'The rule was stopped' }).waitFor();
    await page.locator('li.rule').waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.querySelectorAll('li.download .rule-badge').length === 0);
    assert.equal(await card(page, 'Pilot').count(), 1, 'the rule\'s downloads stay when it is stopped');
  } finally {
    await browser.close();
    app.stop();
  }
});
