// The evaluation page in a real browser: a researcher opens the demo trial's
// report (locked plan with its hash, forest plot, Lee bounds), downloads the
// JSON, runs an exploratory analysis that is marked as a deviation, and
// uploads a wrong outcome file that is refused with the line named and the
// cell not shown back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

test('a researcher reads, downloads and explores the evaluation, and a bad file is refused', async () => {
  const context = await browser.newContext({ locale: 'da-DK', acceptDownloads: true, bypassCSP: true });
  const page = await context.newPage();
  await logIn(page, server.url, 'forsker');
  await page.goto(`${server.url}/trials`);
  await Promise.all([page.waitForLoadState('load'), page.click('text=Evaluering')]);
  assert.match(page.url(), /\/trials\/\d+\/evaluation$/);

  await page.waitForSelector('#adherence .ok');
  const hash = (await page.textContent('#plan-hash')).trim();
  assert.match(hash, /^[0-9a-f]{64}$/);
  // Three planned outcome columns, all imported: three rows and three intervals in the forest plot.
  assert.equal(await page.locator('#itt tbody tr').count(), 3);
  assert.equal(await page.locator('svg.forest rect').count(), 3);
  assert.ok((await page.locator('#lee tbody tr').count()) > 0, 'attrition differs by arm: Lee bounds shown');
  assert.match(await page.textContent('#mde'), /standardafvigelser/);
  const problems = await accessibilityProblems(page);
  assert.deepEqual(problems, [], JSON.stringify(problems, null, 2));
  await page.screenshot({ path: join(SHOTS, 'evaluation-da.png'), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Hent rapporten som JSON')]);
  const report = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(report.plan_digest, hash);
  assert.equal(report.follows_plan, true);
  assert.equal(report.outcomes.length, 3);
  assert.ok(report.outcomes.every((o) => o.itt && o.ri_p_value > 0 && o.romano_wolf_p_value > 0));

  await page.selectOption('#explore-estimator', 'lin');
  await Promise.all([page.waitForLoadState('load'), page.click('#explore button[type=submit]')]);
  assert.match(await page.textContent('#adherence'), /afviger fra den låste analyseplan/);
  assert.match(await page.textContent('#adherence li'), /Estimator/);

  const dir = mkdtempSync(join(tmpdir(), 'spire-outcomes-'));
  const file = join(dir, 'udfald.csv');
  writeFileSync(file, 'pseudonym;in_work_or_education_6m\n010190-1234;1\n');
  await page.goto(`${server.url}${new URL(page.url()).pathname}`);
  await page.setInputFiles('#file', file);
  await Promise.all([page.waitForLoadState('load'), page.click('#import button[type=submit]')]);
  const notice = await page.textContent('#notice');
  assert.match(notice, /Linje 2/);
  assert.ok(!(await page.content()).includes('010190-1234'), 'the refused cell is not shown back');
  await context.close();
});
