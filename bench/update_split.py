#!/usr/bin/env python3
"""Where an incremental update of `qiao serve` spends its time, edit kind by edit kind.

Starts the release `qiao serve` with QIAO_TRACE=1 on a corpus, makes each kind of edit
(body, new page, deletion, tag, date, template) several times, and reads the trace the
update prints: the time to derive the new model (today a full load and `model::build`) and
the time to diff, render and write (`Renderer::next` and the writes). Prints the medians.

    cargo build --release
    cp -r /dev/shm/c10k /dev/shm/my-c10k        # a copy: the script edits it
    python3 bench/update_split.py /dev/shm/my-c10k --runs 5
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TRACE = re.compile(r"qiao trace:\s+([\d.]+) s\s+(\d+) MB\s+(.*)")


class Serve:
    def __init__(self, root: Path):
        env = dict(os.environ, QIAO_TRACE="1", NO_COLOR="1")
        self.p = subprocess.Popen(
            [str(REPO / "target/release/qiao") if not os.environ.get("CARGO_TARGET_DIR")
             else os.environ["CARGO_TARGET_DIR"] + "/release/qiao",
             "serve", "--port", "0", "--root", str(root)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.out: list[str] = []
        self.err: list[str] = []
        self.lock = threading.Lock()
        for stream, into in ((self.p.stdout, self.out), (self.p.stderr, self.err)):
            threading.Thread(target=self._read, args=(stream, into), daemon=True).start()

    def _read(self, stream, into):
        for line in stream:
            with self.lock:
                into.append(line.rstrip("\n"))

    def wait_out(self, pattern: str, after: int, timeout: float = 120) -> int:
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                for i in range(after, len(self.out)):
                    if re.search(pattern, self.out[i]):
                        return i
            time.sleep(0.005)
        sys.exit(f"timeout waiting for {pattern!r}; stderr tail: {self.err[-5:]}")

    def stop(self):
        self.p.terminate()
        self.p.wait(10)


def stages(lines: list[str]) -> dict[str, float]:
    out = {}
    for l in lines:
        m = TRACE.search(l)
        if m:
            out[m.group(3)] = float(m.group(1))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    root = a.root.resolve()
    # A site template to edit: the built-in page template, copied.
    tpl = root / "templates/page.html"
    tpl.parent.mkdir(exist_ok=True)
    tpl.write_text((REPO / "src/theme/builtin/templates/page.html").read_text())

    s = Serve(root)
    try:
        run(s, root, tpl, a.runs)
    finally:
        s.stop()


def run(s: Serve, root: Path, tpl: Path, runs: int) -> None:
    articles = sorted((root / "content/news").glob("*.md"))
    article = next(p for p in articles if not p.name.startswith("_") and p.name.count(".") == 1)
    s.wait_out(r"first build: built", 0, timeout=300)
    original = article.read_text()
    new_page = root / "content/news/zz-update-split.md"
    kinds = {}

    def edit(kind: str, action):
        with s.lock:
            n_out, n_err = len(s.out), len(s.err)
        t0 = time.time()
        action()
        i = s.wait_out(r": (updated|built) \d+ files", n_out)
        wall = time.time() - t0
        with s.lock:
            line = s.out[i]
            err = s.err[n_err:]
        st = stages(err)
        derived = st.get("update: derived the new model")
        written = st.get("update: written")
        kinds.setdefault(kind, []).append((wall, derived, written, line, st))

    for r in range(runs):
        edit("body edit", lambda: article.write_text(original + f"\n\nrun {r} {time.time()}\n"))
        edit("new page", lambda: new_page.write_text(
            f"---\ntitle: \"新页面 {r}\"\ndate: 2024-01-0{r % 9 + 1}\ntags: [\"中欧合作\"]\n---\n正文 {r}。\n"))
        edit("deleted page", lambda: new_page.unlink())
        edit("tag change", lambda: article.write_text(
            original.replace("tags: [", f"tags: [\"基准{r}\", ", 1)))
        edit("date change", lambda: article.write_text(
            re.sub(r"date: (\d{4})-", lambda m: f"date: {int(m.group(1)) - 1 - r}-", original, count=1)))
        edit("template edit", lambda: tpl.write_text(
            re.sub(r"<article( data-run=\"\d+\")?", f"<article data-run=\"{r}\"", tpl.read_text(), count=1)))
    article.write_text(original)

    print(f"{'edit':<14} {'derive ms':>10} {'diff+render+write ms':>21} {'save-to-done ms':>16}")
    for kind, rows in kinds.items():
        inc = [x for x in rows if x[1] is not None and x[2] is not None]
        if len(inc) < len(rows):
            print(f"{kind:<14} {len(rows) - len(inc)} of {len(rows)} were full builds: {rows[0][3]}")
        if not inc:
            continue
        d = statistics.median(x[1] * 1000 for x in inc)
        w = statistics.median((x[2] - x[1]) * 1000 for x in inc)
        t = statistics.median(x[0] * 1000 for x in inc)
        print(f"{kind:<14} {d:>10.0f} {w:>21.0f} {t:>16.0f}")
        if os.environ.get("SPLIT_DETAIL"):
            for x in inc:
                print("   ", {k: round(v * 1000) for k, v in x[4].items()})


if __name__ == "__main__":
    main()
