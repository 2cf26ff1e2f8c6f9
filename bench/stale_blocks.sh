#!/bin/bash
# Before/after timings of paragraph-level staleness (BENCHMARKS.md, 2026-11-30): `qiao build`
# and `qiao status` on the 10,000-article corpus as generated, then on a copy with 1,000
# English translations marked current and their sources' first paragraph changed.
# Prepare: two release binaries at /dev/shm/sb-qiao-before and /dev/shm/sb-qiao-after, and
#   python3 ../shared/bench/gencorpus.py --pages 10000 --out /dev/shm/sb-corpus --flavour qiao
set -u
C=/dev/shm/sb-corpus
S=/dev/shm/sb-corpus-stale
T="/usr/bin/time -f %e_s_wall_%U+%S_cpu_%M_KB"
run() { # label bin args...
  local label=$1; shift
  local out
  out=$( { $T "$@" >/dev/null 2>/tmp/sb-run.err; } 2>&1 ); echo "$label $(tail -1 /tmp/sb-run.err)"
}
echo "== load: $(uptime)"
for i in 1 2; do
  for b in before after; do
    rm -rf /dev/shm/sb-out
    run "build-$b-$i" /dev/shm/sb-qiao-$b build --root $C --output /dev/shm/sb-out
  done
done
for i in 1 2; do
  for b in before after; do
    run "status-$b-$i" /dev/shm/sb-qiao-$b status --root $C
  done
done
if [ ! -d $S ]; then
  cp -r $C $S
  cd $S
  ls content/news/*.en.md | head -1000 | sed 's/\.en\.md$/.md/' > /tmp/sb-sources.txt
  while read -r src; do /dev/shm/sb-qiao-after translate "$src" --to en --mark-current --root $S >/dev/null 2>&1; done < /tmp/sb-sources.txt
  python3 - <<'PY'
import re
for src in open('/tmp/sb-sources.txt').read().split():
    p='/dev/shm/sb-corpus-stale/'+src
    s=open(p).read()
    head, sep, body = s.partition('\n---\n', ) if False else (None,None,None)
    i=s.index('\n---\n',4)+5
    body=s[i:]
    # change the first paragraph: one character appended to its first line
    j=body.index('\n')
    s=s[:i]+body[:j]+'（修订）'+body[j:]
    open(p,'w').write(s)
PY
fi
echo "stale en translations: $(/dev/shm/sb-qiao-after status --root $S --json | grep -c '"state": "stale"')"
for i in 1 2; do
  for b in before after; do
    rm -rf /dev/shm/sb-out
    run "stale-build-$b-$i" /dev/shm/sb-qiao-$b build --root $S --output /dev/shm/sb-out
  done
done
for i in 1 2; do
  for b in before after; do
    run "stale-status-$b-$i" /dev/shm/sb-qiao-$b status --root $S
  done
done
grep -c 'data-stale' /dev/shm/sb-out/en/news/*/index.html 2>/dev/null | grep -vc ':0' | sed 's/^/en pages with data-stale: /'
echo "== load: $(uptime)"
