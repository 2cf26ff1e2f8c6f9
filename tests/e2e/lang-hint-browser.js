// The language hint of the zone theme (partials/lang-hint.html, static/lang-hint.js) in
// headless Chromium, with the browser's preferred languages set per context.
// Usage: node tests/e2e/lang-hint-browser.js PUBLIC_DIR     (run by search.sh)
// Prints one line per check and "lang-hint e2e: N passed, N failed"; exits 1 on a failure.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');
const { serve } = require('./serve-static');

const dir = process.argv[2];
if (!dir || !fs.existsSync(path.join(dir, 'index.html'))) {
  console.error('usage: lang-hint-browser.js PUBLIC_DIR (the built zone site)');
  process.exit(2);
}

let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log(`ok   ${name}`); } else { failed++; console.log(`FAIL ${name}${detail ? ': ' + detail : ''}`); }
}

// A browser whose preferred language is `locale`, with its own profile (own localStorage).
async function browserFor(locale) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'qiao-hint-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    locale,
    viewport: { width: 390, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { context, close: async () => { await context.close(); fs.rmSync(profile, { recursive: true, force: true }); } };
}

// The visible hints of a page: [{lang, text, href}].
async function visibleHints(page) {
  return page.evaluate(() => Array.from(document.querySelectorAll('.lang-hint__item'))
    .filter((p) => p.offsetParent !== null)
    .map((p) => ({ lang: p.lang, text: p.innerText, href: p.querySelector('a').getAttribute('href') })));
}

(async () => {
  const server = await serve(dir);
  const opened = [];
  try {
    const errors = [];
    const open = async (ctx, p) => {
      const page = await ctx.context.newPage();
      await page.route('**/*', (r) => (r.request().url().startsWith(server.origin + '/') ? r.continue() : r.abort()));
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(server.origin + p);
      await page.waitForLoadState('load');
      return page;
    };

    const de = await browserFor('de-DE'); opened.push(de);
    let page = await open(de, '/');
    let hints = await visibleHints(page);
    check('German browser on the Chinese home: one hint, in German, to /de/',
      hints.length === 1 && hints[0].lang === 'de' && hints[0].href === '/de/' && /Deutsch/.test(hints[0].text),
      JSON.stringify(hints));
    page = await open(de, '/news/zone-unveiling/');
    hints = await visibleHints(page);
    check('German browser on a Chinese article: the hint links the German article',
      hints.length === 1 && hints[0].href === '/de/news/zone-unveiling/', JSON.stringify(hints));
    await page.locator('.lang-hint__item:not([hidden]) .lang-hint__close').click();
    hints = await visibleHints(page);
    check('Dismiss hides the hint', hints.length === 0, JSON.stringify(hints));
    page = await open(de, '/');
    hints = await visibleHints(page);
    check('a dismissed hint stays dismissed on the next page', hints.length === 0, JSON.stringify(hints));
    page = await open(de, '/de/');
    check('no hint on a German page', (await visibleHints(page)).length === 0);

    const en = await browserFor('en-GB'); opened.push(en);
    page = await open(en, '/');
    hints = await visibleHints(page);
    check('English browser on the Chinese home: one hint, in English, to /en/',
      hints.length === 1 && hints[0].lang === 'en-GB' && hints[0].href === '/en/', JSON.stringify(hints));
    const focusable = await page.locator('.lang-hint__item:not([hidden]) .lang-hint__close').evaluate((b) => b.tagName);
    check('the dismiss control is a button', focusable === 'BUTTON');

    const zh = await browserFor('zh-CN'); opened.push(zh);
    page = await open(zh, '/');
    check('Chinese browser: no hint', (await visibleHints(page)).length === 0);

    check('no script errors', errors.length === 0, errors.join('; '));
  } catch (e) {
    failed++;
    console.log(`FAIL ${e.stack || e}`);
  } finally {
    for (const b of opened) await b.close();
    server.stop();
  }
  console.log(`lang-hint e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
