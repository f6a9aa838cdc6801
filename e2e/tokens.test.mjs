// API tokens in a real browser on a 390 px phone: a researcher makes a token
// on API-nøgler, sees it once (a reload of the form makes no second one),
// uses it against the API from outside the browser, revokes it, and the API
// then answers 401. axe-core clean; nothing scrolls sideways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { demoAndBrowser, logIn, accessibilityProblems, phoneContext, fitsThePhone, SHOTS } from './support.mjs';

const demo = demoAndBrowser({ before, after });

test('a researcher makes an API token on a phone, uses it and revokes it', async () => {
  const url = demo.server.url;
  const phone = await phoneContext(demo.browser);
  const page = await phone.newPage();
  await logIn(page, url, 'forsker');
  await page.goto(`${url}/account/tokens`);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.fill('#label', 'Udtræk til R');
  await page.fill('#days', '30');
  const sent = {
    csrf: await page.inputValue('form[action="/account/tokens"] input[name=csrf]'),
    nonce: await page.inputValue('form[action="/account/tokens"] input[name=nonce]'),
    label: 'Udtræk til R',
    days: '30',
  };
  await page.click('form[action="/account/tokens"] button[type=submit]');
  const secret = (await page.locator('#new-token').innerText()).trim();
  assert.match(secret, /^spire_[0-9a-f]+$/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await fitsThePhone(page);
  await page.screenshot({ path: join(SHOTS, 'tokens-phone.png'), fullPage: true });

  // The same form sent again (a reload): no second token, the secret not shown again.
  const again = await phone.request.post(`${url}/account/tokens`, { form: sent, headers: { origin: url } });
  assert.equal(again.status(), 200);
  const body = await again.text();
  assert.match(body, /allerede lavet/);
  assert.ok(!body.includes(secret));

  const me = async () => (await fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } })).status;
  assert.equal(await me(), 200);
  await page.goto(`${url}/account/tokens`);
  assert.match(await page.locator('#tokens tbody tr').innerText(), /Udtræk til R/);
  await Promise.all([page.waitForURL(`${url}/account/tokens?revoked=1`), page.locator('#tokens button').click()]);
  assert.match(await page.locator('#notice').innerText(), /tilbagekaldt/);
  await fitsThePhone(page);
  assert.equal(await me(), 401);
  await phone.close();
});
