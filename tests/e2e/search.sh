#!/usr/bin/env bash
# Browser test of search on the zone site: builds the site (its site.toml has
# [search] enabled = true), checks that search.js tokenises like the Rust indexer, then
# drives the search pages in headless Chromium (tests/e2e/search-browser.js).
#
#   tests/e2e/search.sh            exits 0 when every check passes, 1 otherwise
#
# Needs: cargo, node, python3 (serves the site with http.server on 127.0.0.1),
# Debian's chromium and playwright-core 1.65.1. Those two are installed on first use by
# ../shared/tools/lib/ensure.sh (apt: chromium fonts-noto-cjk; npm: playwright-core into
# ~/.cache/qiao-checks/node). Without ../shared, set NODE_PATH to a node_modules holding
# playwright-core and CHROMIUM to a chromium binary.
# Environment: QIAO_BIN (default: cargo build --release), KEEP=1 keeps the built site.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${QIAO_SHARED:-$root/../shared}

if [ -z "${QIAO_BIN:-}" ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  QIAO_BIN=$root/target/release/qiao
fi
if [ -f "$shared/tools/lib/ensure.sh" ]; then
  # shellcheck source=/dev/null
  . "$shared/tools/lib/ensure.sh"
  ensure_apt chromium fonts-noto-cjk
  ensure_npm playwright-core@1.65.1
  export NODE_PATH="$CHECKS_EXT/node/node_modules${NODE_PATH:+:$NODE_PATH}"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/qiao-search-e2e.XXXXXX")
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$work"' EXIT
"$QIAO_BIN" build --root "$root" --output "$work/public" >&2

node "$here/search-vectors.js"
node "$here/search-browser.js" "$work/public"
node "$here/lang-hint-browser.js" "$work/public"
