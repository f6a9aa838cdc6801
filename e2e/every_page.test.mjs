// Every page of every role on a 390 × 844 phone: each demo login starts at
// its home page and follows every link it can reach (one page per route
// shape, so /youth/1 and /youth/2 count once), and every page must fit the
// phone without sideways scrolling and pass axe-core. All problems are
// listed together, so one run shows every page to fix. The trial page is
// also read at desktop width, where its diagram must be drawn cleanly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { demoAndBrowser, logIn, accessibilityProblems, phoneContext } from './support.mjs';

const demo = demoAndBrowser({ before, after });

const LOGINS = process.env.SPIRE_CRAWL_LOGINS?.split(',') ?? [
  'sagsbehandler.roskilde', 'konsulent.roskilde', 'psykolog.roskilde', 'teamleder.roskilde',
  'virksomhed.roskilde', 'ung.roskilde', 'forsker', 'programkontor', 'admin',
];
/** Pages per role at most: the demo's roles reach 10–40 route shapes. */
const MAX_PAGES = 60;

/** English words that are never Danish (names in the demo data do not use them). */
const ENGLISH = /\b(the|and|with|from|trial|baseline|take-up|commitment|request|allocation|stratum|none|true|false|null)\b/i;

/** A link's route shape: numbers and long hex values stand for any. */
const shapeOf = (path) => path.replace(/\/\d+(?=\/|$)/g, '/{id}').replace(/[0-9a-f]{16,}/g, '{hex}');

/** Links worth opening as a page: same site, a page (not a file, feed or API answer), not log-out. */
function isPage(href, base) {
  const u = new URL(href, base);
  if (u.origin !== new URL(base).origin) return false;
  return !/^\/(api|static|logout|calendar\/feed)|^\/log\/[^/]+\/|\.(csv|ics|json|pdf|svg|png)$/.test(u.pathname)
    && !/\/(export|download|cv)(\/|$)/.test(u.pathname);
}

async function crawl(context, url, login) {
  const page = await context.newPage();
  await logIn(page, url, login);
  const queue = [`${url}/home`];
  const seen = new Set();
  const problems = [];
  let visited = 0;
  while (queue.length && visited < MAX_PAGES) {
    const target = queue.shift();
    const { pathname, search } = new URL(target);
    const shape = shapeOf(pathname) + (search ? '?' : '');
    if (seen.has(shape)) continue;
    seen.add(shape);
    const response = await page.goto(target);
    visited++;
    const status = response?.status() ?? 0;
    if (status >= 400) {
      problems.push(`${login} ${pathname}${search}: status ${status}`);
      continue;
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0) {
      // Name the widest element, so the fix is one look away.
      const widest = await page.evaluate(() => {
        let best = null;
        for (const el of document.querySelectorAll('main *')) {
          const r = el.getBoundingClientRect();
          if (r.right > window.innerWidth && (!best || r.right > best.right)) best = { right: r.right, tag: el.tagName.toLowerCase(), id: el.id, cls: el.className };
        }
        return best ? `${best.tag}${best.id ? '#' + best.id : ''}${best.cls && typeof best.cls === 'string' ? '.' + best.cls.split(' ').join('.') : ''}` : '?';
      });
      problems.push(`${login} ${pathname}${search}: ${overflow} px wider than the phone (${widest})`);
    }
    for (const problem of await accessibilityProblems(page)) problems.push(`${login} ${pathname}${search}: ${problem}`);
    // Danish pages in Danish: English words that slipped through Fluent.
    // Code (a file name, a key, a command) is not prose.
    const text = await page.locator('main').evaluate((main) => {
      const code = [...main.querySelectorAll('code, pre')];
      code.forEach((el) => { el.dataset.display = el.style.display; el.style.display = 'none'; });
      const prose = main.innerText;
      code.forEach((el) => { el.style.display = el.dataset.display; });
      return prose;
    });
    const english = text.match(ENGLISH);
    if (english) {
      const around = text.slice(Math.max(0, english.index - 30), english.index + 40).replace(/\s+/g, ' ');
      problems.push(`${login} ${pathname}${search}: English "${english[0]}" on a Danish page (…${around}…)`);
    }
    const links = await page.$$eval('a[href]', (as) => as.map((a) => a.href));
    for (const href of links) if (isPage(href, url)) queue.push(new URL(href, url).href.split('#')[0]);
  }
  await page.close();
  return { problems, visited };
}

test('every page of every role fits a 390 px phone and passes axe-core', async () => {
  const url = demo.server.url;
  const problems = [];
  const counts = [];
  for (const login of LOGINS) {
    const context = await phoneContext(demo.browser);
    const result = await crawl(context, url, login);
    await context.close();
    problems.push(...result.problems);
    counts.push(`${login} ${result.visited}`);
  }
  console.log(`pages visited per role: ${counts.join(', ')}`);
  // A crawl that reached almost nothing would prove nothing.
  assert.ok(counts.every((c) => Number(c.split(' ')[1]) >= 4), counts.join(', '));
  assert.deepEqual(problems, []);
});

/** Boxes of the page's SVG diagrams that overlap, text that runs past its box,
 * and text cut off by its container. */
async function drawingProblems(page) {
  return page.evaluate(() => {
    const out = [];
    for (const svg of document.querySelectorAll('figure.chart svg')) {
      const rects = [...svg.querySelectorAll('rect')].map((r) => r.getBoundingClientRect()).filter((b) => b.width > 20 && b.height > 20);
      for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) {
        const [a, b] = [rects[i], rects[j]];
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) out.push(`boxes ${i} and ${j} overlap`);
      }
      for (const t of svg.querySelectorAll('text')) {
        const tb = t.getBoundingClientRect();
        const box = rects.find((r) => tb.left >= r.left - 2 && tb.left <= r.right && tb.top >= r.top - 2 && tb.top <= r.bottom);
        if (box && tb.right > box.right + 1) out.push(`"${t.textContent}" runs past its box`);
      }
    }
    for (const el of document.querySelectorAll('main *')) {
      const s = getComputedStyle(el);
      if ((s.overflowX === 'hidden' || s.textOverflow === 'ellipsis') && el.scrollWidth > el.clientWidth + 1) out.push(`"${el.textContent.slice(0, 60)}" is cut off`);
    }
    return out;
  });
}

test('the trial page at 1280 px: no value cut off, no CONSORT box over another or text past its box', async () => {
  const url = demo.server.url;
  const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'da-DK', bypassCSP: true });
  const page = await context.newPage();
  await logIn(page, url, 'programkontor');
  await page.goto(`${url}/trials`);
  const trial = (await page.$$eval('a', (as) => as.map((a) => a.getAttribute('href')))).find((h) => /^\/trials\/\d+$/.test(h));
  assert.ok(trial, 'the demo trial is listed');
  await page.goto(url + trial);
  assert.equal(await page.locator('svg.consort rect').count(), 5, 'the flow diagram has its five boxes');
  assert.deepEqual(await drawingProblems(page), []);
  // The facts' values keep at least half the card: a long label does not squeeze them.
  const squeezed = await page.$$eval('main dl', (dls) => dls.flatMap((dl) => [...dl.querySelectorAll('dd')]
    .filter((dd) => dd.getBoundingClientRect().width < dl.getBoundingClientRect().width * 0.45)
    .map((dd) => dd.textContent.slice(0, 40))));
  assert.deepEqual(squeezed, []);
  await context.close();
});
