// The programme office in a real browser: the dashboard of every
// municipality, two municipalities compared side by side, the CSV file; the
// team lead's own figures and forecast on a 390 px phone; a new
// municipality's first-year plan. axe-core clean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { demoAndBrowser, logIn, accessibilityProblems, phoneContext, fitsThePhone, SHOTS } from './support.mjs';

const demo = demoAndBrowser({ before, after });

test('the programme office compares two municipalities and downloads the figures', async () => {
  const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'da-DK', bypassCSP: true, acceptDownloads: true });
  const page = await context.newPage();
  await logIn(page, demo.server.url, 'programkontor');
  await page.click('nav >> text=Tal og overblik');
  await page.waitForURL(`${demo.server.url}/dashboard`);
  assert.deepEqual(await accessibilityProblems(page), []);
  const allRows = await page.locator('#youth tbody tr').count();
  assert.ok(allRows >= 4, `every municipality and the total: ${allRows}`);

  await page.click('summary >> text=Sammenlign kommuner');
  await page.check('label:has-text("Roskilde") input');
  await page.check('label:has-text("Horsens") input');
  await Promise.all([page.waitForURL(/\/dashboard\?period=.*&m=\d+&m=\d+$/), page.click('button >> text=Vis')]);
  const names = await page.locator('#youth tbody th').allInnerTexts();
  assert.deepEqual(names, ['Horsens', 'Roskilde', 'Alle kommuner']);
  // Each chart has a bar per municipality compared and the total, titled for a screen reader.
  assert.equal(await page.locator('#interruptions svg rect').count(), 3);
  assert.match(await page.locator('#interruptions svg title').first().innerHTML(), /Andel afbrudt/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(SHOTS, 'dashboard-compare.png'), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Hent som CSV')]);
  const csv = await (await import('node:fs/promises')).readFile(await download.path(), 'utf8');
  const lines = csv.trim().split('\r\n');
  assert.match(lines[0], /^municipality_code;municipality;youth_active;/);
  assert.equal(lines.length, 4, 'the header, Horsens, Roskilde and the total');
  await context.close();
});

test('a team lead reads their own figures on a phone', async () => {
  const phone = await phoneContext(demo.browser);
  const page = await phone.newPage();
  await logIn(page, demo.server.url, 'teamleder.roskilde');
  await page.goto(`${demo.server.url}/dashboard`);
  assert.equal(await page.locator('#caseload tbody tr').count(), 1);
  assert.equal(await page.getByText('<5', { exact: true }).count(), 0);
  assert.deepEqual(await accessibilityProblems(page), []);
  await fitsThePhone(page);
  await page.screenshot({ path: join(SHOTS, 'dashboard-team-lead-phone.png'), fullPage: true });
  // The forecast: the municipality's own band chart, what it means, and what it starts from.
  await page.goto(`${demo.server.url}/forecast`);
  assert.equal(await page.locator('section.card').count(), 1);
  assert.match(await page.locator('.verdict').innerText(), /normen|visiteres|vokse/);
  assert.equal(await page.locator('section.card svg polygon').count(), 1, 'the band');
  assert.deepEqual(await accessibilityProblems(page), []);
  await fitsThePhone(page);
  await page.screenshot({ path: join(SHOTS, 'forecast-team-lead-phone.png'), fullPage: true });
  await phone.close();
});

test('the programme office follows a new municipality through its first year', async () => {
  const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'da-DK', bypassCSP: true });
  const page = await context.newPage();
  await logIn(page, demo.server.url, 'programkontor');
  await page.click('nav >> text=Nye kommuner');
  await page.waitForURL(`${demo.server.url}/onboarding`);
  assert.deepEqual(await accessibilityProblems(page), []);
  assert.match(await page.locator('#plans').innerText(), /Næstved[\s\S]*forsinket/);
  await Promise.all([page.waitForURL(/\/onboarding\/\d+$/), page.click('#plans a >> text=Næstved')]);
  assert.deepEqual(await accessibilityProblems(page), []);
  // The late milestone is open; mark it under way with a note.
  const late = page.locator('details.milestone[open]').first();
  assert.match(await late.locator('summary').innerText(), /Ansættelse af de første medarbejdere[\s\S]*forsinket/);
  await late.locator('select[name=status]').selectOption('doing');
  await late.locator('textarea[name=notes]').fill('Opslaget er sendt.');
  await Promise.all([page.waitForURL(/saved=item/), late.locator('button[type=submit]').click()]);
  assert.equal(await page.locator('#notice').innerText(), 'Milepælen er gemt.');
  assert.match(await page.locator('.lead').innerText(), /2 i gang/);
  await page.screenshot({ path: join(SHOTS, 'onboarding-plan.png'), fullPage: true });
  await context.close();
});
