// The README's first command, as a newcomer runs it: `bash demo.sh` from the repository's
// root. It must end with the demo serving the screens and printing their address, and the
// screens must render in Chromium at the phone and tablet sizes (not the page that says
// the UI is not built). The demo queues a film and an episode, so the Downloads screen
// lists two downloads. Ctrl-C (SIGINT) then stops it cleanly.
//
// Here the UI and plexdl are already built by the test command before this runs, so
// demo.sh's own checks (`ui-wasm/build.sh --if-stale`, `cargo build`) find nothing to do;
// on a fresh clone the same command builds both first (the README gives the times).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { root, launchBrowser, viewports, shot } from './harness.mjs';

/** How long demo.sh may take to get to its address when it has to build (a fresh clone). */
const BUILD_LIMIT_MS = 25 * 60 * 1000;

/** Starts `bash demo.sh` in its own process group; resolves with the address it prints. */
function startDemo(dataDir) {
  const child = spawn('bash', ['demo.sh', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  child.stderr.on('data', (chunk) => output.push(chunk.toString()));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo.sh printed no address: ${output.join('')}`)), BUILD_LIMIT_MS);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      output.push(`${line}\n`);
      const found = line.match(/Serving the app at (http:\/\/[^/\s]+)\//);
      if (found) {
        clearTimeout(timer);
        resolvePromise({ child, url: found[1], output });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo.sh exited with ${code} before serving: ${output.join('')}`));
    });
  });
}

/** Sends SIGINT to the demo's process group (as Ctrl-C does) and resolves with its exit code. */
function interrupt(child) {
  return new Promise((resolvePromise) => {
    child.on('exit', (code, signal) => resolvePromise({ code, signal }));
    process.kill(-child.pid, 'SIGINT');
  });
}

test('the first README command serves the screens', { timeout: BUILD_LIMIT_MS + 120000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'plexdl-demo-test-'));
  const demo = await startDemo(dataDir);
  const browser = await launchBrowser();
  try {
    for (const [size, viewport] of [['phone', viewports.phone], ['tablet-landscape', viewports.tabletLandscape]]) {
      const context = await browser.newContext({ viewport, hasTouch: true });
      const page = await context.newPage();
      const answer = await page.goto(`${demo.url}/`);
      assert.equal(answer.status(), 200);
      assert.equal(await page.getByText('not built').count(), 0, 'the UI is built');
      // With one server and no address, the app opens its libraries.
      await page.getByRole('link', { name: /Movies/ }).waitFor({ timeout: 30000 });
      await page.goto(`${demo.url}/#/downloads`);
      await page.getByRole('heading', { name: 'Downloads' }).waitFor();
      await page.waitForFunction(() => document.querySelectorAll('li.download').length === 2, null, { timeout: 30000 });
      await page.locator('li.download', { hasText: 'Big Buck Bunny' }).waitFor();
      await page.locator('li.download', { hasText: 'Pilot' }).waitFor();
      await shot(page, size, '20-demo-downloads');
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const ended = await interrupt(demo.child);
  assert.equal(ended.code, 0, `demo.sh stopped with ${JSON.stringify(ended)}: ${demo.output.join('')}`);
});
