#!/usr/bin/env python3
"""Pathological inputs: does `qiao build` stay linear in the size of what it is given?

    bench/pathological.py [--quick] [--runs N] [CASE...]

For every case it writes a small one-language site at three sizes (N, 2N, 4N) into
bench/out/pathological/, builds each with the release binary, and prints a Markdown table:
the input, the build's wall and CPU time (of the run with the least CPU time among --runs
runs, default 3), and for each doubling the growth factor of the CPU time. Linear work
doubles it (factor 2.0); a search restarted from zero for every item shows up as 3 to 4.
The table closes with the verdict per case: `linear` when the last doubling costs at most
2.6 times the previous size (slack for the machine's noise and for the fixed cost of a
build, which shrinks in relative terms). The exit status is 1 when a case is not linear.

Cases (the size N in brackets, --quick halves them):
  headings    one page with N identical headings `### Fixes`        [10,000]
  footnotes   one page with N footnote labels that reduce to one id [4,000]
  quotes      one line nested N block quotes deep (`>>>…> x`)       [50,000]
  lists       one line nested N lists deep (`- - - … x`)            [10,000]
  cjk-line    one paragraph line of N MB of Chinese text            [2.5]
  tags        one page with N tags (N term pages)                   [1,000]
  big-file    one Markdown file of N MB (paragraphs, lists, quotes) [12.5]
  bundles     N page bundles (a directory with index.md and a photo)[2,500]
  ftl         one .ftl file with N messages, each used by a template [10,000]
  links       one page with N links on one line to its N headings   [4,000]
  directives  one page with N notices, each holding a figure         [10,000]
  spans       one line with N language spans, N `[` and N `]{"`      [20,000]

Environment:
  QIAO_BIN   the binary to measure (default: $CARGO_TARGET_DIR/release/qiao or
             target/release/qiao; build it first with `cargo build --release`)
  BENCH_TMP  where the builds write their output (default /dev/shm/qiao-pathological,
             or bench/out/pathological/public without /dev/shm)
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out" / "pathological"
# Builds write to tmpfs where there is one: on a shared disk, creating thousands of files
# costs more, and more unevenly, than building them.
SCRATCH = Path(
    os.environ.get(
        "BENCH_TMP",
        "/dev/shm/qiao-pathological" if Path("/dev/shm").is_dir() else str(OUT / "public"),
    )
)

SITE_TOML = """base_url = "https://bench.example.org/"
default_language = "zh"

[languages.zh]
name = "中文"
locale = "zh-Hans"
title = "基准"

