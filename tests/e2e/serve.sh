#!/usr/bin/env bash
# Browser end-to-end test of `qiao serve` (tests/serve_e2e.rs): headless Chromium driven
# through chromedriver opens an article, then follows Markdown edits, a stylesheet swap,
# the error overlay and a server restart without any action in the page; with two tabs,
# the one focused last goes to the page saved and the other does not reload.
# Installs Debian's chromium and chromium-driver when they are missing (as root).
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "== installing chromium and chromium-driver"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
        echo "serve e2e: needs chromium and chromedriver on PATH" >&2
        exit 1
    fi
fi

cargo test --locked --test serve_e2e -- --ignored
