#!/usr/bin/env python3
"""Save-to-served time of `qiao serve` for each kind of edit, at 10,000 articles.

Starts `qiao serve` (the release binary) on a copy of a corpus, waits for its first build,
then, for each kind of edit, repeats it --runs times and measures save-to-served: from the
moment the file is written to the moment the server serves the new bytes. The signal is the
live-reload event stream (`/__qiao/events`): the server sends `reload` once a build is
swapped in (`build-error` when it failed); the script then confirms with an HTTP GET that
the page shows the edit (polling until it does), and the later of the two is the time
recorded. The kinds:

    body       a line appended to an article's body
    new        a new article in news/ (with a tag); served when its page answers 200
    delete     one of those new articles deleted; served when its page answers 404
    tag        a new tag added to an article; served when the article links to its term page
               and the term page answers 200
    date       an article's date moved to another day; served when the article shows it
    template   the site's `templates/page.html` (a copy of the built-in one, used by every
               article) edited; served when the article shows the edit
    list       the site's `templates/section.html` (used by every section list) edited;
               served when the section's first list page shows it
    ftl        a message of the site's `i18n/zh/bench.ftl`, shown on every Chinese article,
               edited; served when the article shows it
    config     `site.toml` edited (a full rebuild in serve, for reference)

and, for reference, `qiao build` of the same corpus (--build-runs times). Before the server
starts, the copy gets `templates/page.html` and `templates/section.html` (the built-in
theme's, with a marker comment and, in the page, the message `bench-note`) and
`i18n/{zh,en,de}/bench.ftl`; the output of the untouched copy is otherwise the corpus's own.

    cargo build --release
    python3 bench/serve_edits.py                       # /dev/shm/c10k, or generates one
    python3 bench/serve_edits.py --corpus DIR --runs 9 --kinds body,tag
    QIAO_TRACE=1 python3 bench/serve_edits.py --kinds tag --server-log /tmp/serve.err
                                                       # each update's steps, timed

The corpus is copied (never edited in place) from --corpus (default /dev/shm/c10k when it
exists, else shared/bench/gencorpus.py --flavour qiao --pages 10000 is run into the
temporary directory). Prints a Markdown table: median and max per kind, how the server
rebuilt (incremental or full, from its terminal lines), and the server's CPU time per edit
(all its threads, from the write to the end of the pause after it, read from /proc/PID/stat
on Linux: steadier than wall time on a shared machine), and the full build's time.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

sys.dont_write_bytecode = True  # no __pycache__ in bench/
sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve_latency import REPO, fetch, find_gencorpus  # noqa: E402

KINDS = ["body", "new", "delete", "tag", "date", "template", "list", "ftl", "config"]
BUILTIN = REPO / "src" / "theme" / "builtin" / "templates"
TIMEOUT = 300.0


class Run(NamedTuple):
    """One edit: seconds from the write to the new bytes served, how the server rebuilt
    (incremental or full), what it reported (files written, milliseconds), and the CPU time
    the server used from the write to the end of the pause after it (milliseconds, all
    its threads; None where /proc cannot be read)."""
    served: float
    how: str
    files: int
    server_ms: int
    cpu_ms: float | None


def cpu_ms(pid: int) -> float | None:
    """User and system CPU time of process `pid` so far, all threads, in milliseconds (from
    /proc/PID/stat, in clock ticks of 10 ms on most systems); None elsewhere than Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


