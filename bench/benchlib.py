#!/usr/bin/env python3
"""Helpers for bench/run.sh: parse `/usr/bin/time -v`, classify an output tree,
summarise runs as Markdown and rewrite the results section of BENCHMARKS.md.

Subcommands (all print to stdout):
  timev FILE                      -> JSON {wall_s, user_s, sys_s, max_rss_kb, cpu_pct}
  classify DIR CORPUS             -> JSON {category: count, ..., files, bytes}
  report RESULTS.jsonl META.json  -> Markdown results section
  splice BENCHMARKS.md SECTION.md -> rewrites BENCHMARKS.md between the result markers
"""

import json
import os
import re
import statistics
import sys

START = "<!-- bench-results:start (written by bench/run.sh --write; do not edit by hand) -->"
END = "<!-- bench-results:end -->"


# --------------------------------------------------------------------------------------
# /usr/bin/time -v

def parse_clock(s):
    """`1:02.03` or `1:02:03` (h:mm:ss) or `0:09.14` -> seconds."""
    parts = [float(p) for p in s.strip().split(":")]
    secs = 0.0
    for p in parts:
        secs = secs * 60 + p
    return secs


def timev(path):
    out = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if ":" not in line:
                continue
            if line.startswith("Elapsed (wall clock) time"):
                out["wall_s"] = parse_clock(line.rsplit(": ", 1)[1])
            elif line.startswith("User time (seconds)"):
                out["user_s"] = float(line.rsplit(":", 1)[1])
            elif line.startswith("System time (seconds)"):
                out["sys_s"] = float(line.rsplit(":", 1)[1])
            elif line.startswith("Maximum resident set size (kbytes)"):
                out["max_rss_kb"] = int(line.rsplit(":", 1)[1])
            elif line.startswith("Percent of CPU this job got"):
                out["cpu_pct"] = int(line.rsplit(":", 1)[1].strip().rstrip("%") or 0)
            elif line.startswith("Exit status"):
                out["exit"] = int(line.rsplit(":", 1)[1])
    missing = {"wall_s", "user_s", "sys_s", "max_rss_kb"} - out.keys()
    if missing:
        raise SystemExit(f"{path}: no {', '.join(sorted(missing))} in /usr/bin/time -v output")
    return out


# --------------------------------------------------------------------------------------
# Output classification

CATEGORIES = [
    ("article", "article pages"),
    ("home", "home pages"),
    ("section", "section lists, page 1"),
    ("section_pager", "section lists, pages 2+"),
    ("taxonomy", "taxonomy term indexes (/tags/, /categories/)"),
    ("term", "term pages, page 1"),
    ("term_pager", "term pages, pages 2+"),
    ("redirect", "redirect stubs (aliases: `page/1/`, `/zh/`)"),
    ("not_found", "404 pages"),
    ("feed_home", "feeds: per language"),
    ("feed_section", "feeds: per section"),
    ("feed_taxonomy", "feeds: per taxonomy index"),
    ("feed_term", "feeds: per term"),
    ("sitemap", "sitemaps"),
    ("other", "other (robots.txt, CSS, build marker)"),
]


