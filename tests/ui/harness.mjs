// Starts what an end-to-end test needs: the replay Plex server (also standing in for
// plex.tv), `plexdl ui` on a fresh data folder pointed at it, and Debian's Chromium through
// playwright-core. Everything listens on 127.0.0.1 with ports the system picks.

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const screenshotDir = join(root, 'tests/output/screenshots');

/** The viewports of the two target devices, in CSS pixels. */
export const viewports = {
  phone: { width: 412, height: 915 },
  tabletPortrait: { width: 800, height: 1280 },
  tabletLandscape: { width: 1280, height: 800 },
};

function binary(name) {
  return join(root, 'target/debug', name);
}

/** Starts a program and resolves with the first stdout line that matches `pattern`. */
function startProgram(command, args, env, pattern) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = [];
  child.stderr.on('data', (chunk) => stderr.push(chunk.toString()));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start: ${stderr.join('')}`)), 30000);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const found = line.match(pattern);
      if (found) {
        clearTimeout(timer);
        resolvePromise({ child, found, stderr });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}: ${stderr.join('')}`));
    });
  });
}

/**
 * Starts the replay server with `scenario` and `plexdl ui` against it. Returns the UI
 * address, the replay's token (for tests that check it never reaches the page) and a stop
 * function.
 */
export async function startApp(scenario) {
  const work = mkdtempSync(join(tmpdir(), 'plexdl-ui-test-'));
  const scenarioFile = join(work, 'scenario.json');
  writeFileSync(scenarioFile, JSON.stringify(scenario));
  const replay = await startProgram(binary('plexdl-replay'), ['--scenario', scenarioFile], {}, /^(http:\/\/\S+) (\S+)$/);
  const [, replayUrl, token] = replay.found;
  const dataDir = join(work, 'data');
  mkdirSync(dataDir);
  const ui = await startProgram(
    binary('plexdl'),
    ['ui', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--ui-dir', join(root, 'ui-wasm/dist')],
    { PLEXDL_PLEX_TV: replayUrl, PLEXDL_ALLOW_PLAIN_HTTP: '1' },
    /Serving the app at (http:\/\/[^/]+)\//,
  );
  return {
    url: ui.found[1],
    replayUrl,
    token,
    dataDir,
    stop() {
      ui.child.kill('SIGKILL');
      replay.child.kill('SIGKILL');
    },
  };
}

/** Launches Chromium headless (Playwright gives it a fresh profile of its own). */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** Saves a screenshot as tests/output/screenshots/<size>/<name>.png. */
export async function shot(page, size, name) {
  const dir = join(screenshotDir, size);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: false });
}
