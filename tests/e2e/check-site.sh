#!/usr/bin/env bash
# tests/e2e/check-site.sh — the zone site checked as a reader would, with the external checkers
# in ../shared/tools (W3C Nu validator, lychee, feedparser + xmllint, axe-core in Chromium).
#
#   tests/e2e/check-site.sh [SITE_DIR]                 all checks on a built site (default: public/)
#   tests/e2e/check-site.sh --screenshots [SITE_DIR]   retake docs/screenshots/*.png (36 files)
#
# Build the site first (`cargo run --release -- build`). The checks:
#   check-html   every .html page valid (vnu): 0 errors
#   check-links  every internal link and #fragment resolves: 0 broken
#   check-feeds  every Atom feed, the sitemaps and their hreflang alternates valid
#   check-a11y   axe-core on EVERY page of the site (its sampler is asked for more pages than
#                exist), on a copy so that its screenshots do not land in the repository
#   axe-pages    axe-core on the home, news (list and article), bases (overview and profiles),
#                policy (list, plan, targets table), about, contact, imprint, privacy,
#                accessibility, tags and 404 pages of zh, en and de, each at
#                1280 and 390 px wide, in light and dark colour schemes; 0 violations allowed;
#                and none of those pages may scroll sideways at 390 or 320 px (reflow)
# Nothing is installed here beyond what the shared tools' own ensure scripts install (they
# run first); this script only reuses the node modules and Chromium they put in place.
# Exits 1 if any check fails, 2 if a check could not run.
set -uo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
tools=${QIAO_CHECK_TOOLS:-$repo/../shared/tools}
[ -x "$tools/check-html" ] || { echo "check-site: no checkers in $tools" >&2; exit 2; }
CHECKS_EXT=${CHECKS_EXT:-${XDG_CACHE_HOME:-$HOME/.cache}/qiao-checks}
export CHECKS_EXT

mode=checks
if [ "${1:-}" = "--screenshots" ]; then mode=screenshots; shift; fi
site=$(cd "${1:-$repo/public}" 2>/dev/null && pwd -P) || { echo "check-site: no site directory ${1:-$repo/public}; build it first" >&2; exit 2; }
[ -f "$site/index.html" ] || { echo "check-site: $site has no index.html; build the site first" >&2; exit 2; }
base_url=$(sed -n 's/^base_url *= *"\(.*\)".*/\1/p' "$repo/site.toml" | head -n 1)

# The node part: serves SITE on loopback and drives Debian's chromium with the tools' own
# browser helpers and node modules (installed by check-a11y / screenshot).
browser_js() {
  NODE_PATH="$CHECKS_EXT/node/node_modules" TOOLS_LIB="$tools/lib" node - "$@" <<'JS'
'use strict';
const fs = require('fs');
const path = require('path');
const { serve, launch } = require(path.join(process.env.TOOLS_LIB, 'browser.js'));
const [mode, site, out] = process.argv.slice(2);
const LANGS = [['zh', ''], ['en', '/en'], ['de', '/de']];
const WIDTHS = [[1280, 900], [390, 844]];

async function context(browser, origin, [width, height], colorScheme = 'light', locale = 'en-US') {
  const ctx = await browser.newContext({ viewport: { width, height }, colorScheme, locale,
    deviceScaleFactor: 1, isMobile: width < 600, hasTouch: width < 600 });
  const page = await ctx.newPage();
  await page.route('**/*', (r) => (r.request().url().startsWith(origin + '/') ? r.continue() : r.abort()));
  return { ctx, page };
}

async function axePages(browser, origin) {
  const AXE = require.resolve('axe-core/axe.min.js');
  const paths = ['/', '/news/', '/news/zone-unveiling/', '/bases/', '/bases/service-centre/',
    '/bases/core-zone/', '/bases/enping/', '/bases/overseas-chinese-platforms/', '/policy/',
    '/policy/implementation-plan/', '/policy/targets-2018/', '/about/', '/contact/', '/imprint/',
    '/privacy/', '/accessibility/', '/tags/', '/404.html'];
  let runs = 0, violations = 0, bad = 0;
  for (const scheme of ['light', 'dark']) {
    for (const size of WIDTHS) {
      const { ctx, page } = await context(browser, origin, size, scheme);
      for (const [lang, prefix] of LANGS) {
        for (const p of paths) {
          const url = prefix + p;
          const resp = await page.goto(origin + url, { waitUntil: 'load', timeout: 30000 });
          runs++;
          if (!resp || resp.status() >= 400) { console.log(`${url} ${size[0]}px ${scheme}: HTTP ${resp ? resp.status() : '?'}`); bad++; continue; }
          await page.addScriptTag({ path: AXE });
          const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
          if (res.violations.length || overflow) {
            bad++;
            violations += res.violations.length;
            console.log(`${url} ${size[0]}px ${scheme}: ` + (overflow ? 'page wider than the viewport; ' : '') +
              res.violations.map((v) => `${v.id}(${v.impact}) x${v.nodes.length} e.g. ${v.nodes[0].target.join(' ')}`).join(', '));
          }
        }
      }
      await ctx.close();
    }
  }
  // Reflow (WCAG 1.4.10): at 320 CSS px nothing may make the page scroll sideways.
  const { ctx, page } = await context(browser, origin, [320, 640]);
  let wide = 0;
  for (const [, prefix] of LANGS) {
    for (const p of paths) {
      await page.goto(origin + prefix + p, { waitUntil: 'load', timeout: 30000 });
      if (await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)) {
        console.log(`${prefix + p} 320px: page wider than the viewport`); wide++;
      }
    }
  }
  await ctx.close();
  console.log(`axe-pages: ${violations} violations on ${bad} of ${runs} page views ` +
    `(${paths.length} pages x 3 languages x 1280/390 px x light/dark, axe-core ${require('axe-core/package.json').version}); ` +
    `${wide} of ${paths.length * 3} pages wider than 320 px`);
  return bad || wide ? 1 : 0;
}

