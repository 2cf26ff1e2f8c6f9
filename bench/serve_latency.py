#!/usr/bin/env python3
"""Save-to-reload latency of `qiao serve`.

Measures, for a one-page edit, the time from the file write to the rebuilt page being
served: the script appends a unique line to one article's Markdown, then polls the
article's URL over HTTP until the line appears. It also times a full `qiao build` of the
same corpus for comparison, and collects the rebuild times the server reports.

    cargo build --release
    python3 bench/serve_latency.py --pages 1000 --runs 20
    python3 bench/serve_latency.py --pages 10000 --runs 10

The corpus comes from shared/bench/gencorpus.py (--flavour qiao); it is generated into a
temporary directory unless --corpus names an existing one.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def find_gencorpus() -> Path:
    for base in (REPO, *REPO.parents):
        p = base / "shared" / "bench" / "gencorpus.py"
        if p.is_file():
            return p
    sys.exit("cannot find shared/bench/gencorpus.py")


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, ""


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--qiao", default=str(REPO / "target" / "release" / "qiao"))
    ap.add_argument("--corpus", type=Path, help="use (or create) the corpus here")
    ap.add_argument("--build-runs", type=int, default=3)
    ap.add_argument("--edit", choices=["body", "title"], default="body",
                    help="append a line to the body, or prefix the title (front matter)")
    ap.add_argument("--tmpdir", help="temporary directory for the corpus, the builds and the "
                    "server's site (its TMPDIR) [default: /dev/shm if present]")
    args = ap.parse_args()

    if args.tmpdir is None and Path("/dev/shm").is_dir():
        # like bench/run.sh: corpus and outputs in memory (qiao serve's own default)
        args.tmpdir = "/dev/shm"
    env = dict(os.environ)
    if args.tmpdir:
        env["TMPDIR"] = args.tmpdir
    tmp = tempfile.TemporaryDirectory(prefix="qiao-serve-latency-", dir=args.tmpdir)
    corpus = args.corpus or Path(tmp.name) / "site"
    if not (corpus / "site.toml").is_file():
        subprocess.run(
            [sys.executable, str(find_gencorpus()), "--flavour", "qiao",
             "--pages", str(args.pages), "--out", str(corpus)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    # Full build, for comparison.
    builds = []
    for i in range(args.build_runs):
        out = Path(tmp.name) / f"out{i}"
        t = time.perf_counter()
        subprocess.run([args.qiao, "build", "--root", str(corpus), "--output", str(out)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        builds.append(time.perf_counter() - t)

    # The article to edit: a published Chinese news article in the middle of the list.
    news = sorted(p for p in (corpus / "content" / "news").glob("*.md")
                  if p.name.count(".") == 1 and not p.name.startswith("_"))
    article = next(p for p in news[len(news) // 2:]
                   if "draft: true" not in p.read_text(encoding="utf-8"))
    original = article.read_text(encoding="utf-8")

    server = subprocess.Popen(
        [args.qiao, "serve", "--root", str(corpus), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, encoding="utf-8",
        env=env,
    )
    base = None
    reported: list[tuple[str, int, float]] = []
    url_re = re.compile(r"(http://127\.0\.0\.1:\d+/)")
    # "updated 15 files in 21 ms" (incremental) or "built 42612 files in 6000 ms" (full)
    built_re = re.compile(r"(updated|built) (\d+) files in (\d+) ms")
    assert server.stdout is not None
    for line in server.stdout:
        m = url_re.search(line)
        if m:
            base = m.group(1)
            break
    if base is None:
        sys.exit("qiao serve did not print its URL")

    def read_stdout() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            m = built_re.search(line)
            if m:
                reported.append((m.group(1), int(m.group(2)), float(m.group(3))))

    threading.Thread(target=read_stdout, daemon=True).start()

    url = f"{base}news/{article.stem}/"
    status, _ = fetch(url)
    if status != 200:
        sys.exit(f"{url} answered {status}")

    latencies = []
    try:
        for i in range(args.runs):
            marker = f"qiao-latency-{os.getpid()}-{i}"
            t = time.perf_counter()
            if args.edit == "body":
                text = f"{original}\n{marker}\n"
            else:
                text = re.sub(r"^title: (\"?)", lambda m: f"title: {m.group(1)}{marker} ",
                              original, count=1, flags=re.M)
            with open(article, "w", encoding="utf-8") as f:
                f.write(text)
            deadline = t + 120
            while True:
                _, body = fetch(url)
                if marker in body:
                    break
                if time.perf_counter() > deadline:
                    sys.exit(f"run {i}: the edit was not served within 120 s")
                time.sleep(0.002)
            latencies.append(time.perf_counter() - t)
            time.sleep(0.3)
    finally:
        article.write_text(original, encoding="utf-8")
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()

    ms = [x * 1000 for x in latencies]
    files = sum(1 for _ in (Path(tmp.name) / "out0").rglob("*") if _.is_file())
    print(f"corpus: --pages {args.pages} ({files} output files); {args.runs} {args.edit} edits of "
          f"content/news/{article.name}; files in {args.tmpdir or tempfile.gettempdir()}")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")
    print(f"full qiao build: median {statistics.median(builds):.2f} s "
          f"(min {min(builds):.2f} s, {args.build_runs} runs)")
    print(f"save-to-reload latency: median {statistics.median(ms):.0f} ms, "
          f"p90 {pct(ms, 90):.0f} ms, min {min(ms):.0f} ms, max {max(ms):.0f} ms")
    if reported:
        kinds = sorted({k for k, _, _ in reported})
        for kind in kinds:
            runs = [(n, ms) for k, n, ms in reported if k == kind]
            label = "incremental" if kind == "updated" else "full"
            print(f"{label} rebuilds reported by the server: {len(runs)}, median "
                  f"{statistics.median(ms for _, ms in runs):.0f} ms, median "
                  f"{statistics.median(n for n, _ in runs):.0f} files written")


if __name__ == "__main__":
    main()
