// The whole app in Chromium: `plexdl ui` with the replay server standing in for Plex and
// plex.tv. One phone-sized page goes through what a user does: sign in with the PIN, browse
// to a movie, download it in original quality to the end, pause and resume another, see a
// refused conversion fail with its own message and action, and queue a whole season.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, launchBrowser, viewports } from './harness.mjs';
import { LONG, signIn, openItem, queue, card, openDownloads, waitForStatus } from './flows.mjs';

// Transfers throttled so that pause has something to interrupt; conversions refused so
// that a 480p download fails with the server's reason (a refusal of the conversion itself:
// 2011 "Downloads not allowed" would be a matter for the server's owner instead).
const scenario = {
  pinLinkAfterPolls: 2,
  refuseTranscodes: true,
  refusal: { code: 2000, text: 'Neither direct play nor conversion is available.' },
  faults: [{ path: '/library/parts/', method: 'GET', fault: { kind: 'throttle', bytesPerSecond: 1500000 } }],
};

let app;
let browser;
let page;
const pageErrors = [];

before(async () => {
  app = await startApp(scenario);
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: viewports.phone, hasTouch: true });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
});

after(async () => {
  await browser?.close();
  app?.stop();
});

test('sign in through the PIN', async () => {
  await signIn(page, app.url);
  await page.locator('a.row', { hasText: 'Reachable' }).waitFor();
});

test('browse to a movie and download it in original quality to the end', async () => {
  await openItem(page, 'Movies', 'Big Buck Bunny');
  // The size is the version's: one version, one line of its facts.
  const file = await page.locator('.item-detail .version-line').textContent();
  assert.match(file, /13\.4 MB/);
  await queue(page, 'original');
  await openDownloads(page);
  await waitForStatus(page, 'Big Buck Bunny', 'completed');
  const done = card(page, 'Big Buck Bunny');
  assert.match(await done.locator('.phase').textContent(), /Downloaded/);
  assert.equal(await done.getByRole('progressbar').getAttribute('aria-valuenow'), '100');
});

