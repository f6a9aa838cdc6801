// The randomisation machine in a real browser: a caseworker screens an
// ineligible youth (and sees why), then an eligible one, confirms and gets the
// receipt, which opens again from its permanent link; screening the same CPR
// again shows the original allocation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemo, launchBrowser, logIn, accessibilityProblems, SHOTS } from './support.mjs';

let server;
let browser;

before(async () => {
  server = await startDemo();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** A CPR number for someone born on 1 March of `year` (2000–2036: 7th digit 4). */
function cprBornIn(year, serial) {
  return `0103${String(year % 100).padStart(2, '0')}-4${String(serial).padStart(3, '0')}`;
}

async function screen(page, cpr, { firstName, benefit = 'kontanthjaelp', qualification = 'no' }) {
  await page.fill('#cpr', cpr);
  await page.fill('#first_name', firstName);
  await page.fill('#last_name', 'Browsertest');
  await page.selectOption('#benefit', benefit);
  await page.selectOption('#readiness', { index: 1 });
  await page.selectOption('#has_qualification', qualification);
  await Promise.all([page.waitForLoadState('load'), page.click('#screen')]);
}

test('a caseworker screens, randomises once, and a second attempt shows the original allocation', async () => {
  const context = await browser.newContext({ locale: 'da-DK', bypassCSP: true });
  const page = await context.newPage();
  await logIn(page, server.url, 'sagsbehandler.roskilde');
  await page.goto(`${server.url}/trials`);
  const intake = page.locator('a[href$="/intake"]').first();
  await Promise.all([page.waitForURL(/\/trials\/\d+\/intake$/), intake.click()]);
  const intakeUrl = page.url();

  // Ineligible: 40 years old and with a qualification.
  const thisYear = new Date().getUTCFullYear();
  await screen(page, `010185-1${String(Date.now() % 1000).padStart(3, '0')}`, { firstName: 'Ikke', qualification: 'yes' });
  const refused = await page.locator('#screening-result').innerText();
  assert.match(refused, /Ikke i målgruppen/);
  assert.ok((await page.locator('#screening-result li').count()) >= 1, 'the reasons are listed');
  assert.equal(await page.locator('#confirm-randomisation').count(), 0, 'no way to randomise an ineligible youth');
  await page.screenshot({ path: join(SHOTS, 'trial-not-eligible-da.png'), fullPage: true });

  // Eligible: 22 years old, on social assistance, no qualification.
  const cpr = cprBornIn(thisYear - 22, Date.now() % 1000);
  await page.goto(intakeUrl);
  await screen(page, cpr, { firstName: 'Emma' });
  assert.match(await page.locator('#screening-result').innerText(), /I målgruppen/);
  assert.equal(await page.locator('#cpr').count(), 0, 'the form is not offered again: what is confirmed is what was screened');
  assert.match(await page.locator('#eligible-summary').innerText(), /Emma Browsertest/);
  assert.ok(!(await page.content()).includes(cpr), 'the CPR number is not written back into the page');
  assert.deepEqual(await accessibilityProblems(page), []);
  await Promise.all([page.waitForLoadState('load'), page.click('#confirm-randomisation')]);
  const receipt = await page.locator('#receipt').innerText();
  assert.match(receipt, /Lodtrukket til: \S+/);
  const allocationId = (await page.locator('#allocation-id').innerText()).trim();
  assert.match(allocationId, /^\d+$/);
  assert.ok(!(await page.content()).includes(cpr), 'no CPR number on the receipt');
  await page.screenshot({ path: join(SHOTS, 'trial-receipt-da.png'), fullPage: true });

  // The receipt again later, from its permanent link: the same allocation, the youth's name.
  await Promise.all([
    page.waitForURL(new RegExp(`/allocations/${allocationId}$`)),
    page.click(`a[href$="/allocations/${allocationId}"]`),
  ]);
  assert.equal((await page.locator('#allocation-id').innerText()).trim(), allocationId);
  assert.equal((await page.locator('#youth-name').innerText()).trim(), 'Emma Browsertest');
  assert.deepEqual(await accessibilityProblems(page), []);

  // The same youth again: the original allocation, never a new draw.
  await page.goto(intakeUrl);
  await screen(page, cpr, { firstName: 'Emma' });
  const again = await page.locator('#screening-result').innerText();
  assert.match(again, /Allerede lodtrukket/);
  assert.ok(again.includes(allocationId), `the original allocation ${allocationId} is shown`);
  await page.screenshot({ path: join(SHOTS, 'trial-already-randomised-da.png'), fullPage: true });
  await context.close();
});

test('the programme office opens a new trial and sees the commitment to register', async () => {
  const context = await browser.newContext({ locale: 'da-DK', bypassCSP: true });
  const page = await context.newPage();
  await logIn(page, server.url, 'programkontor');
  await page.goto(`${server.url}/trials`);
  await Promise.all([page.waitForURL(/\/trials\/new$/), page.click('a[href="/trials/new"]')]);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.fill('#name', 'NExTWORK 2027');
  await page.fill('#public_id', 'Ugyldigt id!');
  await Promise.all([page.waitForLoadState('load'), page.click('#open-trial')]);
  assert.match(await page.locator('.field.invalid').first().innerText(), /små bogstaver/);
  await page.fill('#public_id', 'nextwork-2027');
  await page.fill('#custom_factors', 'skole: ingen, startet');
  await Promise.all([page.waitForURL(/\/trials\/\d+$/), page.click('#open-trial')]);
  assert.match((await page.locator('#commitment').innerText()).trim(), /^[0-9a-f]{64}$/);
  assert.match(await page.locator('main').innerText(), /skole/);
  await page.screenshot({ path: join(SHOTS, 'trial-opened-da.png'), fullPage: true });
  await context.close();
});