class Events:
    """The server's live-reload event stream, read by a thread: (time, name, data) tuples."""

    def __init__(self, host: str, port: int) -> None:
        self.queue: queue.Queue[tuple[float, str, str]] = queue.Queue()
        self.sock = socket.create_connection((host, port))
        self.sock.sendall(f"GET /__qiao/events HTTP/1.1\r\nHost: {host}:{port}\r\n"
                          "Accept: text/event-stream\r\n\r\n".encode())
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        name, data = None, ""
        f = self.sock.makefile("rb")
        for raw in f:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            # chunked transfer: size lines are bare hexadecimal numbers
            if re.fullmatch(r"[0-9a-fA-F]+", line):
                continue
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data += line[5:].strip()
            elif line == "" and name:
                self.queue.put((time.perf_counter(), name, data))
                name, data = None, ""

    def next_build(self, after: float, deadline: float) -> tuple[float, str, int]:
        """The first `reload` or `build-error` event received after `after`."""
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                sys.exit("no build event within the time limit")
            try:
                t, name, data = self.queue.get(timeout=left)
            except queue.Empty:
                continue
            if t >= after and name in ("reload", "build-error"):
                m = re.search(r'"build":(\d+)', data)
                return t, name, int(m.group(1)) if m else -1


def sub(pattern: str, repl: str, text: str) -> str:
    new, n = re.subn(pattern, repl, text, count=1, flags=re.M)
    if n != 1:
        sys.exit(f"cannot edit: no match for {pattern!r}")
    return new