[taxonomies.tags]
paginate = 10
"""

CJK = "中欧江门中小企业国际合作区挂牌仪式在蓬江区举行，标志着合作区进入全面建设阶段。"


def page(title, body, front=""):
    return f"---\ntitle: {title}\n{front}---\n{body}"


def write(root, rel, text):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")


def site(root, files):
    if root.exists():
        shutil.rmtree(root)
    write(root, "site.toml", SITE_TOML)
    write(root, "content/_index.md", page("首页", "首页\n"))
    for rel, text in files.items():
        write(root, rel, text)


# Each case: (unit, base size, generator(n) -> {path: text}).


def headings(n):
    body = "".join(f"## 版本 {i}\n\n### Fixes\n\n修复。\n\n" for i in range(n))
    return {"content/changelog.md": page("更新记录", body)}


def footnote_labels(n):
    # Labels of five symbols each: they all reduce to the id `n-----`.
    symbols = "!?~+=@$%&;"
    labels = []
    for i in range(n):
        digits = f"{i:05d}"
        labels.append("n" + "".join(symbols[int(d)] for d in digits))
    refs = " ".join(f"注[^{l}]" for l in labels)
    defs = "".join(f"[^{l}]: 第{i}条注释。\n" for i, l in enumerate(labels))
    return {"content/notes.md": page("注释", f"{refs}\n\n{defs}")}


def quotes(n):
    return {"content/quotes.md": page("引用", ">" * n + " 深\n")}


def lists(n):
    return {"content/lists.md": page("列表", "- " * n + "深\n")}


def cjk_line(mb):
    chars = int(mb * 1_000_000 / 3)
    line = (CJK * (chars // len(CJK) + 1))[:chars]
    return {"content/line.md": page("长行", line + "\n")}


def tags(n):
    tag_list = ", ".join(f"标签{i}" for i in range(n))
    return {"content/tagged.md": page("标签", "正文\n", f"tags: [{tag_list}]\n")}


def big_file(mb):
    block = (
        "## 合作区动态\n\n"
        + CJK * 20
        + "\n\n- 第一项 *强调* 与 `代码`\n- 第二项 [链接](https://example.org/)\n\n"
        + "The zone brings **European** and Chinese SMEs together. " * 10
        + "\n\n> 引用一段话。\n\n"
    )
    count = int(mb * 1_000_000 / len(block.encode()))
    return {"content/big.md": page("大文件", block * count)}


def bundles(n):
    files = {}
    for i in range(n):
        files[f"content/news/b{i}/index.md"] = page(f"包 {i}", "正文 ![图](photo.png)\n")
        files[f"content/news/b{i}/photo.png"] = b"\x89PNG\r\n\x1a\n"
    files["content/news/_index.md"] = page("新闻", "")
    return files


def ftl(n):
    messages = "".join(f"msg-{i} = 第{i}条消息\n" for i in range(n))
    # A template that asks for every message, so all of them are used.
    lookups = "".join(f'{{{{ t(key="msg-{i}") }}}}\n' for i in range(0, n, max(1, n // 100)))
    template = (
        '{% extends "base.html" %}{% block content %}' + lookups + "{% endblock content %}\n"
    )
    return {
        "i18n/zh/main.ftl": messages,
        "templates/page.html": template,
        "content/p.md": page("消息", "正文\n"),
    }


def links(n):
    heads = "".join(f"## 节 {i}\n\n正文。\n\n" for i in range(n))
    toc = " ".join(f"[{i}](@/links.md#节-{i})" for i in range(n))
    return {"content/links.md": page("链接", toc + "\n\n" + heads)}


def directives(n):
    body = "".join(
        f':::notice{{kind="warning"}}\n::figure{{src="/f.png" alt="图 {i}"}}\n:::\n\n' for i in range(n)
    )
    return {"content/directives.md": page("指令", body), "static/f.png": b"\x89PNG\r\n\x1a\n"}


def spans(n):
    line = "[以上]{lang=en} " * n + "[" * n + ' ]{"x' * n
    return {"content/spans.md": page("语言", line + "\n")}


CASES = {
    "headings": ("headings", 10000, headings),
    "footnotes": ("labels", 4000, footnote_labels),
    "quotes": ("levels", 50000, quotes),
    "lists": ("levels", 10000, lists),
    "cjk-line": ("MB", 2.5, cjk_line),
    "tags": ("tags", 1000, tags),
    "big-file": ("MB", 12.5, big_file),
    "bundles": ("bundles", 2500, bundles),
    "ftl": ("messages", 10000, ftl),
    "links": ("links", 4000, links),
    "directives": ("notices", 10000, directives),
    "spans": ("spans", 20000, spans),
}


def qiao_bin():
    if os.environ.get("QIAO_BIN"):
        return Path(os.environ["QIAO_BIN"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "release" / "qiao"


def tree_bytes(root):
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def build(binary, root, runs):
    """The best (wall, CPU) seconds of `runs` builds. CPU time (user + system, all threads)
    is what the verdict uses: on a shared machine it varies far less than wall time."""
    SCRATCH.mkdir(parents=True, exist_ok=True)
    out = SCRATCH / (root.name + "-public")
    best = None
    for _ in range(runs):
        if out.exists():
            shutil.rmtree(out)
        start = time.perf_counter()
        proc = subprocess.Popen(
            [str(binary), "build", "--root", str(root), "--output", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "NO_COLOR": "1"},
        )
        stderr = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        cpu = usage.ru_utime + usage.ru_stime
        if proc.returncode != 0:
            sys.stderr.write(stderr.decode(errors="replace")[-2000:])
            raise SystemExit(f"{root.name}: qiao build failed with exit code {proc.returncode}")
        if best is None or cpu < best[1]:
            best = (wall, cpu)
    shutil.rmtree(out, ignore_errors=True)
    return best


def fmt_size(n):
    return f"{n:,}" if isinstance(n, int) else f"{n:g}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cases", nargs="*", help="cases to run (default: all)")
    ap.add_argument("--quick", action="store_true", help="half the sizes")
    ap.add_argument("--runs", type=int, default=3, help="runs per input (best counts)")
    args = ap.parse_args()
    binary = qiao_bin()
    if not binary.exists():
        raise SystemExit(f"{binary} not found: run `cargo build --release` or set QIAO_BIN")
    names = args.cases or list(CASES)
    for name in names:
        if name not in CASES:
            raise SystemExit(f"unknown case {name}; cases: {', '.join(CASES)}")
    print("| case | size (input) | wall time | CPU time | CPU growth per doubling |")
    print("|---|---|---|---|---|")
    verdicts = []
    for name in names:
        unit, base, gen = CASES[name]
        if args.quick:
            base = base / 2 if isinstance(base, float) else base // 2
        times = []
        for k in (1, 2, 4):
            n = base * k
            root = OUT / f"{name}-{fmt_size(n).replace(',', '')}"
            site(root, gen(n))
            size = tree_bytes(root)
            wall, cpu = build(binary, root, args.runs)
            growth = f"×{cpu / times[-1]:.2f}" if times else ""
            times.append(cpu)
            print(
                f"| {name} | {fmt_size(n)} {unit} ({size / 1e6:.1f} MB) | {wall:.2f} s "
                f"| {cpu:.2f} s | {growth} |",
                flush=True,
            )
            shutil.rmtree(root)
        last = times[2] / times[1]
        verdicts.append((name, last, "linear" if last <= 2.6 else "SUPER-LINEAR"))
    print()
    for name, last, verdict in verdicts:
        print(f"- {name}: last doubling ×{last:.2f}: {verdict}")
    if any(v != "linear" for _, _, v in verdicts):
        sys.exit(1)


if __name__ == "__main__":
    main()
