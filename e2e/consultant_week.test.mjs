// The consultant's week in a real browser: a consultant plans an internship
// for a youth, changes its function, extends it with a reason and sees the
// history; the youth, on a phone, ends another internship with a reason; the
// consultant sees the task on their week. Every page passes axe-core.
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

const iso = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);

test('a consultant plans, changes and extends an internship and sees the history', async () => {
  const context = await browser.newContext({ locale: 'da-DK', bypassCSP: true });
  const page = await context.newPage();
  await logIn(page, server.url, 'konsulent.roskilde');
  await page.click('nav >> text=Min uge');
  await page.waitForURL(`${server.url}/week`);
  assert.equal(await page.locator('h1').innerText(), 'Min uge');
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(SHOTS, 'week-consultant-da.png'), fullPage: true });

  // A youth's course, then a new internship far ahead (no overlap with the demo's).
  await page.locator('table a[href$="/course"]').first().click();
  await page.waitForURL(/\/youth\/\d+\/course$/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.click('#new-internship');
  await page.waitForURL(/\/internships\/new$/);
  const company = await page.locator('#company_id option').nth(1).getAttribute('value');
  await page.selectOption('#company_id', company);
  await page.fill('#function', 'Lagermedhjælper');
  await page.fill('#start_date', iso(400));
  await page.fill('#end_date', iso(419));
  // 45 hours is refused at the field, and what was typed stays.
  await page.fill('#hours_per_week', '45');
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
  assert.match(await page.locator('#hours_per_week-error').innerText(), /Højst 37 timer/);
  assert.equal(await page.inputValue('#function'), 'Lagermedhjælper');
  await page.fill('#hours_per_week', '30');
  await Promise.all([page.waitForURL(/\/internships\/\d+\?saved=created$/), page.click('button[type=submit]')]);
  assert.equal(await page.locator('#notice').innerText(), 'Praktikken er oprettet.');

  await page.click('#form-function summary');
  await page.fill('#form-function #function', 'Truckfører');
  await page.fill('#form-function #from_date', iso(405));
  await Promise.all([page.waitForURL(/saved=function$/), page.click('#form-function button[type=submit]')]);

  await page.click('#form-extend summary');
  await page.fill('#new_end_date', iso(440));
  await page.fill('#form-extend #reason', 'Særligt behov for at lære truckkørsel');
  await page.fill('#decided_by', 'Teamleder Lene');
  await Promise.all([page.waitForURL(/saved=extend$/), page.click('#form-extend button[type=submit]')]);
  assert.equal(await page.locator('#notice').innerText(), 'Praktikken er forlænget.');
  const history = await page.locator('#history').innerText();
  assert.match(history, /Lagermedhjælper → Truckfører/);
  assert.match(history, /Begrundelse: Særligt behov for at lære truckkørsel\. Besluttet af Teamleder Lene\./);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(SHOTS, 'internship-consultant-da.png'), fullPage: true });
  await context.close();
});

test('the youth ends an internship from a phone and the consultant gets the task', async () => {
  const phone = await browser.newContext({ locale: 'da-DK', bypassCSP: true, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await phone.newPage();
  await logIn(page, server.url, 'ung.roskilde');
  await page.click('nav >> text=Mine praktikker');
  await page.waitForURL(`${server.url}/me/internships`);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.locator('tr', { hasText: 'Planlagt' }).locator('a').first().click();
  await page.waitForURL(/\/internships\/\d+$/);
  await page.click('#form-end summary');
  // A reason is required; the page says so at the field.
  await Promise.all([page.waitForLoadState('load'), page.click('#form-end button[type=submit]')]);
  assert.ok(await page.locator('#reason-error').isVisible());
  await page.fill('#form-end #reason', 'Butik passer ikke til mig – jeg vil hellere være på lager');
  await Promise.all([page.waitForURL(/saved=end$/), page.click('#form-end button[type=submit]')]);
  assert.match(await page.locator('#status').innerText(), /Afbrudt af den unge/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page fits a 390 px phone (overflow ${overflow} px)`);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(SHOTS, 'internship-youth-phone.png'), fullPage: true });
  await phone.close();

  const desk = await browser.newContext({ locale: 'da-DK', bypassCSP: true });
  const consultant = await desk.newPage();
  await logIn(consultant, server.url, 'konsulent.roskilde');
  await consultant.goto(`${server.url}/week`);
  const task = consultant.locator('#week-items li', { hasText: 'Den unge har afsluttet en praktik' });
  assert.equal(await task.count(), 1);
  await Promise.all([consultant.waitForURL(/\/internships\/\d+$/), task.locator('a').click()]);
  assert.match(await consultant.locator('#history').innerText(), /Butik passer ikke til mig/);
  await desk.close();
});