async function screenshots(browser, origin) {
  const shots = [['home', '/'], ['unveiling', '/news/zone-unveiling/'], ['bases', '/bases/'],
    ['plans', '/policy/'], ['targets', '/policy/targets-2018/'], ['imprint', '/imprint/']];
  fs.mkdirSync(out, { recursive: true });
  let n = 0;
  // Each language as its own readers see it: a browser that prefers that language (so the
  // Chinese pages show no hint to read them in English).
  const LOCALES = { zh: 'zh-CN', en: 'en-GB', de: 'de-DE' };
  for (const size of WIDTHS) {
    for (const [lang, prefix] of LANGS) {
      const { ctx, page } = await context(browser, origin, size, 'light', LOCALES[lang]);
      for (const [name, p] of shots) {
        const resp = await page.goto(origin + prefix + p, { waitUntil: 'load', timeout: 30000 });
        if (!resp || resp.status() >= 400) throw new Error(`${prefix + p}: HTTP ${resp && resp.status()}`);
        const file = path.join(out, `${lang}-${name}-${size[0]}.png`);
        // The first screen a reader sees, except where the point of the page sits below the
        // fold: the targets table (whole page).
        const full = name === 'targets';
        await page.screenshot({ path: file, fullPage: full });
        n++;
        console.log(`${path.relative(process.cwd(), file)}  ${fs.statSync(file).size} bytes`);
      }
      await ctx.close();
    }
  }
  console.log(`screenshots: ${n} files in ${out}`);
  return 0;
}

(async () => {
  const server = await serve(site);
  const browser = await launch();
  let code = 2;
  try {
    code = mode === 'screenshots' ? await screenshots(browser, server.url) : await axePages(browser, server.url);
  } finally {
    await browser.close();
    server.stop();
  }
  process.exitCode = code;
})().catch((e) => { console.error(e); console.log(`${mode}: failed: ${e.message}`); process.exit(2); });
JS
}

if [ "$mode" = screenshots ]; then
  # The shared screenshot tool installs Chromium and playwright-core if they are missing.
  "$tools/screenshot" "$site" / "$(mktemp -d)/warm-up.png" >/dev/null || exit 2
  browser_js screenshots "$site" "$repo/docs/screenshots"
  exit $?
fi

status=0
step() {  # step NAME CMD...: run a check, remember the worst exit code
  echo "== $1"; shift
  "$@"; local rc=$?
  if [ $rc -ne 0 ]; then echo "!! failed (exit $rc)"; [ $rc -gt $status ] && status=$rc; fi
  return 0
}

step check-html "$tools/check-html" "$site"
step check-links "$tools/check-links" "$site" "$base_url"
step check-feeds "$tools/check-feeds" "$site"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$site" "$tmp/site"
pages=$(find "$site" -name '*.html' | wc -l)
step "check-a11y (all $pages pages)" "$tools/check-a11y" "$tmp/site" "$((pages + 10))"
step axe-pages browser_js axe "$site"

[ $status -eq 0 ] && echo "check-site: all checks passed" || echo "check-site: FAILED"
exit $status
