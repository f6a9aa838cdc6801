// Fidelity in a real browser: the programme office reads the schedule and
// the latest means side by side, opens the municipality whose fidelity
// slipped, follows its trend and opens the printable report (which states
// the scale's version); settles a disagreement; the second reviewer of a
// review under way scores blind on a 390 px phone. axe-core clean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { demoAndBrowser, logIn, accessibilityProblems, phoneContext, fitsThePhone, SHOTS } from './support.mjs';

const demo = demoAndBrowser({ before, after });

test('the programme office compares municipalities and opens a fidelity report', async () => {
  const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'da-DK', bypassCSP: true });
  const page = await context.newPage();
  await logIn(page, demo.server.url, 'programkontor');
  await page.click('nav >> text=Programtroskab');
  await page.waitForURL(`${demo.server.url}/fidelity`);
  assert.deepEqual(await accessibilityProblems(page), []);
  // The latest mean of every municipality side by side, and the schedule.
  assert.ok(await page.locator('figure svg rect').count() >= 6, 'a bar per municipality');
  assert.ok(await page.locator('#schedule tbody tr').count() >= 7);
  // Tasks: the disagreement in Horsens to settle.
  assert.match(await page.locator('#tasks').innerText(), /Horsens .*bliv enige/);

  // Kalundborg: its trend, then its latest report.
  await page.click('#schedule >> text=Kalundborg');
  await page.waitForURL(/\/fidelity\/municipalities\/326$/);
  const means = await page.locator('#trend tbody tr').first().locator('td').allInnerTexts();
  assert.equal(means.length, 2, 'two half-years');
  const [before, after] = means.map((m) => parseFloat(m.replace(',', '.')));
  assert.ok(after < before, `the fidelity slipped: ${means}`);
  assert.equal(await page.locator('figure svg polyline').count(), 1);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.locator('#trend thead a').last().click();
  await page.waitForURL(/\/fidelity\/reviews\/\d+\/report$/);
  assert.match(await page.locator('#version').innerText(), /Skalaens version: 1/);
  assert.equal(await page.locator('main h2').count(), 4, 'the three principles and the team model');
  assert.match(await page.locator('body').innerText(), /Psykologen stoppede/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(SHOTS, 'fidelity-report.png'), fullPage: true });

  // Settling Horsens's disagreement: refused without a reason, the score kept.
  await page.goto(`${demo.server.url}/fidelity`);
  await page.click('#tasks >> text=Horsens');
  const form = page.locator('form[action$="/reconcile"]').first();
  await form.locator('select').selectOption('3');
  await form.locator('button').click();
  assert.match(await page.locator('[role=alert]').last().innerText(), /Skal udfyldes/);
  const again = page.locator('form[action$="/reconcile"]').first();
  assert.equal(await again.locator('select').inputValue(), '3');
  await again.locator('textarea').fill('Enige efter en snak om referaterne');
  await again.locator('button').click();
  assert.match(await page.locator('#notice').innerText(), /fælles score er gemt/);
  assert.match(await page.locator('.lead').innerText(), /Færdig/);
  await context.close();
});

test('the second reviewer scores blind on a phone', async () => {
  const phone = await phoneContext(demo.browser);
  const page = await phone.newPage();
  await logIn(page, demo.server.url, 'programkontor2');
  await page.goto(`${demo.server.url}/fidelity`);
  await page.click('#tasks >> text=Vejle');
  // The first reviewer's evidence is nowhere on the page.
  assert.equal(await page.getByText('Set ved besøget').count(), 0);
  assert.ok(await page.locator('#ratings-form fieldset').count() >= 5);
  assert.deepEqual(await accessibilityProblems(page), []);
  await fitsThePhone(page);
  await page.screenshot({ path: join(SHOTS, 'fidelity-blind-phone.png'), fullPage: true });
  await phone.close();
});
