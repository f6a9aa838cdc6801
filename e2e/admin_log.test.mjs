// Log-in waits and the administration log in a real browser: someone guesses
// a consultant's password three times; the log-in page says to wait a minute
// (not a day); the team lead, on a 390 px phone, sees the waiting consultant
// on Administrationslog, lifts the wait, and the consultant logs in. The
// administrator reads every change with who made it. axe-core clean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { demoAndBrowser, logIn, accessibilityProblems, phoneContext, fitsThePhone, SHOTS, PASSWORD } from './support.mjs';

const demo = demoAndBrowser({ before, after });

test('a team lead lifts a consultant\'s wait on a phone, and the administrator reads the log', async () => {
  const url = demo.server.url;
  const guesser = await demo.browser.newContext({ locale: 'da-DK', bypassCSP: true });
  const guess = await guesser.newPage();
  for (let i = 0; i < 3; i++) {
    await guess.goto(`${url}/login`);
    await guess.fill('#login', 'konsulent.roskilde');
    await guess.fill('#password', `forkert-${i}`);
    await guess.click('button[type=submit]');
  }
  await guess.goto(`${url}/login`);
  await guess.fill('#login', 'konsulent.roskilde');
  await guess.fill('#password', PASSWORD);
  await guess.click('button[type=submit]');
  assert.match(await guess.locator('main').innerText(), /Prøv igen om et minut/);

  const phone = await phoneContext(demo.browser);
  const lead = await phone.newPage();
  await logIn(lead, url, 'teamleder.roskilde');
  await lead.goto(`${url}/admin/log`);
  const waiting = lead.locator('#waiting-logins tbody tr');
  assert.equal(await waiting.count(), 1);
  assert.match(await waiting.innerText(), /konsulent\.roskilde/);
  assert.deepEqual(await accessibilityProblems(lead), []);
  await fitsThePhone(lead);
  await lead.screenshot({ path: join(SHOTS, 'admin-log-team-lead-phone.png'), fullPage: true });
  await Promise.all([lead.waitForURL(`${url}/admin/log?unblocked=1`), waiting.locator('button').click()]);
  assert.match(await lead.locator('#notice').innerText(), /Ventetiden er ophævet/);
  assert.equal(await lead.locator('#waiting-logins').count(), 0);
  assert.match(await lead.locator('#admin-changes tbody tr').first().innerText(), /teamleder\.roskilde.*Ventetid ophævet.*konsulent\.roskilde/s);
  await fitsThePhone(lead);

  await logIn(guess, url, 'konsulent.roskilde');

  const desk = await demo.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'da-DK', bypassCSP: true });
  const admin = await desk.newPage();
  await logIn(admin, url, 'admin');
  await admin.click('nav >> text=Administrationslog');
  await admin.waitForURL(`${url}/admin/log`);
  const changes = await admin.locator('#admin-changes tbody').innerText();
  assert.match(changes, /Ventetid ophævet/);
  assert.match(changes, /spire demo.*Bruger oprettet/, 'the demo\'s accounts are in the log with who made them');
  assert.deepEqual(await accessibilityProblems(admin), []);
  await Promise.all([guesser.close(), phone.close(), desk.close()]);
});
