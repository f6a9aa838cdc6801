// An event in a real browser: the youth on a 390 px phone ranks the three
// companies they met; the consultant runs the match and reads each youth's
// explanation; the company contact sees the call with the phone number and
// records an agreed call; the planned internship appears on the youth's own
// page. Every page passes axe-core; the youth's pages fit the phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { demoAndBrowser, logIn, accessibilityProblems, phoneContext, fitsThePhone, SHOTS } from './support.mjs';

const demo = demoAndBrowser({ before, after });


const isoDate = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);

test('from ranking on a phone to the match, the call and the planned internship', async () => {
  // The company contact's company was at the event; the youth will want it most.
  const contactContext = await demo.browser.newContext({ locale: 'da-DK', bypassCSP: true });
  const contact = await contactContext.newPage();
  await logIn(contact, demo.server.url, 'virksomhed.roskilde');
  await contact.click('nav >> text=Events');
  await contact.click('text=NExTWORK-event i går');
  const theirs = await contact.locator('#my-company strong').innerText();
  assert.deepEqual(await accessibilityProblems(contact), []);

  // The youth ranks the three companies they met, on a phone.
  const phone = await phoneContext(demo.browser);
  const youth = await phone.newPage();
  await logIn(youth, demo.server.url, 'ung.roskilde');
  await youth.click('nav >> text=Events');
  await youth.waitForURL(`${demo.server.url}/events`);
  await youth.click('text=NExTWORK-event i går');
  assert.deepEqual(await accessibilityProblems(youth), []);
  await fitsThePhone(youth);
  const selects = youth.locator('#choices select');
  assert.equal(await selects.count(), 3, 'the youth met three companies');
  const companies = [];
  for (let i = 0; i < 3; i++) {
    const id = await selects.nth(i).getAttribute('id');
    companies.push(await youth.locator(`label[for="${id}"]`).innerText());
  }
  // Two companies with one number is refused, and the numbers typed are kept.
  await selects.nth(0).selectOption('1');
  await selects.nth(1).selectOption('1');
  await youth.click('#choices button:text("Gem")');
  assert.match(await youth.locator('#order-error').innerText(), /samme nummer/);
  assert.equal(await selects.nth(1).inputValue(), '1');
  // Theirs first, the others after, in the order met.
  const order = [theirs, ...companies.filter((c) => c !== theirs)];
  assert.equal(order.length, 3, `${theirs} was met`);
  for (let i = 0; i < 3; i++) await selects.nth(companies.indexOf(order[i])).selectOption(String(i + 1));
  companies.splice(0, 3, ...order);
  await Promise.all([youth.waitForURL(/saved=ranking#choices$/), youth.click('#choices button:text("Gem")')]);
  assert.equal(await youth.locator('#notice').innerText(), 'Din prioritering er gemt.');
  // One tap moves a company one place: the third becomes second, and back.
  // The address stays the same, so wait for the new page itself.
  const tap = async (name) => {
    await Promise.all([youth.waitForEvent('framenavigated'), youth.getByRole('button', { name }).click()]);
    await youth.waitForLoadState('load');
  };
  await tap(`Flyt ${companies[2]} op`);
  assert.equal(await youth.locator('#choices select').nth(1).inputValue(), '2');
  assert.equal(await youth.locator('#choices label').nth(1).innerText(), companies[2]);
  await tap(`Flyt ${companies[2]} ned`);
  assert.equal(await youth.locator('#choices label').nth(2).innerText(), companies[2]);
  assert.deepEqual(await accessibilityProblems(youth), []);
  await fitsThePhone(youth);
  await youth.screenshot({ path: join(SHOTS, 'event-youth-ranks-phone.png'), fullPage: true });

  // The consultant runs the match and reads why each youth got what they got.
  const desk = await demo.browser.newContext({ locale: 'da-DK', bypassCSP: true });
  const consultant = await desk.newPage();
  await logIn(consultant, demo.server.url, 'konsulent.roskilde');
  await consultant.goto(youth.url().replace(/\?.*$/, ''));
  assert.deepEqual(await accessibilityProblems(consultant), []);
  await Promise.all([consultant.waitForURL(/saved=match$/), consultant.click('#match button[type=submit]')]);
  assert.match(await consultant.locator('#notice').innerText(), /Matchet er kørt/);
  const rows = consultant.locator('#matches tbody tr');
  assert.ok((await rows.count()) >= 3);
  assert.match(await consultant.locator('#matches').innerText(), /Du fik dit 1\. valg/);
  assert.deepEqual(await accessibilityProblems(consultant), []);
  await consultant.screenshot({ path: join(SHOTS, 'event-match.png'), fullPage: true });

  // The youth reads their result and why.
  await youth.reload();
  assert.equal(await youth.locator('#my-result').innerText(), companies[0]);
  assert.match(await youth.locator('#why').innerText(), new RegExp(`Du fik dit 1\\. valg \\(${companies[0]}\\)`));
  await fitsThePhone(youth);

  // The company's contact sees the call with the number, and agrees an internship.
  await contact.click('nav >> text=Opkald');
  await contact.waitForURL(`${demo.server.url}/calls`);
  const call = contact.locator('.call').first();
  assert.match(await call.locator('a[href^="tel:"]').innerText(), /^\+45/);
  assert.deepEqual(await accessibilityProblems(contact), []);
  const prefix = (await call.getAttribute('id'));
  await call.locator(`#${prefix}-outcome`).selectOption('agreed');
  await call.locator(`#${prefix}-function`).fill('Lagermedhjælper fra eventet');
  await call.locator(`#${prefix}-start_date`).fill(isoDate(220));
  await call.locator(`#${prefix}-end_date`).fill(isoDate(240));
  // 45 hours a week is over the law's limit: refused at the field, typed values kept.
  await call.locator(`#${prefix}-hours_per_week`).fill('45');
  await call.locator('button[type=submit]').click();
  assert.match(await contact.locator(`#${prefix}-hours_per_week-error`).innerText(), /.+/);
  assert.equal(await contact.locator(`#${prefix}-function`).inputValue(), 'Lagermedhjælper fra eventet');
  await contact.locator(`#${prefix}-hours_per_week`).fill('25');
  await Promise.all([contact.waitForURL(/saved=call$/), contact.locator(`#${prefix} button[type=submit]`).click()]);
  assert.equal(await contact.locator('#notice').innerText(), 'Opkaldet er noteret.');
  assert.match(await contact.locator(`#${prefix}`).innerText(), /Praktik aftalt/);
  assert.deepEqual(await accessibilityProblems(contact), []);

  // The planned internship is on the youth's own page.
  await youth.goto(`${demo.server.url}/me/internships`);
  assert.match(await youth.locator('main').innerText(), /Lagermedhjælper fra eventet/);
  assert.deepEqual(await accessibilityProblems(youth), []);
  await fitsThePhone(youth);
  await phone.close();
  await desk.close();
  await contactContext.close();
});

test('a youth logs in with the one-time code the consultant gives', async () => {
  const desk = await demo.browser.newContext({ locale: 'da-DK', bypassCSP: true });
  const consultant = await desk.newPage();
  await logIn(consultant, demo.server.url, 'konsulent.roskilde');
  await consultant.goto(`${demo.server.url}/events`);
  await consultant.click('text=NExTWORK-event i går');
  const youthLink = consultant.locator('#youth a[href^="/youth/"]').nth(1);
  const href = await youthLink.getAttribute('href');
  await consultant.goto(`${demo.server.url}${href}`);
  await consultant.click('#login-code-form button[type=submit]');
  const code = (await consultant.locator('#login-code').innerText()).trim();
  assert.match(code, /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  assert.deepEqual(await accessibilityProblems(consultant), []);

  const phone = await phoneContext(demo.browser);
  const page = await phone.newPage();
  await page.goto(`${demo.server.url}/login`);
  await page.click('text=Log ind med koden');
  await page.fill('#code', 'AAAAA-AAAAA');
  await page.click('button[type=submit]');
  assert.match(await page.locator('.error').innerText(), /passer ikke/);
  await page.fill('#code', code.toLowerCase().replace('-', ' '));
  await Promise.all([page.waitForURL(`${demo.server.url}/events`), page.click('button[type=submit]')]);
  assert.match(await page.locator('#events').innerText(), /NExTWORK-event i går/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await fitsThePhone(page);
  await phone.close();
  await desk.close();
});
