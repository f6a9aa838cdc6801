// The newcomer's first five minutes, in a real browser: a consultant logs in,
// sees the youth list in Danish, switches to English; the pages pass axe-core.
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

test('a consultant logs in, sees the youth list in Danish and switches to English', async () => {
  // bypassCSP only so the test can inject axe-core; the app's CSP is tested in Rust.
  const context = await browser.newContext({ locale: 'da-DK', bypassCSP: true });
  const page = await context.newPage();
  await logIn(page, server.url, 'konsulent.roskilde');
  assert.match(await page.locator('h1').innerText(), /^Hej /);
  await page.screenshot({ path: join(SHOTS, 'home-consultant-da.png'), fullPage: true });

  await page.click('nav >> text=Unge');
  await page.waitForURL(`${server.url}/youth`);
  assert.equal(await page.getAttribute('html', 'lang'), 'da');
  assert.equal(await page.locator('h1').innerText(), 'Unge');
  assert.match(await page.locator('#results p.muted').innerText(), /^\d+ unge$/);
  const rows = await page.locator('#results tbody tr').count();
  assert.ok(rows >= 10, `expected a page of youth, saw ${rows}`);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: join(SHOTS, 'youth-list-da.png'), fullPage: true });

  // Live search (htmx) narrows the list without a page load.
  const firstName = (await page.locator('#results tbody tr td a').first().innerText()).split(' ')[0];
  await page.fill('#q', firstName);
  await page.waitForFunction(
    (name) => [...document.querySelectorAll('#results tbody tr td a')].every((a) => a.textContent.includes(name)),
    firstName,
  );

  await page.click('button[name=lang]');
  await page.waitForURL(`${server.url}/youth`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.locator('h1').innerText(), 'Young people');
  assert.match(await page.locator('#results p.muted').innerText(), /young (people|person)$/);
  await page.screenshot({ path: join(SHOTS, 'youth-list-en.png'), fullPage: true });

  // A youth page: work identity first.
  await page.locator('#results tbody tr td a').first().click();
  await page.waitForURL(/\/youth\/\d+$/);
  assert.equal(await page.locator('h2').first().innerText(), 'Work identity');
  assert.deepEqual(await accessibilityProblems(page), []);
  await context.close();
});

test('every demo login reaches a home page with content, and bad input gets a message by the field', async () => {
  const context = await browser.newContext({ locale: 'da-DK', bypassCSP: true });
  const page = await context.newPage();
  for (const login of ['sagsbehandler.roskilde', 'psykolog.roskilde', 'teamleder.roskilde', 'virksomhed.roskilde',
    'ung.roskilde', 'forsker', 'programkontor', 'admin']) {
    await logIn(page, server.url, login);
    const text = await page.locator('main').innerText();
    assert.ok(text.length > 40, `${login}: the home page is empty`);
    assert.deepEqual(await accessibilityProblems(page), [], `${login} home`);
    await page.screenshot({ path: join(SHOTS, `home-${login}.png`), fullPage: true });
    await page.click('text=Log ud');
    await page.waitForURL(`${server.url}/login`);
  }
  await logIn(page, server.url, 'sagsbehandler.roskilde');
  await page.goto(`${server.url}/youth/new`);
  await page.fill('#cpr', '310299-1234');
  await page.fill('#last_name', 'Lund');
  await page.click('button[type=submit]');
  assert.match(await page.locator('#cpr-error').innerText(), /gyldig fødselsdato/);
  assert.match(await page.locator('#first_name-error').innerText(), /Skal udfyldes/);
  assert.equal(await page.inputValue('#cpr'), '', 'the CPR number is not written back into the page');
  assert.equal(await page.inputValue('#last_name'), 'Lund');
  await page.screenshot({ path: join(SHOTS, 'youth-new-errors-da.png'), fullPage: true });
  await context.close();
});
