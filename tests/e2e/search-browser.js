// Drives the search pages of a built zone site in headless Chromium.
// Usage: node tests/e2e/search-browser.js PUBLIC_DIR     (see search.sh)
// Prints one line per check and "search e2e: N passed, N failed"; exits 1 on a failure.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');
const { serve } = require('./serve-static');

const dir = process.argv[2];
if (!dir || !fs.existsSync(path.join(dir, 'search-index'))) {
  console.error('usage: search-browser.js PUBLIC_DIR (a site built with [search] enabled = true)');
  process.exit(2);
}


let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log(`ok   ${name}`); } else { failed++; console.log(`FAIL ${name}${detail ? ': ' + detail : ''}`); }
}

// Types `query` key by key (results come as you type) and waits for the status line to
// settle on a count or on "no match".
async function typeQuery(page, query) {
  const input = page.locator('#search-q');
  await input.fill('');
  await input.pressSequentially(query, { delay: 30 });
  return settle(page);
}

async function settle(page) {
  const loading = await page.getAttribute('#search', 'data-msg-loading');
  await page.waitForFunction((l) => {
    const s = document.querySelector('.search__status').textContent;
    return s && s !== l;
  }, loading, { timeout: 15000 });
  await page.waitForTimeout(400);  // the debounce: a later keystroke may still be pending
  await page.waitForFunction((l) => document.querySelector('.search__status').textContent !== l, loading);
  return page.evaluate(() => ({
    status: document.querySelector('.search__status').textContent,
    hrefs: Array.from(document.querySelectorAll('.search__results a')).map((a) => a.getAttribute('href')),
    marks: Array.from(document.querySelectorAll('.search__results mark')).map((m) => m.textContent),
    first: (() => { const li = document.querySelector('.search__results li'); return li ? li.innerText : ''; })(),
  }));
}

(async () => {
  const server = await serve(dir);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'qiao-search-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.route('**/*', (r) => (r.request().url().startsWith(server.origin + '/') ? r.continue() : r.abort()));
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') console.log(`     console: ${m.text()}`); });
    const open = async (p) => { await page.goto(server.origin + p); await page.waitForSelector('#search.search--ready'); };

    const cases = [
      ['/search/', '新能源汽车', '/bases/core-zone/', '/'],
      ['/en/search/', 'rail transit', '/en/bases/xinhui/', '/en/'],
      ['/de/search/', 'Schienenverkehr', '/de/bases/xinhui/', '/de/'],
      ['/de/search/', 'Kaiping', '/de/bases/kaiping/', '/de/'],
      ['/de/search/', 'münchen kaiping', '/de/bases/kaiping/', '/de/'],
    ];
    for (const [url, query, want, prefix] of cases) {
      await open(url);
      const r = await typeQuery(page, query);
      const rank = r.hrefs.indexOf(want);
      check(`${url} "${query}" finds ${want}`, rank >= 0, `status "${r.status}", results ${r.hrefs.join(' ')}`);
      check(`${url} "${query}": ${want} among the first three`, rank >= 0 && rank < 3, `rank ${rank + 1}`);
      check(`${url} "${query}": results only in the page's language`,
        r.hrefs.length > 0 && r.hrefs.every((h) => h.startsWith(prefix) && !/^\/(en|de)\//.test(h.slice(prefix.length - 1)) === (prefix === '/' ? true : true)),
        r.hrefs.join(' '));
      check(`${url} "${query}": matches are highlighted`, r.marks.length > 0, r.first);
      check(`${url} "${query}": status counts results`, /\d|One|Eine/.test(r.status), r.status);
    }
    // Chinese results may not link to the other languages' trees.
    await open('/search/');
    let r = await typeQuery(page, '新能源汽车');
    check('zh results stay in Chinese', r.hrefs.every((h) => !h.startsWith('/en/') && !h.startsWith('/de/')), r.hrefs.join(' '));
    check('zh result shows title, section and excerpt', /核心区/.test(r.first) && /基地|布局/.test(r.first), r.first);

    // No match says so, in the page's language.
    await open('/en/search/');
    r = await typeQuery(page, 'qqzyxw');
    check('no match says so', r.hrefs.length === 0 && r.status.includes('No page matches') && r.status.includes('qqzyxw'), r.status);
    await open('/de/search/');
    r = await typeQuery(page, 'Zzyzxq');
    check('no match says so (de)', r.hrefs.length === 0 && r.status.includes('Keine Seite'), r.status);

    // The form is a GET: ?q= in the URL runs the search, and typing updates the URL.
    await page.goto(server.origin + '/en/search/?q=' + encodeURIComponent('rail transit'));
    r = await settle(page);
    check('?q= runs the search', r.hrefs.includes('/en/bases/xinhui/'), r.hrefs.join(' '));
    await typeQuery(page, 'Kaiping');
    check('typing updates ?q=', new URL(page.url()).searchParams.get('q') === 'Kaiping', page.url());

    // Keyboard: arrow keys from the box into the results and back, Enter follows.
    await page.focus('#search-q');
    await page.keyboard.press('ArrowDown');
    const first = await page.evaluate(() => document.activeElement.getAttribute('href'));
    check('ArrowDown moves to the first result', first === r.hrefs[0] || first === '/en/bases/kaiping/', String(first));
    await page.keyboard.press('ArrowUp');
    check('ArrowUp goes back to the search box', await page.evaluate(() => document.activeElement.id === 'search-q'));
    const live = await page.getAttribute('.search__status', 'aria-live');
    check('the result count is in an aria-live region', live === 'polite');
    await page.focus('#search-q');
    await page.keyboard.press('ArrowDown');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    check('Enter on a result opens it', new URL(page.url()).pathname.startsWith('/en/bases/'), page.url());

    check('no script errors', errors.length === 0, errors.join('; '));
  } catch (e) {
    failed++;
    console.log(`FAIL ${e.stack || e}`);
  } finally {
    await browser.close();
    server.stop();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(`search e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
