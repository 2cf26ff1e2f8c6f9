#!/usr/bin/env bash
# Search on the generated 10,000-article corpus: build time with and without the index,
# index sizes, and the first query as a reader's browser runs it (bytes fetched, time).
# Prints Markdown for the "## Search" section of BENCHMARKS.md.
#
#   tests/e2e/search-bench.sh [PAGES]         default PAGES 10000
#
# The corpus (../shared/bench/gencorpus.py --flavour qiao, reused from $CORPUS when it is
# there) is linked into $WORK/site with the zone theme's search page, script and messages
# added (the corpus itself uses the built-in theme); site.toml is switched between no
# [search] table and `[search] enabled = true`. Builds alternate between the two, RUNS times
# each (default 3), into fresh output directories on tmpfs; the medians are reported.
# Needs what tests/e2e/search.sh needs, plus /usr/bin/time and about 4 GB in /dev/shm.
# Environment: QIAO_BIN, CORPUS (default /dev/shm/corpus), WORK (default
# /dev/shm/qiao-search-bench), RUNS.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${QIAO_SHARED:-$root/../shared}
pages=${1:-10000}
CORPUS=${CORPUS:-/dev/shm/corpus}
WORK=${WORK:-/dev/shm/qiao-search-bench}
RUNS=${RUNS:-3}

if [ -z "${QIAO_BIN:-}" ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  QIAO_BIN=$root/target/release/qiao
fi
if [ -f "$shared/tools/lib/ensure.sh" ]; then
  # shellcheck source=/dev/null
  . "$shared/tools/lib/ensure.sh"
  ensure_apt chromium fonts-noto-cjk time
  ensure_npm playwright-core@1.65.1
  export NODE_PATH="$CHECKS_EXT/node/node_modules${NODE_PATH:+:$NODE_PATH}"
fi
if ! grep -q "\"pages_per_language\": $pages," "$CORPUS/corpus-manifest.json" 2>/dev/null; then
  python3 "$shared/bench/gencorpus.py" --pages "$pages" --out "$CORPUS" --flavour qiao --force >&2
fi

rm -rf "$WORK" && mkdir -p "$WORK/site"
cp "$QIAO_BIN" "$WORK/qiao"        # a rebuild in target/ during the runs changes nothing
cp -al "$CORPUS/content" "$WORK/site/content"
cp "$CORPUS/site.toml" "$WORK/site.toml.off"
{ cat "$CORPUS/site.toml"; printf '\n[search]\nenabled = true\n'; } > "$WORK/site.toml.on"
zone=$root/themes/zone
mkdir -p "$WORK/site/templates" "$WORK/site/static"
cp "$zone/templates/search.html" "$WORK/site/templates/"
cp "$zone/static/search.js" "$zone/static/search.css" "$WORK/site/static/"
for l in zh en de; do
  mkdir -p "$WORK/site/i18n/$l"
  cp "$zone/i18n/$l/search.ftl" "$WORK/site/i18n/$l/"
done
cp "$root/content/search.md" "$root/content/search.en.md" "$root/content/search.de.md" "$WORK/site/content/"

build() {  # build MODE RUN -> "wall user+sys maxrss_kb"
  cp --remove-destination "$WORK/site.toml.$1" "$WORK/site/site.toml"
  rm -rf "$WORK/out-$1"
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$WORK/qiao" build --root "$WORK/site" --output "$WORK/out-$1" >/dev/null
  read -r wall user sys rss < "$WORK/time"
  echo "$wall $(awk "BEGIN { print $user + $sys }") $rss"
}
: > "$WORK/runs"
for i in $(seq "$RUNS"); do
  for mode in off on; do
    [ $((i % 2)) = 0 ] && mode=$([ "$mode" = off ] && echo on || echo off)
    echo "$mode $(build "$mode")" | tee -a "$WORK/runs" >&2
  done
done

python3 - "$WORK" "$pages" <<'PY'
import gzip, json, os, statistics, sys
work, pages = sys.argv[1], sys.argv[2]
runs = [l.split() for l in open(f"{work}/runs")]
def med(mode, k):
    return statistics.median(float(r[k]) for r in runs if r[0] == mode)
off_w, on_w, off_c, on_c = med("off", 1), med("on", 1), med("off", 2), med("on", 2)
off_m, on_m = med("off", 3) / 1024, med("on", 3) / 1024
print(f"Build of the {pages}-article corpus (median of {len(runs)//2} runs each, tmpfs):\n")
print("| | wall | CPU (user+sys) | peak RSS |\n| --- | ---: | ---: | ---: |")
print(f"| no `[search]` | {off_w:.1f} s | {off_c:.1f} s | {off_m:.0f} MB |")
print(f"| `[search] enabled = true` | {on_w:.1f} s (+{100*(on_w/off_w-1):.0f} %) | {on_c:.1f} s (+{100*(on_c/off_c-1):.0f} %) | {on_m:.0f} MB (+{100*(on_m/off_m-1):.0f} %) |\n")
print("Index (`search-index/<lang>/`; gzip -6 as a static host would send it):\n")
print("| language | pages | terms | term shards | page shards | total | total gzip | largest term shard (gzip) | manifest (gzip) |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for l in ("zh", "en", "de"):
    d = f"{work}/out-on/search-index/{l}"
    m = json.load(open(f"{d}/index.json"))
    files = sorted(os.listdir(d))
    raw = {f: open(f"{d}/{f}", "rb").read() for f in files}
    gz = {f: len(gzip.compress(b, 6)) for f, b in raw.items()}
    t = [f for f in files if f.startswith("t")]
    big = max(t, key=lambda f: len(raw[f]))
    tot, totgz = sum(map(len, raw.values())), sum(gz.values())
    print(f"| {l} | {m['docs']:,} | {m['terms']:,} | {len(t)} | {len(files)-len(t)-1} | {tot/1e6:.1f} MB | {totgz/1e6:.1f} MB "
          f"| {len(raw[big])/1024:.0f} KB ({gz[big]/1024:.0f} KB) | {len(raw['index.json'])/1024:.1f} KB ({gz['index.json']/1024:.1f} KB) |")
PY
node "$here/search-bench.js" "$WORK/out-on"
