// Steps the tests share: each one acts like the user (clicks and typing), then waits for
// what the user would see.

import assert from 'node:assert/strict';

export const LONG = 60000;

export async function signIn(page, url, onPin) {
  await page.goto(url);
  await page.getByRole('heading', { name: 'Sign in to Plex' }).waitFor();
  await page.getByRole('button', { name: 'Get a sign-in code' }).click();
  // The link is the action and carries the code; the code itself is folded away.
  const link = page.getByRole('link', { name: 'Open the Plex sign-in page' });
  await link.waitFor();
  const code = (await page.getByLabel('Sign-in code').textContent()).trim();
  assert.ok(code.length >= 4, 'the PIN is in the page');
  assert.ok((await link.getAttribute('href')).includes(`code=${code}`), 'the link carries the code');
  assert.equal(await page.getByLabel('Sign-in code').isVisible(), false, 'the code is not offered to type');
  if (onPin) await onPin();
  await page.getByRole('heading', { name: 'Servers' }).waitFor({ timeout: LONG });
}

export async function openSection(page, name) {
  await page.goto(page.url().replace(/#.*$/, '') + '#/servers');
  await page.getByRole('heading', { name: 'Servers' }).waitFor();
  await page.locator('a.row').first().click();
  await page.getByRole('link', { name: new RegExp(name) }).click();
  await page.locator('ul.grid li').first().waitFor();
}

export async function openItem(page, section, title) {
  await openSection(page, section);
  await page.locator('a.tile', { hasText: title }).click();
  await page.locator('.item-detail h2', { hasText: title }).waitFor();
}

/** Opens the download dialog of the shown item, or of the child named `childTitle`. */
export async function openDialog(page, childTitle) {
  if (childTitle) {
    const child = page.locator('li.child', { hasText: childTitle }).first();
    await child.locator('button.primary').first().click();
  } else {
    await page.locator('.item-facts button.primary').click();
  }
  const dialog = page.getByRole('dialog');
  await dialog.locator('.choice').first().waitFor();
  return dialog;
}

export async function queue(page, quality, childTitle) {
  const dialog = await openDialog(page, childTitle);
  await dialog.locator(`input[value="${quality}"]`).check();
  await dialog.getByRole('button', { name: 'Download', exact: true }).click();
  await page.locator('.notice', { hasText: 'queued' }).waitFor();
  await dialog.waitFor({ state: 'detached' });
}

export function card(page, title) {
  return page.locator('li.download', { hasText: title });
}

export async function openDownloads(page) {
  await page.getByRole('link', { name: 'Downloads' }).click();
  await page.getByRole('heading', { name: 'Downloads' }).waitFor();
}

export async function waitForStatus(page, title, status, timeout = LONG) {
  await page.locator(`li.download[data-status="${status}"]`, { hasText: title }).waitFor({ timeout });
}
