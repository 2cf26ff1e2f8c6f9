// Measures search in headless Chromium on a built corpus (see search-bench.sh): for each
// query, a fresh browser context (empty cache) opens the search page, submits the query and
// waits until the results are on screen. Reports the time from submit to results, and the
// index files fetched (Resource Timing), raw and gzip -6 as a static host would send them;
// then a second, different query in the same page (warm manifest and caches).
// Chromium gets a fresh temporary --user-data-dir from playwright's launch().
// Usage: node tests/e2e/search-bench.js PUBLIC_DIR
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { chromium } = require('playwright-core');

const dir = process.argv[2];
// [language, page, first query, second query]: a rare and a common query per language.
const CASES = [
  ['zh', '/search/', '新能源汽车', '合作区'],
  ['zh', '/search/', '智能化生产线', '江门 大健康'],
  ['en', '/en/search/', 'rail transit', 'cooperation zone'],
  ['en', '/en/search/', 'Greater Bay Area', 'Jiangmen manufacturing'],
  ['de', '/de/search/', 'Schienenverkehr', 'Kooperationszone'],
  ['de', '/de/search/', 'Lebensmittelverarbeitung', 'Kaiping'],
];
const REPEAT = 3;

function serve(root) {
  return new Promise((resolve, reject) => {
    const p = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', root],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    p.stdout.on('data', (d) => {
      buf += d;
      const m = buf.match(/port (\d+)/);
      if (m) resolve({ origin: `http://127.0.0.1:${m[1]}`, stop: () => p.kill() });
    });
    p.stderr.on('data', () => {});
    p.on('exit', (c) => reject(new Error(`http.server exited ${c}`)));
  });
}

// Submits `q` and resolves with the milliseconds until the results (or "no match") show.
function timedQuery(page, q) {
  return page.evaluate((q) => new Promise((resolve) => {
    const root = document.getElementById('search');
    const status = root.querySelector('.search__status');
    const list = root.querySelector('.search__results');
    const loading = root.getAttribute('data-msg-loading');
    const none = root.getAttribute('data-msg-none').replace('{q}', q);
    const t0 = performance.now();
    const done = () => status.textContent === none
      || (status.textContent && status.textContent !== loading && list.children.length > 0);
    const obs = new MutationObserver(() => {
      if (done()) { obs.disconnect(); resolve({ ms: performance.now() - t0, status: status.textContent }); }
    });
    obs.observe(root, { childList: true, subtree: true, characterData: true });
    status.textContent = '';
    root.querySelector('input[name=q]').value = q;
    root.querySelector('form').requestSubmit();
  }), q);
}

async function indexResources(page) {
  return page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => e.name.includes('/search-index/'))
    .map((e) => ({ url: new URL(e.name).pathname, bytes: e.encodedBodySize })));
}

const gzipCache = new Map();
function gz(urlPath) {
  if (!gzipCache.has(urlPath)) gzipCache.set(urlPath, zlib.gzipSync(fs.readFileSync(path.join(dir, urlPath)), { level: 6 }).length);
  return gzipCache.get(urlPath);
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const kb = (b) => (b / 1024).toFixed(0);

(async () => {
  const server = await serve(dir);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const version = browser.version();
  const rows = [];
  try {
    for (const [lang, url, first, second] of CASES) {
      const cold = [], warm = [];
      let res = [], status = '';
      for (let i = 0; i < REPEAT; i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.route('**/*', (r) => (r.request().url().startsWith(server.origin + '/') ? r.continue() : r.abort()));
        await page.goto(server.origin + url);
        await page.waitForSelector('#search.search--ready');
        const a = await timedQuery(page, first);
        cold.push(a.ms);
        status = a.status;
        res = await indexResources(page);
        const b = await timedQuery(page, second);
        warm.push(b.ms);
        await context.close();
      }
      const raw = res.reduce((s, r) => s + r.bytes, 0);
      const zipped = res.reduce((s, r) => s + gz(r.url), 0);
      rows.push(`| ${lang} | ${first} | ${status} | ${res.length} | ${kb(raw)} KB | ${kb(zipped)} KB | ${median(cold).toFixed(0)} ms | ${second} | ${median(warm).toFixed(0)} ms |`);
    }
  } finally {
    await browser.close();
    server.stop();
  }
  console.log(`\nFirst query in a fresh browser context (empty cache; Chromium ${version}, headless, site served by python3 -m http.server on 127.0.0.1; median of ${REPEAT}), then a second query in the same page:\n`);
  console.log('| lang | first query | results | index files fetched | bytes (raw) | bytes (gzip) | time to results | second query | time |');
  console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | --- | ---: |');
  rows.forEach((r) => console.log(r));
})().catch((e) => { console.error(e); process.exit(1); });