def write(path: Path, text: str) -> None:
    """Writes as an editor saving in place."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, help="corpus to copy [default: /dev/shm/c10k]")
    ap.add_argument("--pages", type=int, default=10000, help="for a generated corpus")
    ap.add_argument("--runs", type=int, default=7, help="edits of each kind (at least 7)")
    ap.add_argument("--build-runs", type=int, default=3)
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma-separated, in order")
    ap.add_argument("--qiao", default=str(REPO / "target" / "release" / "qiao"))
    ap.add_argument("--tmpdir", help="where the copy and the outputs go [default: /dev/shm]")
    ap.add_argument("--pause", type=float, default=0.2,
                    help="seconds between an edit served and the next edit [default: 0.2]")
    ap.add_argument("--server-log", type=Path,
                    help="write the server's stderr here (with QIAO_TRACE=1 in the "
                         "environment: the time of every step of each update)")
    args = ap.parse_args()
    kinds = args.kinds.split(",")
    for k in kinds:
        if k not in KINDS:
            sys.exit(f"unknown kind {k}; the kinds are {','.join(KINDS)}")
    if args.tmpdir is None and Path("/dev/shm").is_dir():
        args.tmpdir = "/dev/shm"
    env = dict(os.environ)
    if args.tmpdir:
        env["TMPDIR"] = args.tmpdir
    tmp = tempfile.TemporaryDirectory(prefix="qiao-serve-edits-", dir=args.tmpdir)
    site = Path(tmp.name) / "site"
    source = args.corpus
    if source is None and Path("/dev/shm/c10k/site.toml").is_file():
        source = Path("/dev/shm/c10k")
    if source is not None:
        shutil.copytree(source, site)
    else:
        subprocess.run([sys.executable, str(find_gencorpus()), "--flavour", "qiao",
                        "--pages", str(args.pages), "--out", str(site)], check=True,
                       stdout=subprocess.DEVNULL)

    # What the template and .ftl edits change.
    page_html = (BUILTIN / "page.html").read_text(encoding="utf-8")
    page_html = page_html.replace(
        "{% endblock content %}",
        '<p class="bench">{{ t(key="bench-note") }}</p><!-- bench-template 0 -->\n'
        "{% endblock content %}")
    section_html = (BUILTIN / "section.html").read_text(encoding="utf-8")
    section_html = section_html.replace("{% endblock content %}",
                                        "<!-- bench-list 0 -->\n{% endblock content %}")
    (site / "templates").mkdir()
    write(site / "templates" / "page.html", page_html)
    write(site / "templates" / "section.html", section_html)
    for lang, word in (("zh", "基准"), ("en", "bench"), ("de", "Messung")):
        (site / "i18n" / lang).mkdir(parents=True)
        write(site / "i18n" / lang / "bench.ftl", f"bench-note = {word} 0\n")

    # Full build, for reference.
    builds = []
    out_files = 0
    for i in range(args.build_runs):
        out = Path(tmp.name) / "build"
        t = time.perf_counter()
        subprocess.run([args.qiao, "build", "--root", str(site), "--output", str(out)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=env)
        builds.append(time.perf_counter() - t)
        out_files = sum(1 for f in out.rglob("*") if f.is_file())
        shutil.rmtree(out)
    print(f"qiao build: {', '.join(f'{b:.2f}' for b in builds)} s", file=sys.stderr)

    # Published Chinese news articles, each edited by one kind only.
    news = sorted(p for p in (site / "content" / "news").glob("*.md")
                  if p.name.count(".") == 1 and not p.name.startswith("_"))
    articles = [p for p in news[len(news) // 2:]
                if "draft: true" not in (t := p.read_text(encoding="utf-8"))
                and "\ntags: [" in t and "\ndate: " in t][:20]

    t_start = time.perf_counter()
    server = subprocess.Popen(
        [args.qiao, "serve", "--root", str(site), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=open(args.server_log, "w") if args.server_log else subprocess.DEVNULL,
        text=True, encoding="utf-8", env=env)
    assert server.stdout is not None
    base = None
    for line in server.stdout:
        m = re.search(r"(http://127\.0\.0\.1:(\d+)/)", line)
        if m:
            base, port = m.group(1), int(m.group(2))
            break
    if base is None:
        sys.exit("qiao serve did not print its URL")
    first_build = time.perf_counter() - t_start
    lines: list[tuple[float, str]] = []

    def read_stdout() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            lines.append((time.perf_counter(), line.rstrip("\n")))

    threading.Thread(target=read_stdout, daemon=True).start()
    events = Events("127.0.0.1", port)

    def url(p: Path) -> str:
        return f"{base}news/{p.stem}/"

    def measure(kind: str, path: Path, text: str | None, check) -> Run:
        """Writes `text` to `path` (deletes it when None); seconds until `check` holds."""
        time.sleep(0.5)  # let the watcher settle between edits
        cpu0 = cpu_ms(server.pid)
        t0 = time.perf_counter()
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            write(path, text)
        deadline = t0 + TIMEOUT
        _, name, _ = events.next_build(t0, deadline)
        if name != "reload":
            sys.exit(f"{kind}: the build failed: {[l for t, l in lines if t >= t0]}")
        while not check():
            if time.perf_counter() > deadline:
                sys.exit(f"{kind}: the edit was not served within {TIMEOUT:.0f} s")
            time.sleep(0.002)
        served = time.perf_counter() - t0
        time.sleep(args.pause)
        cpu1 = cpu_ms(server.pid)
        cpu = cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None
        # "updated 15 files in 21 ms" (incremental) or "built 42612 files in 6000 ms" (full)
        reports = [m for t, l in lines if t >= t0
                   for m in [re.search(r"\b(updated|built) (\d+) files in (\d+) ms", l)] if m]
        how = ";".join(sorted({m.group(1) for m in reports}))
        how = {"updated": "incremental", "built": "full"}.get(how, how or "?")
        return Run(served, how, sum(int(m.group(2)) for m in reports),
                   sum(int(m.group(3)) for m in reports), cpu)

    def shows(u: str, *needles: str, status: int = 200):
        def check() -> bool:
            code, body = fetch(u)
            return code == status and all(n in body for n in needles)
        return check

    results: dict[str, list[Run]] = {}
    a_body, a_tag, a_date, a_tpl = articles[0], articles[1], articles[2], articles[3]
    originals = {p: p.read_text(encoding="utf-8") for p in articles}
    created: list[Path] = []
    try:
        for kind in kinds:
            runs = []
            for i in range(args.runs):
                mark = f"bench-{kind}-{i}-{os.getpid()}"
                if kind == "body":
                    text = f"{originals[a_body]}\n{mark}\n"
                    runs.append(measure(kind, a_body, text, shows(url(a_body), mark)))
                elif kind == "new":
                    p = site / "content" / "news" / f"{mark}.md"
                    text = (f"---\ntitle: \"新文章 {mark}\"\ndate: 2021-06-15T10:00:00+08:00\n"
                            f"tags: [\"{mark}-tag\"]\n---\n\n新文章正文 {mark}。\n")
                    runs.append(measure(kind, p, text, shows(url(p), mark)))
                    created.append(p)
                elif kind == "delete":
                    if not created:
                        sys.exit("delete: run `new` first (it makes the pages to delete)")
                    p = created.pop(0)
                    runs.append(measure(kind, p, None, shows(url(p), status=404)))
                elif kind == "tag":
                    tag = f"benchtag{i}"
                    text = sub(r'^tags: \[', f'tags: ["{tag}", ', originals[a_tag])
                    runs.append(measure(kind, a_tag, text, lambda tag=tag: (
                        shows(url(a_tag), f"/tags/{tag}/")()
                        and shows(f"{base}tags/{tag}/", url(a_tag)[len(base) - 1:])())))
                elif kind == "date":
                    day = f"2019-{1 + i % 12:02}-{10 + i:02}"
                    text = sub(r"^date: .*$", f"date: {day}T09:00:00+08:00", originals[a_date])
                    runs.append(measure(kind, a_date, text,
                                        shows(url(a_date), f'datetime="{day}')))
                elif kind == "template":
                    text = page_html.replace("bench-template 0", f"bench-template {mark}")
                    runs.append(measure(kind, site / "templates" / "page.html", text,
                                        shows(url(a_tpl), mark)))
                elif kind == "list":
                    text = section_html.replace("bench-list 0", f"bench-list {mark}")
                    runs.append(measure(kind, site / "templates" / "section.html", text,
                                        shows(f"{base}news/", mark)))
                elif kind == "ftl":
                    runs.append(measure(kind, site / "i18n" / "zh" / "bench.ftl",
                                        f"bench-note = 基准 {mark}\n",
                                        shows(url(a_tpl), f"基准 {mark}")))
                elif kind == "config":
                    toml = (site / "site.toml").read_text(encoding="utf-8")
                    text = re.sub(r'^(title = ")(?:cfg\d+q )?', rf"\g<1>cfg{i}q ", toml,
                                  count=1, flags=re.M)
                    runs.append(measure(kind, site / "site.toml", text,
                                        shows(base, f"cfg{i}q ")))
                r = runs[-1]
                print(f"{kind} {i}: {r.served * 1000:.0f} ms ({r.how}: {r.files} files in "
                      f"{r.server_ms} ms)", file=sys.stderr)
            results[kind] = runs
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"corpus: {source or 'generated'} ({len(news)} files in news/); {args.runs} edits "
          f"of each kind; files in {args.tmpdir or tempfile.gettempdir()}; load average at "
          f"the end {load} on {os.cpu_count()} cores")
    if builds:
        print(f"full `qiao build` ({out_files} files): median {statistics.median(builds):.2f} s "
              f"(min {min(builds):.2f} s, {len(builds)} runs); serve's first build "
              f"{first_build:.2f} s\n")
    else:
        print(f"serve's first build {first_build:.2f} s (no `qiao build` run: --build-runs 0)\n")
    print("| edit | save-to-served median | max | rebuilds | files written (median) | "
          "server's rebuild time (median) | server's CPU time (median) |")
    print("|---|---:|---:|---|---:|---:|---:|")
    for kind, runs in results.items():
        ms = [r.served * 1000 for r in runs]
        hows = sorted({r.how for r in runs})
        cpus = [r.cpu_ms for r in runs if r.cpu_ms is not None]
        cpu = f"{statistics.median(cpus):.0f} ms" if cpus else "n/a"
        print(f"| {kind} | {statistics.median(ms):.0f} ms | {max(ms):.0f} ms | "
              f"{', '.join(hows)} | {statistics.median(r.files for r in runs):.0f} | "
              f"{statistics.median(r.server_ms for r in runs):.0f} ms | {cpu} |")


if __name__ == "__main__":
    main()
