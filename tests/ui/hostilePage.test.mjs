// A web page from another local port, open in the same browser as the app (so the app's
// cookie goes with its requests: 127.0.0.1 on another port is the same site), tries every
// way a page has to drive the bridge without the app's consent: no-cors text/plain POSTs,
// a form posted into a hidden frame, a beacon, a CORS request, and the event stream. None
// of them changes anything, and none gets an answer it can read; the app's own page then
// changes the same setting through the same bridge, so the refusals come from where the
// requests came from and not from a broken bridge.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startApp, launchBrowser, viewports } from './harness.mjs';
import { signIn, openItem, queue, openDownloads, waitForStatus } from './flows.mjs';

let app;
let browser;
let context;
let page;
let hostile;
let hostileUrl;

/** The page another local program could serve: it aims every request at `target`. */
function hostileHtml(target) {
  const requests = [
    ...[1, 2, 3, 4, 5].map((id) => ({ v: 1, id, method: 'downloads.remove', params: { id } })),
    { v: 1, id: 6, method: 'settings.set', params: { wifiOnly: true, maxTransfers: 1 } },
    { v: 1, id: 7, method: 'signOut', params: {} },
  ];
  return `<!doctype html><html><body>
<iframe name="sink" style="display:none"></iframe>
<form id="form" method="POST" action="${target}/bridge" enctype="text/plain" target="sink">
  <input type="hidden" name='{"v":1,"id":8,"method":"signOut","params":{},"pad":"' value='"}'>
</form>
<script>
(async () => {
  const results = { noCors: [], cors: null, events: null, beacon: null };
  for (const request of ${JSON.stringify(requests)}) {
    try {
      const answer = await fetch('${target}/bridge', {
        method: 'POST', mode: 'no-cors', credentials: 'include',
        headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(request),
      });
      results.noCors.push(answer.type);
    } catch (error) {
      results.noCors.push('failed: ' + error);
    }
  }
  results.beacon = navigator.sendBeacon('${target}/bridge',
    new Blob([JSON.stringify({ v: 1, id: 9, method: 'signOut', params: {} })], { type: 'text/plain' }));
  document.getElementById('form').submit();
  try {
    const answer = await fetch('${target}/bridge', {
      method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ v: 1, id: 10, method: 'downloads.list', params: {} }),
    });
    results.cors = 'read: ' + (await answer.text());
  } catch (error) {
    results.cors = 'refused';
  }
  results.events = await new Promise((resolve) => {
    const source = new EventSource('${target}/events', { withCredentials: true });
    source.onmessage = (event) => { source.close(); resolve('data: ' + event.data); };
    source.onerror = () => { source.close(); resolve('error'); };
    setTimeout(() => { source.close(); resolve('nothing'); }, 3000);
  });
  window.results = results;
})();
</script></body></html>`;
}

/** A bridge request from the app's own page (same origin, with its cookie). */
async function ownCall(method, params) {
  return page.evaluate(async ([method, params]) => {
    const answer = await fetch('/bridge', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ v: 1, id: 1, method, params }),
    });
    return answer.json();
  }, [method, params]);
}

before(async () => {
  app = await startApp({ pinLinkAfterPolls: 1 });
  hostile = createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end(hostileHtml(app.url));
  });
  await new Promise((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  hostileUrl = `http://127.0.0.1:${hostile.address().port}/`;
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: viewports.phone });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  hostile?.close();
  app?.stop();
});

test('a page of another local port changes nothing and reads nothing', async () => {
  await signIn(page, app.url);
  await openItem(page, 'Movies', 'Big Buck Bunny');
  await queue(page, 'original');
  await openDownloads(page);
  await waitForStatus(page, 'Big Buck Bunny', 'completed');
  const before = await ownCall('downloads.list', {});
  assert.equal(before.result.length, 1);
  const settingsBefore = await ownCall('settings.get', {});
  assert.equal(settingsBefore.result.settings.wifiOnly, false);

  const other = await context.newPage();
  await other.goto(hostileUrl);
  await other.waitForFunction(() => window.results, null, { timeout: 20000 });
  const results = await other.evaluate(() => window.results);
  // Let the form post and the beacon land before looking.
  await other.waitForTimeout(1000);
  await other.close();

  // The no-cors requests were sent (opaque answers), and changed nothing.
  assert.equal(results.noCors.length, 7);
  assert.ok(results.noCors.every((type) => type === 'opaque'), JSON.stringify(results.noCors));
  assert.equal(results.cors, 'refused', 'a CORS request never gets a readable answer');
  assert.notEqual(results.events.slice(0, 5), 'data:', `the event stream gave ${results.events}`);
  const after = await ownCall('downloads.list', {});
  assert.deepEqual(after.result.map((download) => download.id), before.result.map((download) => download.id));
  const signedIn = await ownCall('signIn.status', {});
  assert.equal(signedIn.result.signedIn, true, JSON.stringify(signedIn));
  const settingsAfter = await ownCall('settings.get', {});
  assert.deepEqual(settingsAfter.result.settings, settingsBefore.result.settings);

  // The same change from the app's own page goes through.
  const changed = await ownCall('settings.set', { wifiOnly: true });
  assert.equal(changed.result.settings.wifiOnly, true, JSON.stringify(changed));
});