test('pause and resume a download', async () => {
  await openItem(page, 'Movies', 'Elephants Dream');
  await queue(page, 'original');
  await openDownloads(page);
  const item = card(page, 'Elephants Dream');
  // Wait until bytes have arrived, then pause.
  await page.waitForFunction(() => {
    const bar = [...document.querySelectorAll('li.download')].find((li) => li.textContent.includes('Elephants Dream'));
    const value = Number(bar?.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow') || 0);
    return bar?.dataset.status === 'transferring' && value > 0 && value < 80;
  }, null, { timeout: LONG });
  await item.getByRole('button', { name: 'Pause' }).click();
  await waitForStatus(page, 'Elephants Dream', 'paused');
  // The bytes already received when the pause came are saved; after that nothing moves.
  await page.waitForTimeout(1000);
  const heldAt = await item.getByRole('progressbar').getAttribute('aria-valuenow');
  await page.waitForTimeout(2500);
  assert.equal(await item.getByRole('progressbar').getAttribute('aria-valuenow'), heldAt, 'nothing moves while paused');
  assert.ok(Number(heldAt) < 100);
  await item.getByRole('button', { name: 'Resume' }).click();
  await waitForStatus(page, 'Elephants Dream', 'completed');
});

test('a refused conversion fails with its own message and action', async () => {
  await openItem(page, 'Movies', 'Sintel');
  await queue(page, '480p');
  await openDownloads(page);
  await waitForStatus(page, 'Sintel', 'failed');
  const failed = card(page, 'Sintel');
  const error = failed.locator('.error');
  const kind = await error.getAttribute('data-kind');
  const message = await error.locator('.error-message').textContent();
  assert.notEqual(kind, '', 'the failure has a kind');
  assert.doesNotMatch(message, /unknown|went wrong/i, 'the message is specific');
  assert.ok(message.length > 20, message);
  // The action for a refused conversion is to choose another quality: the hint says so,
  // and the card offers Retry and Delete.
  assert.match(await error.locator('.hint').textContent(), /another quality/);
  await failed.getByRole('button', { name: 'Retry' }).waitFor();
  await failed.getByRole('button', { name: 'Delete' }).waitFor();
});

test('a season download queues every episode', async () => {
  await openItem(page, 'TV shows', 'Game of Thrones');
  const season = page.locator('li.child', { hasText: 'Season 1' }).first();
  await season.waitFor();
  await season.getByRole('button', { name: 'Episodes' }).click();
  await season.locator('li.child').nth(2).waitFor();
  const episodes = await season.locator('li.child').count();
  assert.equal(episodes, 3);
  await queue(page, 'original', 'Season 1');
  await openDownloads(page);
  const group = page.locator('section.group', { hasText: 'Game of Thrones' });
  await group.waitFor();
  for (const title of ['Winter Is Coming', 'The Kingsroad', 'Lord Snow']) {
    await group.locator('li.download', { hasText: title }).waitFor();
  }
  assert.equal(await group.locator('li.download').count(), episodes);
});

test('the Android carrier: requests through the plexdlBridge object, and Play', async () => {
  // A stand-in for the object WebViewCompat.addWebMessageListener injects: postMessage
  // takes the request text, and answers come back through onmessage, as on Android. Here it
  // relays to the desktop bridge, and it records host messages such as {"play": ID}.
  const context = await browser.newContext({ viewport: viewports.tabletLandscape });
  await context.addInitScript(() => {
    window.hostMessages = [];
    window.plexdlBridge = {
      onmessage: null,
      postMessage(text) {
        if (text.startsWith('{"play":')) {
          window.hostMessages.push(text);
          return;
        }
        fetch('/bridge', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text })
          .then((answer) => answer.text())
          .then((answer) => this.onmessage && this.onmessage({ data: answer }));
      },
    };
  });
  const android = await context.newPage();
  const errors = [];
  android.on('pageerror', (error) => errors.push(String(error)));
  await android.goto(app.url + '#/diagnostics');
  await android.getByText('Android WebMessage channel').waitFor();
  await android.getByRole('link', { name: 'Downloads' }).click();
  const done = android.locator('li.download[data-status="completed"]', { hasText: 'Big Buck Bunny' });
  await done.getByRole('button', { name: 'Play' }).click();
  await android.waitForFunction(() => window.hostMessages.length === 1);
  const sent = await android.evaluate(() => window.hostMessages[0]);
  assert.match(sent, /^\{"play":\d+\}$/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the Downloads screen says what the host reports about how downloads run', async () => {
  // The Android host reports a refused foreground start and a storage card taken out
  // (downloads.background); here a stand-in for its bridge object answers that request and
  // relays every other one to the desktop bridge.
  const context = await browser.newContext({ viewport: viewports.phone, hasTouch: true });
  await context.addInitScript(() => {
    window.plexdlBridge = {
      onmessage: null,
      postMessage(text) {
        const request = JSON.parse(text);
        if (request.method === 'downloads.background') {
          const result = {
            slower: 'Downloads go on in short turns while the app is closed (reported by the host).',
            storageMissing: 'The downloads folder /storage/0000-0000 is not there (reported by the host).',
          };
          const answer = JSON.stringify({ v: 1, id: request.id, result });
          setTimeout(() => this.onmessage && this.onmessage({ data: answer }), 0);
          return;
        }
        fetch('/bridge', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text })
          .then((answer) => answer.text())
          .then((answer) => this.onmessage && this.onmessage({ data: answer }));
      },
    };
  });
  const android = await context.newPage();
  await android.goto(app.url + '#/downloads');
  await android.locator('.notice.slower', { hasText: 'short turns' }).waitFor();
  await android.locator('.notice[role="alert"]', { hasText: 'is not there' }).waitFor();
  await context.close();
  // The desktop host limits nothing: its own Downloads screen shows neither.
  await openDownloads(page);
  await page.locator('li.download').first().waitFor();
  assert.equal(await page.locator('.notice.slower').count(), 0);
});

test('no page errors and no token in the page', async () => {
  assert.deepEqual(pageErrors, []);
  const html = await page.content();
  assert.ok(!html.includes(app.token), 'the server token never reaches the page');
});