def classify(root, corpus):
    with open(os.path.join(corpus, "corpus-manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    langs = set(manifest["languages"])
    sections = set(manifest["sections"])
    taxonomies = {"tags", "categories"}
    counts = {k: 0 for k, _ in CATEGORIES}
    sizes = {k: 0 for k, _ in CATEGORIES}
    nfiles = 0
    nbytes = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            full = os.path.join(dirpath, name)
            nfiles += 1
            size = os.path.getsize(full)
            nbytes += size
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            parts = rel.split("/")
            base = parts[-1]
            dirs = parts[:-1]
            if dirs and dirs[0] in langs:
                dirs = dirs[1:]
            if base.endswith(".html"):
                with open(full, "rb") as fh:
                    head = fh.read(600)
                if b'http-equiv="refresh"' in head:
                    cat = "redirect"
                elif base == "404.html":
                    cat = "not_found"
                elif base != "index.html":
                    cat = "other"
                elif not dirs:
                    cat = "home"
                elif dirs[0] in sections:
                    if len(dirs) == 1:
                        cat = "section"
                    elif len(dirs) == 3 and dirs[1] == "page":
                        cat = "section_pager"
                    else:
                        cat = "article"
                elif dirs[0] in taxonomies:
                    if len(dirs) == 1:
                        cat = "taxonomy"
                    elif len(dirs) == 2:
                        cat = "term"
                    elif len(dirs) == 4 and dirs[2] == "page":
                        cat = "term_pager"
                    else:
                        cat = "other"
                else:
                    cat = "other"
            elif base in ("index.xml", "atom.xml", "rss.xml"):
                if not dirs:
                    cat = "feed_home"
                elif dirs[0] in sections and len(dirs) == 1:
                    cat = "feed_section"
                elif dirs[0] in taxonomies and len(dirs) == 1:
                    cat = "feed_taxonomy"
                elif dirs[0] in taxonomies and len(dirs) == 2:
                    cat = "feed_term"
                else:
                    cat = "other"
            elif base == "sitemap.xml":
                cat = "sitemap"
            else:
                cat = "other"
            counts[cat] += 1
            sizes[cat] += size
    counts["files"] = nfiles
    counts["category_bytes"] = sizes
    counts["bytes"] = nbytes
    counts["html"] = sum(counts[k] for k in (
        "article", "home", "section", "section_pager", "taxonomy", "term", "term_pager",
        "redirect", "not_found"))
    return counts


# --------------------------------------------------------------------------------------
# Report

def fmt_s(x):
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


def report(results_path, meta_path):
    with open(meta_path, encoding="utf-8") as f:
        meta = json.load(f)
    runs = []
    with open(results_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                runs.append(json.loads(line))
    all_groups = {}
    for r in runs:
        all_groups.setdefault((r["pages"], r["generator"]), []).append(r)
    # Medians come from the undisturbed runs where there are any (a disturbed run is one
    # during which other processes used more than MAX_OTHERS % of the CPUs).
    groups, discarded = {}, {}
    for key, rs in all_groups.items():
        quiet = [r for r in rs if not r.get("disturbed")]
        groups[key] = quiet or rs
        discarded[key] = len(rs) - len(quiet) if quiet else 0
    sizes = sorted({p for p, _ in groups})
    gens = ["qiao", "hugo"]

    summary = {}
    for key, rs in groups.items():
        walls = [r["wall_s"] for r in rs]
        rss = [r["max_rss_kb"] for r in rs]
        med_wall = statistics.median(walls)
        summary[key] = {
            "n": len(rs),
            "discarded": discarded[key],
            "all_disturbed": all(r.get("disturbed") for r in rs),
            "wall": med_wall,
            "wall_min": min(walls),
            "wall_max": max(walls),
            "cpu": statistics.median([r["user_s"] + r["sys_s"] for r in rs]),
            "sys": statistics.median([r["sys_s"] for r in rs]),
            "rss_mb": statistics.median(rss) / 1024,
            "rss_max_mb": max(rss) / 1024,
            "others": [r.get("others_cpu_pct", 0) for r in all_groups[key]],
            "others_used": [r.get("others_cpu_pct", 0) for r in rs],
            "articles": rs[0]["articles"],
            "files": rs[0]["out"]["files"],
            "html": rs[0]["out"]["html"],
            "mb": rs[0]["out"]["bytes"] / 1e6,
        }

    L = []
    L.append(START)
    L.append("")
    L.append(f"Measured {meta['date']} on `{meta['host_cpu']}`, {meta['nproc']} cores, "
             f"{meta['mem_gb']} GB RAM; corpus and output on tmpfs (`{meta['tmp']}`).")
    L.append("")
    L.append(f"- qiao: `{meta['qiao_version']}`, source {meta['qiao_source']}")
    L.append(f"- Hugo: `{meta['hugo_version']}`")
    L.append(f"- corpus: `gencorpus.py` sha256 `{meta['gencorpus_sha'][:12]}`, seed default; "
             "`--pages N` is articles per language (zh N, en 0.95 N, de 0.9 N)")
    L.append(f"- load average before / after the session: {meta['load_start']} / {meta['load_end']}")
    used = max((o for s in summary.values() for o in s["others_used"]), default=0)
    every = max((o for s in summary.values() for o in s["others"]), default=0)
    n_disturbed = sum(s["discarded"] for s in summary.values())
    L.append(f"- other processes' share of the {meta['nproc']} CPUs while a build ran: up to "
             f"{used} % in the runs used"
             + (f"; {n_disturbed} disturbed runs (up to {every} %) were repeated and left out"
                if n_disturbed else "")
             + (" — **measured under load**: other engineers were compiling on this machine, "
                "so absolute times are noisy (per-run load in the last column)"
                if used >= meta.get("max_others", 15) else ""))
    L.append("")
    L.append("| corpus (`--pages`) | generator | runs | wall s, median (min–max) | CPU s (user+sys) "
             "| articles/s | HTML files/s | peak RSS MB | files written | output MB | others' CPU % per run |")
    L.append("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for n in sizes:
        for g in gens:
            s = summary.get((n, g))
            if not s:
                continue
            runs_col = str(s["n"])
            if s["discarded"]:
                runs_col += f" (+{s['discarded']} disturbed, not used)"
            if s["all_disturbed"]:
                runs_col += " (all disturbed)"
            L.append(
                f"| {n:,} | {g} | {runs_col} | {fmt_s(s['wall'])} ({fmt_s(s['wall_min'])}–{fmt_s(s['wall_max'])}) "
                f"| {fmt_s(s['cpu'])} | {s['articles'] / s['wall']:,.0f} | {s['html'] / s['wall']:,.0f} "
                f"| {s['rss_mb']:,.0f} | {s['files']:,} | {s['mb']:,.0f} | {', '.join(map(str, s['others']))} |")
    L.append("")
    L.append("*articles/s* = published source articles (all three languages) per wall-clock second, "
             "the same numerator for both generators; *HTML files/s* counts every `.html` file "
             "each generator wrote (Hugo's include its `page/1/` redirect stubs). Peak RSS is "
             "`Maximum resident set size` from `/usr/bin/time -v`; output MB is the sum of file sizes; "
             "*others' CPU* is the share of all CPUs that processes other than the build used while it "
             "ran (from `/proc/stat`), one figure per run in run order, disturbed runs included.")
    L.append("")

    # Targets and scaling.
    L.append("**Targets** (largest corpus measured; qiao ÷ Hugo, target ≤ 0.50):")
    L.append("")
    big = sizes[-1]
    q, h = summary.get((big, "qiao")), summary.get((big, "hugo"))
    if q and h:
        tr = q["wall"] / h["wall"]
        mr = q["rss_mb"] / h["rss_mb"]
        L.append(f"- wall time at `--pages {big}`: {fmt_s(q['wall'])} s ÷ {fmt_s(h['wall'])} s = "
                 f"**{tr:.2f}** ({'met' if tr <= 0.5 else 'missed'})")
        L.append(f"- peak memory at `--pages {big}`: {q['rss_mb']:,.0f} MB ÷ {h['rss_mb']:,.0f} MB = "
                 f"**{mr:.2f}** ({'met' if mr <= 0.5 else 'missed'})")
    if len(sizes) >= 2:
        small = sizes[0]
        for g in gens:
            a, b = summary.get((small, g)), summary.get((big, g))
            if a and b:
                ratio = b["wall"] / a["wall"]
                work = b["articles"] / a["articles"]
                per_a = a["wall"] / a["articles"] * 1000
                per_b = b["wall"] / b["articles"] * 1000
                growth = (per_b / per_a - 1) * 100
                L.append(f"- scaling, {g}: wall({big}) ÷ wall({small}) = **{ratio:.1f}** for "
                         f"{work:.1f}× the articles; {per_a:.3f} ms → {per_b:.3f} ms of wall time per "
                         f"article ({growth:+.0f} %: "
                         + ("linear within noise" if abs(growth) <= 10 else
                            "better than linear" if growth < 0 else "worse than linear") + ")")
    L.append("")

    comp = meta.get("comparison")
    if comp:
        L.append(f"**What each generator wrote** for `--pages {comp['pages']}` "
                 "(files by kind, from `bench/benchlib.py classify`):")
        L.append("")
        L.append("| kind | qiao files | Hugo files | qiao KB per file | Hugo KB per file |")
        L.append("|---|---:|---:|---:|---:|")
        qb, hb = comp["qiao"].get("category_bytes", {}), comp["hugo"].get("category_bytes", {})
        avg = lambda b, n: f"{b / n / 1000:.1f}" if n else "–"
        for k, label in CATEGORIES:
            qv, hv = comp["qiao"].get(k, 0), comp["hugo"].get(k, 0)
            if qv or hv:
                L.append(f"| {label} | {qv:,} | {hv:,} | {avg(qb.get(k, 0), qv)} | {avg(hb.get(k, 0), hv)} |")
        L.append(f"| **all files** | {comp['qiao']['files']:,} | {comp['hugo']['files']:,} "
                 f"| {avg(comp['qiao']['bytes'], comp['qiao']['files'])} | {avg(comp['hugo']['bytes'], comp['hugo']['files'])} |")
        L.append("")
    L.append(END)
    return "\n".join(L) + "\n"


def splice(md_path, section_path):
    with open(section_path, encoding="utf-8") as f:
        section = f.read()
    with open(md_path, encoding="utf-8") as f:
        text = f.read()
    pat = re.compile(re.escape(START) + r".*?" + re.escape(END) + r"\n?", re.S)
    if not pat.search(text):
        raise SystemExit(f"{md_path}: result markers not found")
    text = pat.sub(lambda _m: section, text, count=1)
    tmp = md_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, md_path)


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    cmd = argv[1]
    if cmd == "timev":
        print(json.dumps(timev(argv[2])))
    elif cmd == "classify":
        print(json.dumps(classify(argv[2], argv[3])))
    elif cmd == "report":
        sys.stdout.write(report(argv[2], argv[3]))
    elif cmd == "splice":
        splice(argv[2], argv[3])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
