// The networks in a real browser: a youth on a phone proposes an agenda item
// for the next meeting and moves it up; the facilitator, on a phone, opens
// the meeting and registers attendance with one tap per youth (timed); a
// company contact signs up for a network meeting and makes a calendar
// address. Every page passes axe-core and fits a 390 px phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { demoAndBrowser, logIn, accessibilityProblems, phoneContext, fitsThePhone, SHOTS } from './support.mjs';

const demo = demoAndBrowser({ before, after });


test('a youth on a phone proposes an agenda item and moves it up', async () => {
  const phone = await phoneContext(demo.browser);
  const page = await phone.newPage();
  await logIn(page, demo.server.url, 'ung.roskilde');
  await page.click('nav >> text=Mit netværk');
  await page.waitForURL(`${demo.server.url}/me/network`);
  assert.match(await page.locator('.hint').first().innerText(), /rykke ét punkt én plads op/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await fitsThePhone(page);

  const item = 'Hvordan beder man om en anbefaling?';
  await page.fill('#text', item);
  await Promise.all([page.waitForURL(/\/me\/network\?saved=proposed$/), page.click('#propose button[type=submit]')]);
  assert.equal(await page.locator('#notice').innerText(), 'Punktet er på dagsordenen.');
  const items = page.locator('#agenda > li');
  const count = await items.count();
  assert.match(await items.nth(count - 1).innerText(), new RegExp(item));

  // Move it up one place: it is now second to last, and no more moves are offered.
  await Promise.all([
    page.waitForURL(/\/me\/network\?saved=moved$/),
    items.nth(count - 1).getByRole('button', { name: /Ryk/ }).click(),
  ]);
  assert.match(await items.nth(count - 2).innerText(), new RegExp(item));
  assert.match(await items.nth(count - 2).innerText(), /du rykkede det op/);
  assert.equal(await page.getByRole('button', { name: /Ryk/ }).count(), 0);
  assert.deepEqual(await accessibilityProblems(page), []);
  await fitsThePhone(page);
  await page.screenshot({ path: join(SHOTS, 'network-youth-phone.png'), fullPage: true });
  await phone.close();
});

test('the facilitator registers attendance on a phone with one tap per youth', async () => {
  const phone = await phoneContext(demo.browser);
  const page = await phone.newPage();
  await logIn(page, demo.server.url, 'konsulent.roskilde');
  await page.click('nav >> text=Ungenetværk');
  await page.waitForURL(`${demo.server.url}/groups`);
  assert.deepEqual(await accessibilityProblems(page), []);
  await fitsThePhone(page);
  await page.click('#groups a >> text=Mandagsgruppen');
  await page.waitForURL(/\/groups\/\d+$/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await fitsThePhone(page);
  await Promise.all([page.waitForURL(/\/meetings\/\d+$/), page.click('#next-meeting')]);
  assert.deepEqual(await accessibilityProblems(page), []);
  await fitsThePhone(page);

  const rows = page.locator('.register > li');
  const youth = await rows.count();
  assert.ok(youth >= 3, `the register lists the group (${youth})`);
  const started = Date.now();
  for (let i = 0; i < youth; i++) {
    const mark = i === 1 ? 'Afbud' : 'Til stede';
    await Promise.all([
      page.waitForURL(/saved=marked/),
      rows.nth(i).getByRole('button', { name: new RegExp(`: ${mark}$`) }).click(),
    ]);
  }
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds < 60, `attendance for ${youth} youth in ${seconds.toFixed(1)} s`);
  assert.equal(await page.locator('.register button[aria-pressed="true"]').count(), youth);
  assert.equal(await page.locator('#register-notice').innerText(), 'Fremmødet er gemt.');
  assert.deepEqual(await accessibilityProblems(page), []);
  await fitsThePhone(page);
  await page.screenshot({ path: join(SHOTS, 'network-register-phone.png'), fullPage: true });
  console.log(`# attendance for ${youth} youth registered in ${seconds.toFixed(1)} s on a 390 px phone`);
  await phone.close();
});

test('a company contact signs up for a network meeting and gets a calendar address', async () => {
  const context = await demo.browser.newContext({ locale: 'da-DK', bypassCSP: true });
  const page = await context.newPage();
  await logIn(page, demo.server.url, 'virksomhed.roskilde');
  await page.click('nav >> text=Virksomhedsnetværk');
  await page.waitForURL(`${demo.server.url}/network`);
  assert.deepEqual(await accessibilityProblems(page), []);
  const signUp = page.getByRole('button', { name: 'Tilmeld mig' }).first();
  await Promise.all([page.waitForURL(/\/network\/meetings\/\d+\?saved=signup$/), signUp.click()]);
  assert.equal(await page.locator('#notice').innerText(), 'Du er tilmeldt mødet.');
  assert.match(await page.locator('#signups').innerText(), /Kim Virksomhed/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(SHOTS, 'network-company-contact.png'), fullPage: true });

  await page.goto(`${demo.server.url}/calendar`);
  await page.selectOption('#kind', 'company_network');
  await Promise.all([page.waitForURL(/\/calendar\?saved=created$/), page.click('#form-new-feed button[type=submit]')]);
  const address = await page.locator('.feed-address').first().inputValue();
  assert.match(address, /^http:\/\/[^/]+\/feeds\/[0-9a-f]{64}\.ics$/);
  const feed = await page.request.get(address);
  assert.equal(feed.status(), 200);
  assert.match(await feed.text(), /BEGIN:VCALENDAR[\s\S]*SUMMARY:Virksomhedsnetværk: /);
  assert.deepEqual(await accessibilityProblems(page), []);
  await context.close();
});
