// What a Plex user decides a download by, at the phone and tablet sizes with their real
// pixel densities (a Pixel 7a's screen is 1080 device pixels across, a Galaxy Tab S7's
// 1600): sign-in with the link as the action; the sign-in notice gone once a server is
// chosen; the item detail of Harbour Lights (a 4K and a 1080p version in the replay
// library) with its summary, versions, audio and subtitle tracks and the subtitle file a
// download saves; the download dialog with the 1080p version chosen first, the sizes of
// the chosen version, and the audio track and subtitles of a conversion, which reach the
// server; and the Downloads screen, whose phase words never show 0% while nothing moves,
// with the space downloads take and the free space.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, launchBrowser, viewports, shot } from './harness.mjs';
import { signIn, openItem, openDownloads, card, waitForStatus, LONG } from './flows.mjs';

const sizes = [
  ['phone', { viewport: viewports.phone, deviceScaleFactor: 2.625 }],
  ['tablet-portrait', { viewport: viewports.tabletPortrait, deviceScaleFactor: 2 }],
];

/** The replay server's request counters (its control route, with its token). */
async function counters(app) {
  const answer = await fetch(`${app.replayUrl}/_replay/counters`, { headers: { 'X-Plex-Token': app.token } });
  assert.equal(answer.status, 200);
  return (await answer.json()).requests;
}

for (const [size, device] of sizes) {
  test(`versions, tracks, phases and notices at ${size}`, { timeout: 240000 }, async () => {
    const app = await startApp({ pinLinkAfterPolls: 2 });
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ ...device, hasTouch: true });
      const page = await context.newPage();
      await signIn(page, app.url, async () => {
        // The link is the main action; the long code is folded away.
        const link = page.getByRole('link', { name: 'Open the Plex sign-in page' });
        assert.match(await link.getAttribute('class'), /primary/);
        assert.equal(await page.getByText('there is nothing to type', { exact: false }).count(), 1);
        await shot(page, size, '30-sign-in-link');
      });

      // The sign-in notice asks to choose a server, and goes once one is chosen.
      const notice = page.locator('.notice', { hasText: 'Choose a server' });
      await notice.waitFor();
      await page.locator('a.row').first().click();
      await page.getByRole('link', { name: /Movies/ }).waitFor();
      await notice.waitFor({ state: 'detached', timeout: 2000 });

      // The item detail: summary, both versions and their tracks.
      await openItem(page, 'Movies', 'Harbour Lights');
      const detail = page.locator('.item-detail');
      await detail.locator('p.summary', { hasText: 'lighthouse keeper' }).waitFor();
      await detail.getByRole('heading', { name: '2 versions' }).waitFor();
      const versions = detail.locator('.version');
      assert.equal(await versions.count(), 2);
      assert.match(await versions.nth(0).locator('.version-line').textContent(), /^4K · HEVC · 40 Mbps · MKV · 4\.8 MB$/);
      assert.match(await versions.nth(1).locator('.version-line').textContent(), /^1080p · H\.264 · 8\.0 Mbps · MP4 · 1\.6 MB$/);
      assert.match(await versions.nth(1).locator('.audio-tracks').textContent(), /English \(AAC, stereo\), Français \(AC3, 5\.1\)/);
      assert.match(await versions.nth(1).locator('.subtitle-tracks').textContent(), /English \(SRT, separate file\), Français \(SRT, inside the video, forced\)/);
      assert.match(await versions.nth(1).locator('.saved-subtitles').textContent(), /Harbour Lights \(2019\)\.eng\.1\.srt/);
      // The version a download gets here is marked, and only that one.
      assert.equal(await versions.nth(1).locator('.preferred').count(), 1);
      assert.equal(await versions.nth(0).locator('.preferred').count(), 0);
      await shot(page, size, '31-item-versions');

      // The dialog: the 1080p version first (closest to both screens), the sizes of the
      // chosen version, and for a conversion the tracks.
      await page.locator('.item-facts button.primary').click();
      const dialog = page.getByRole('dialog');
      await dialog.locator('.versions-choice').waitFor();
      assert.equal(await dialog.locator('input[name="version"][value="122"]').isChecked(), true, 'the 1080p version is chosen');
      await dialog.locator('.choice', { hasText: 'Original' }).locator('.choice-size', { hasText: '1.6 MB' }).waitFor();
      await dialog.locator('input[name="version"][value="121"]').check();
      await dialog.locator('.choice', { hasText: 'Original' }).locator('.choice-size', { hasText: '4.8 MB' }).waitFor();
      await dialog.locator('input[name="version"][value="122"]').check();
      await dialog.locator('.choice', { hasText: 'Original' }).locator('.choice-size', { hasText: '1.6 MB' }).waitFor();
      assert.equal(await dialog.getByLabel('Audio track').count(), 0, 'an original keeps every track');
      await dialog.locator('.tracks-note').waitFor();
      await dialog.locator('input[value="720p"]').check();
      await dialog.getByLabel('Audio track').selectOption('122003');
      await dialog.getByLabel('Subtitles', { exact: true }).selectOption('122004');
      const modes = dialog.locator('.subtitle-modes input');
      assert.deepEqual(await modes.evaluateAll((inputs) => inputs.map((input) => input.value)), ['sidecar', 'embedded', 'burn']);
      await dialog.locator('.subtitle-modes input[value="burn"]').check();
      await shot(page, size, '32-dialog-tracks');
      await dialog.getByRole('button', { name: 'Download', exact: true }).click();
      await page.locator('.notice', { hasText: 'queued' }).waitFor();

      // The Downloads screen: the queued notice goes with the move; the phase is in words
      // and no 0% shows while nothing has come.
      await openDownloads(page);
      await page.locator('.notice', { hasText: 'queued' }).waitFor({ state: 'detached', timeout: 2000 });
      const row = card(page, 'Harbour Lights');
      await row.waitFor();
      const seen = new Set();
      for (let look = 0; look < 60; look += 1) {
        const status = await row.getAttribute('data-status');
        const phase = (await row.locator('p.phase').textContent()).trim();
        const text = await row.textContent();
        seen.add(phase);
        if (status !== 'completed') {
          assert.doesNotMatch(text, /\(0%\)/, `no 0% while ${phase}`);
        }
        if (look === 0) await shot(page, size, '33-downloads-phase');
        if (status === 'completed') break;
        await page.waitForTimeout(250);
      }
      await waitForStatus(page, 'Harbour Lights', 'completed', LONG);
      for (const phase of seen) {
        assert.match(phase, /^(Waiting to start|Connecting|Waiting for the server.*|Downloading.*|Checking the file|Downloaded)$/, phase);
      }
      // The total counts the finished file (read again when the download finished).
      await page.locator('.storage-text', { hasText: /^Downloads take [1-9][0-9.]* MB\. .+ free on this device\.$/ }).waitFor();
      await shot(page, size, '34-downloads-done');

      // The choice reached the server: the conversion's decision named another audio
      // track, so the part's stream selection was set (the replay server's default, as
      // real servers are reported to do).
      const requests = await counters(app);
      assert.equal(requests['PUT /library/parts/{id}'], 1, JSON.stringify(requests));
      await context.close();
    } finally {
      await browser.close();
      app.stop();
    }
  });
}
