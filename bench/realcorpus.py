#!/usr/bin/env python3
"""Turns a checkout of tldr-pages (a real, community-written corpus of about 10,000 command
pages in English, Chinese and German) into a qiao site, so qiao can be tried on content that
nobody on the project wrote: names such as `mkfs.fat.md`, `acme.sh.md`, `[.md`, `{{...}}`
placeholders in code, CJK and German text.

    python3 bench/realcorpus.py TLDR_CHECKOUT OUT_DIR

TLDR_CHECKOUT holds `pages/`, `pages.zh/` and `pages.de/`. Each page keeps its text as it is;
the only change is a front matter whose title is the page's first `# ` heading (tldr pages have
none), and an `_index.md` per platform. English is the default language, as in tldr itself.
The corpus is not committed: fetch it, convert it, build it.
"""
import json
import os
import sys

LANGS = [("en", "pages", ""), ("zh", "pages.zh", ".zh"), ("de", "pages.de", ".de")]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    content = os.path.join(out, "content")
    os.makedirs(content, exist_ok=True)
    with open(os.path.join(out, "site.toml"), "w", encoding="utf-8") as f:
        f.write(
            'base_url = "https://tldr.example.org/"\n'
            'default_language = "en"\n'
            'missing_translation = "omit"\n\n'
            '[languages.en]\nname = "English"\nlocale = "en"\ntitle = "tldr pages"\n\n'
            '[languages.zh]\nname = "中文"\nlocale = "zh-Hans"\ntitle = "tldr 页面"\n\n'
            '[languages.de]\nname = "Deutsch"\nlocale = "de"\ntitle = "tldr-Seiten"\n\n'
            "[search]\nenabled = true\n"
        )
    pages = 0
    for lang, folder, suffix in LANGS:
        root = os.path.join(src, folder)
        if not os.path.isdir(root):
            continue
        for platform in sorted(os.listdir(root)):
            pdir = os.path.join(root, platform)
            if not os.path.isdir(pdir):
                continue
            odir = os.path.join(content, platform)
            os.makedirs(odir, exist_ok=True)
            with open(os.path.join(odir, f"_index{suffix}.md"), "w", encoding="utf-8") as f:
                f.write(f"---\ntitle: {json.dumps(platform)}\n---\n")
            for name in sorted(os.listdir(pdir)):
                if not name.endswith(".md"):
                    continue
                with open(os.path.join(pdir, name), encoding="utf-8") as f:
                    text = f.read()
                title = name[:-3]
                for line in text.splitlines():
                    if line.startswith("# "):
                        title = line[2:].strip()
                        break
                stem = name[:-3]
                with open(os.path.join(odir, f"{stem}{suffix}.md"), "w", encoding="utf-8") as f:
                    f.write(f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n{text}")
                pages += 1
    print(f"{pages} pages written to {content}")


if __name__ == "__main__":
    main()
