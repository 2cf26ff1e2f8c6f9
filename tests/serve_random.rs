//! The invariant of `qiao serve`: after any sequence of edits, creations, deletions and
//! renames, of files and of whole directories (moved out of the site and back, renamed,
//! deleted), of front matter that moves pages (tags and categories, slugs, dates, weights,
//! drafts, aliases, templates), of translations and sections (`x.en.md` and `_index.md`
//! created, edited, deleted), of templates and `.ftl` files (edited, broken, fixed), of pages
//! that are symbolic links to other pages (which the other operations change), the served
//! site is exactly what a clean `qiao build` of the same sources writes (or, while the
//! sources have errors, exactly the last good build).
//!
//! Each step applies one or a burst of random operations, waits until the server has caught
//! up, builds the same sources from scratch into another directory, and compares the two
//! trees byte for byte. The trilingual fixture is extended first (by [`extend`]) with a page
//! template that reads another page, an override of the built-in list partial, and an `.ftl`
//! file per language that both use. A failure prints the seed and the operations that led
//! to it.
//!
//! The default run is short (4 seeds of 20 steps). The long form, which draws every kind of
//! operation dozens of times (`QIAO_RANDOM_VERBOSE=1` prints the tally and each step's
//! errors; `QIAO_RANDOM_SEED=n` starts at seed `n`):
//!
//! ```sh
//! QIAO_RANDOM_SEEDS=25 QIAO_RANDOM_STEPS=40 QIAO_RANDOM_VERBOSE=1 \
//!     cargo test --test serve_random -- --nocapture
//! ```

mod serve_support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serve_support::front_matter;
use serve_support::*;

/// xorshift64*: small, deterministic, good enough to pick operations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Files whose removal breaks internal links of the fixture: they are only broken and
/// restored on purpose, by `break` and `fix`.
const LINKED: [&str; 2] = ["content/bases/kaiping.md", "content/news/only-zh.md"];

/// The kinds of operation, for drawing and for the tally.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Body and harmless front matter edits (headings, links, titles, descriptions).
    Edit,
    Create,
    Delete,
    Rename,
    /// A whole directory moved out, back in, renamed or deleted.
    Directory,
    Static,
    Asset,
    /// Invalid front matter, or a linked page removed.
    Break,
    Swap,
    /// A broken file restored (not drawn: see [`Site::operate`]).
    Fix,
    Terms,
    TermEverywhere,
    Slug,
    Date,
    Weight,
    Draft,
    Alias,
    TranslationAdd,
    TranslationRemove,
    TranslationOf,
    Section,
    TemplateEdit,
    TemplateBreak,
    TemplateUse,
    FtlEdit,
    FtlBreak,
    /// A page that is a symbolic link to another page, or such a link removed.
    Link,
}

/// How often each kind is drawn (relative weights, 101 in all): with about 1,500 operations
/// drawn in 25 seeds × 40 steps, the rarest kinds are drawn about 30 times each.
const KINDS: [(Kind, u64); 26] = [
    (Kind::Edit, 12),
    (Kind::Create, 7),
    (Kind::Delete, 4),
    (Kind::Rename, 5),
    (Kind::Directory, 5),
    (Kind::Static, 3),
    (Kind::Asset, 3),
    (Kind::Break, 4),
    (Kind::Swap, 2),
    (Kind::Terms, 7),
    (Kind::TermEverywhere, 2),
    (Kind::Slug, 4),
    (Kind::Date, 5),
    (Kind::Weight, 2),
    (Kind::Draft, 4),
    (Kind::Alias, 3),
    (Kind::TranslationAdd, 4),
    (Kind::TranslationRemove, 3),
    (Kind::TranslationOf, 3),
    (Kind::Section, 4),
    (Kind::TemplateEdit, 3),
    (Kind::TemplateBreak, 2),
    (Kind::TemplateUse, 3),
    (Kind::FtlEdit, 2),
    (Kind::FtlBreak, 2),
    (Kind::Link, 3),
];

/// Terms the operations draw from, besides terms of their own.
const TAGS: [&str; 6] = ["江门", "合作", "news", "Zone", "中欧合作", "Jiangmen"];
const CATEGORIES: [&str; 4] = ["新闻", "News", "Nachrichten", "政策"];
/// The languages besides the default one.
const LANGS: [&str; 2] = ["en", "de"];

/// A page template that some pages name (`template: oracle.html`): it shows an interface
/// message and the title of another page (a dependency through `get_page`).
const PAGE_TEMPLATE: &str = "templates/oracle.html";
/// The site's override of the built-in theme's list partial, which every list uses.
const LIST_TEMPLATE: &str = "templates/partials/list.html";

/// A generated file's text at a revision.
type Revision = fn(usize) -> String;

fn page_template(rev: usize) -> String {
    r#"{% extends "base.html" %}
{% block title %}{{ page.title }} · {{ config.title }}{% endblock title %}
{% block content %}
<article lang="{{ page.content_locale }}">
<h1>{{ page.title }}</h1>
<p class="oracle">{{ t(key="oracle-note") }} REV</p>
{% set k = get_page(path="bases/kaiping.md", lang="zh") %}<p class="dependency"><a href="{{ k.path }}">{{ k.title }}</a></p>
{{ page.content | safe }}
{% if page.tags %}<ul>{% for tg in page.tags %}<li><a href="{{ tg.path }}">{{ tg.title }}</a></li>{% endfor %}</ul>{% endif %}
{% if page.prev %}<a rel="prev" href="{{ page.prev.path }}">{{ page.prev.title }}</a>{% endif %}
{% if page.next %}<a rel="next" href="{{ page.next.path }}">{{ page.next.title }}</a>{% endif %}
</article>
{% endblock content %}
"#
    .replace("REV", &rev.to_string())
}

fn list_template(rev: usize) -> String {
    format!(
        "<p class=\"oracle\">{{{{ t(key=\"oracle-list\") }}}} {rev}</p>\n{}",
        include_str!("../src/theme/builtin/templates/partials/list.html")
    )
}

/// The site's own `.ftl` file of a language, at revision `rev`.
fn ftl(lang: &str, rev: usize) -> String {
    let (note, list) = match lang {
        "zh" => ("注释", "列表"),
        "en" => ("Note", "List"),
        _ => ("Notiz", "Liste"),
    };
    format!("oracle-note = {note} {rev}\noracle-list = {list}\n")
}

/// Adds to a copy of the trilingual fixture (which uses the built-in theme only) what the
/// template and `.ftl` operations edit, and a page and its translation that use the page
/// template.
fn extend(root: &Path) {
    write(root.join(PAGE_TEMPLATE), &page_template(0));
    write(root.join(LIST_TEMPLATE), &list_template(0));
    for lang in ["zh", "en", "de"] {
        write(root.join(format!("i18n/{lang}/oracle.ftl")), &ftl(lang, 0));
    }
    write(
        root.join("content/news/oracle.md"),
        "---\ntitle: 模板页\ndate: 2016-03-03\ntags: [江门, 独页]\ntemplate: oracle.html\n---\n用模板的页面。\n",
    );
    write(
        root.join("content/news/oracle.en.md"),
        "---\ntitle: Template page\ndate: 2016-03-03\ntemplate: oracle.html\n---\nA page with a template.\n",
    );
}

fn name_of(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// The language of a translation's file name (`x.en.md`), `None` for the default language.
fn lang_of(p: &Path) -> Option<&'static str> {
    let name = name_of(p);
    LANGS
        .into_iter()
        .find(|l| name.ends_with(&format!(".{l}.md")))
}

/// The default-language file of a translation (`x.md` for `x.en.md`).
fn source_of(p: &Path) -> PathBuf {
    let name = name_of(p);
    let lang = lang_of(p).unwrap();
    let stem = name.strip_suffix(&format!(".{lang}.md")).unwrap();
    p.with_file_name(format!("{stem}.md"))
}

/// The translation of a default-language file into `lang`.
fn translation(source: &Path, lang: &str) -> PathBuf {
    let name = name_of(source);
    source.with_file_name(format!("{}.{lang}.md", name.strip_suffix(".md").unwrap()))
}

struct Site {
    root: PathBuf,
    rng: Rng,
    counter: usize,
    /// Files made invalid, with their good text.
    broken: Vec<(PathBuf, String)>,
    /// Outside the site: where directories are moved out to.
    outside: PathBuf,
    /// Directories moved out, with where they were.
    away: Vec<(PathBuf, PathBuf)>,
    log: Vec<String>,
    /// Whether more operations of the same burst follow the current one.
    midburst: bool,
    /// Copies of the sources at each point of the current burst where the server could have
    /// built (see [`Site::checkpoint`]).
    midway: Vec<tempfile::TempDir>,
}

impl Site {
    fn markdown(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = walkdir::WalkDir::new(self.root.join("content"))
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && e.path().extension() == Some("md".as_ref()))
            .map(|e| e.into_path())
            .collect();
        v.retain(|p| !self.broken.iter().any(|(b, _)| b == p));
        v
    }

    fn movable(&self) -> Vec<PathBuf> {
        self.markdown()
            .into_iter()
            .filter(|p| !LINKED.iter().any(|l| p.ends_with(l)))
            .collect()
    }

    /// Directories where a new page may go: not inside a page bundle (a page there would
    /// collide with the bundle's own output, an error that would stay for good).
    fn dirs(&self) -> Vec<PathBuf> {
        let content = self.root.join("content");
        let in_bundle = |dir: &Path| {
            dir.ancestors()
                .take_while(|a| a.starts_with(&content))
                .any(|a| {
                    fs::read_dir(a).unwrap().any(|e| {
                        let name = e.unwrap().file_name().to_string_lossy().into_owned();
                        name.starts_with("index.") && name.ends_with(".md")
                    })
                })
        };
        walkdir::WalkDir::new(&content)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_dir() && !in_bundle(e.path()))
            .map(|e| e.into_path())
            .collect()
    }

    /// Directories that may be moved, renamed or deleted as a whole: any under `content/`
    /// that holds no linked file.
    fn movable_dirs(&self) -> Vec<PathBuf> {
        let content = self.root.join("content");
        walkdir::WalkDir::new(&content)
            .min_depth(1)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_dir())
            .map(|e| e.into_path())
            .filter(|d| !LINKED.iter().any(|l| self.root.join(l).starts_with(d)))
            .collect()
    }

    /// Moves, renames or deletes a whole directory, or moves one back into the site.
    fn directory_operation(&mut self) -> Option<String> {
        self.counter += 1;
        let c = self.counter;
        if !self.away.is_empty() && self.rng.chance(30) {
            let (from, was) = self.away.remove(self.rng.below(self.away.len()));
            let to = if was.exists() || self.rng.chance(50) {
                let dirs = self.dirs();
                self.rng.pick(&dirs).unwrap().join(format!("back{c}"))
            } else {
                was
            };
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::rename(&from, &to).unwrap();
            return Some(format!("move a directory back in: {}", self.rel(&to)));
        }
        let dir = self.rng.pick(&self.movable_dirs()).cloned()?;
        Some(match self.rng.below(4) {
            0 | 1 => {
                let to = self.outside.join(format!("d{c}"));
                fs::rename(&dir, &to).unwrap();
                let what = format!("move {} out of the site", self.rel(&dir));
                self.away.push((to, dir));
                what
            }
            2 => {
                let dirs: Vec<PathBuf> = self
                    .dirs()
                    .into_iter()
                    .filter(|d| !d.starts_with(&dir))
                    .collect();
                let parent = self
                    .rng
                    .pick(&dirs)
                    .cloned()
                    .unwrap_or_else(|| dir.parent().unwrap().to_path_buf());
                let to = parent.join(format!("moved{c}"));
                fs::rename(&dir, &to).unwrap();
                format!("rename {} -> {}", self.rel(&dir), self.rel(&to))
            }
            _ => {
                fs::remove_dir_all(&dir).unwrap();
                format!("delete the directory {}", self.rel(&dir))
            }
        })
    }

    fn rel(&self, p: &Path) -> String {
        p.strip_prefix(&self.root)
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }

    fn fresh_name(&mut self) -> String {
        self.counter += 1;
        let lang = match self.rng.below(4) {
            0 => ".en",
            1 => ".de",
            _ => "",
        };
        format!("gen-{}{lang}.md", self.counter)
    }

    fn page(&mut self, title: &str) -> String {
        let tag = TAGS[self.rng.below(TAGS.len())];
        let day = 1 + self.rng.below(28);
        let mut more = String::new();
        if self.rng.chance(20) {
            more.push_str(&format!(
                "categories: [{}]\n",
                CATEGORIES[self.rng.below(2)]
            ));
        }
        if self.rng.chance(15) {
            more.push_str("template: oracle.html\n");
        }
        format!(
            "---\ntitle: {title}\ndate: 2021-03-{day:02}\ntags: [{tag}]\n{more}---\n{title}：正文 body text {}.\n",
            self.counter
        )
    }

    fn save(&mut self, path: &Path, text: &str) {
        if self.rng.chance(50) {
            atomic_save(path, text);
        } else {
            self.put(path, text);
        }
    }

    /// Writes in place (as `write`), except in the middle of a burst for files whose
    /// truncated, empty state builds (stylesheets, assets, templates, `.ftl` files): on a
    /// loaded machine the watcher's quiet period can pass between truncating and writing,
    /// and if the burst then ends with an error, the server rightly shows that state, which
    /// no checkpoint holds. A truncated Markdown file is an error, never shown.
    fn put(&self, path: &Path, text: &str) {
        if self.midburst && path.extension() != Some("md".as_ref()) {
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            atomic_save(path, text);
        } else {
            write(path, text);
        }
    }

    /// Within a burst, keeps a copy of the sources as they are now: a state the server may
    /// build if the watcher's quiet period passes before the next change.
    fn checkpoint(&mut self) {
        if self.midburst {
            self.midway.push(copy_tree(&self.root));
        }
    }

    /// Pages, not sections: Markdown files other than `_index`.
    fn pages(&self) -> Vec<PathBuf> {
        self.markdown()
            .into_iter()
            .filter(|p| !name_of(p).starts_with("_index"))
            .collect()
    }

    fn is_linked(&self, p: &Path) -> bool {
        LINKED.iter().any(|l| p.ends_with(l))
    }

    fn is_broken(&self, p: &Path) -> bool {
        self.broken.iter().any(|(b, _)| b == p)
    }

    /// Picks a page and reads it.
    fn pick_page(&mut self, pages: &[PathBuf]) -> Option<(PathBuf, String)> {
        let p = self.rng.pick(pages)?.clone();
        let text = fs::read_to_string(&p).unwrap();
        front_matter::has(&text).then_some((p, text))
    }

    fn next_count(&mut self) -> usize {
        self.counter += 1;
        self.counter
    }

    /// Runs `qiao translate` on a default-language source; whether it succeeded.
    fn translate(&self, source: &Path, lang: &str, mark_current: bool) -> bool {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_qiao"));
        cmd.arg("translate")
            .arg(self.rel(source))
            .args(["--to", lang, "--root"])
            .arg(&self.root);
        if mark_current {
            cmd.arg("--mark-current");
        }
        cmd.output().unwrap().status.success()
    }

    /// Applies one random operation: its kind, and what it did (`None`: nothing to do).
    fn operate(&mut self) -> (Kind, Option<String>) {
        // errors are fixed soon, as editors do, so that most steps build
        if !self.broken.is_empty() && self.rng.chance(40) {
            let i = self.rng.below(self.broken.len());
            let (p, good) = self.broken.remove(i);
            self.put(&p, &good);
            return (Kind::Fix, Some(format!("fix {}", self.rel(&p))));
        }
        let total: u64 = KINDS.iter().map(|(_, w)| w).sum();
        let mut n = self.rng.next() % total;
        let kind = KINDS
            .iter()
            .find(|(_, w)| {
                let hit = n < *w;
                n = n.saturating_sub(*w);
                hit
            })
            .map(|(k, _)| *k)
            .unwrap();
        let what = match kind {
            Kind::Edit => self.edit(),
            Kind::Create => self.create(),
            Kind::Delete => self.delete(),
            Kind::Rename => self.rename(),
            Kind::Directory => self.directory_operation(),
            Kind::Static => self.edit_static(),
            Kind::Asset => self.asset(),
            Kind::Break => self.break_content(),
            Kind::Swap => self.swap_files(),
            Kind::Terms => self.terms(),
            Kind::TermEverywhere => self.rename_term_everywhere(),
            Kind::Slug => self.slug(),
            Kind::Date => self.date(),
            Kind::Weight => self.weight(),
            Kind::Draft => self.draft(),
            Kind::Alias => self.alias(),
            Kind::TranslationAdd => self.add_translation(),
            Kind::TranslationRemove => self.remove_translation(),
            Kind::TranslationOf => self.translation_of(),
            Kind::Section => self.section(),
            Kind::TemplateEdit => self.edit_template(),
            Kind::TemplateBreak => self.break_template(),
            Kind::TemplateUse => self.use_template(),
            Kind::FtlEdit => self.edit_ftl(),
            Kind::FtlBreak => self.break_ftl(),
            Kind::Link => self.link(),
            Kind::Fix => unreachable!("fixes are not drawn"),
        };
        (kind, what)
    }

    /// Body edits, and front matter edits that move nothing (applied incrementally), some
    /// that may change what other pages see (headings, links, titles: full rebuilds when
    /// they do).
    fn edit(&mut self) -> Option<String> {
        let p = self.rng.pick(&self.markdown()).cloned()?;
        let c = self.next_count();
        let text = fs::read_to_string(&p).unwrap();
        let describe = if text.contains("\ndescription: ") {
            text.replacen("\ndescription: ", &format!("\ndescription: {c} "), 1)
        } else {
            text.replacen("---\n", &format!("---\ndescription: 描述 {c}\n"), 1)
        };
        let (new, what) = match self.rng.below(9) {
            0 => (format!("{text}\n## 小节 Part {c}\n"), "add a heading to"),
            1 => (
                text.replacen("title: ", &format!("title: {c} "), 1),
                "retitle",
            ),
            2 => (
                format!("{text}\n见 [开平](@/bases/kaiping.md) {c}。\n"),
                "add a link to",
            ),
            3 => (
                text.replacen("\n---\n", &format!("\n---\n第一段 First {c}.\n\n"), 1),
                "insert a first paragraph in",
            ),
            4 => (describe, "describe"),
            _ => (format!("{text}\n编辑 edit {c}.\n"), "edit"),
        };
        self.save(&p, &new);
        Some(format!("{what} {}", self.rel(&p)))
    }

    fn create(&mut self) -> Option<String> {
        let dirs = self.dirs();
        let mut dir = self.rng.pick(&dirs).cloned()?;
        if self.rng.chance(20) {
            dir = dir.join(format!("sub{}", self.counter));
        }
        let name = self.fresh_name();
        let text = self.page(&format!("新页 {}", self.counter));
        write(dir.join(&name), &text);
        Some(format!("create {}", self.rel(&dir.join(name))))
    }

    fn delete(&mut self) -> Option<String> {
        let p = self.rng.pick(&self.movable()).cloned()?;
        fs::remove_file(&p).unwrap();
        Some(format!("delete {}", self.rel(&p)))
    }

    fn rename(&mut self) -> Option<String> {
        let p = self.rng.pick(&self.movable()).cloned()?;
        // not into a page bundle: see `dirs`
        let dirs = self.dirs();
        let here = p.parent().unwrap().to_path_buf();
        let dir = if dirs.contains(&here) && self.rng.chance(50) {
            here
        } else {
            self.rng.pick(&dirs).cloned().unwrap()
        };
        let to = dir.join(self.fresh_name());
        if to.exists() {
            return None;
        }
        fs::rename(&p, &to).unwrap();
        Some(format!("rename {} -> {}", self.rel(&p), self.rel(&to)))
    }

    fn edit_static(&mut self) -> Option<String> {
        let css = self.root.join("static/site.css");
        let c = self.next_count();
        self.save(&css, &format!("body {{ margin: {c}px; }}\n"));
        Some("edit static/site.css".into())
    }

    fn asset(&mut self) -> Option<String> {
        let c = self.next_count();
        let p = self.root.join(format!("content/files/f{}.txt", c % 3));
        if p.exists() && self.rng.chance(50) {
            fs::remove_file(&p).unwrap();
            Some(format!("delete {}", self.rel(&p)))
        } else {
            self.put(&p, &format!("asset {c}\n"));
            Some(format!("write {}", self.rel(&p)))
        }
    }

    /// An error: invalid front matter, or a linked page removed.
    fn break_content(&mut self) -> Option<String> {
        if self.rng.chance(50) {
            let p = self.rng.pick(&self.markdown()).cloned()?;
            let good = fs::read_to_string(&p).unwrap();
            self.save(&p, "---\ntitle: [unclosed\n---\nbroken\n");
            self.broken.push((p.clone(), good));
            Some(format!("break {}", self.rel(&p)))
        } else {
            let p = self.root.join(LINKED[self.rng.below(LINKED.len())]);
            if !p.exists() {
                return None;
            }
            let good = fs::read_to_string(&p).unwrap();
            fs::remove_file(&p).unwrap();
            self.broken.push((p.clone(), good));
            Some(format!("remove linked {}", self.rel(&p)))
        }
    }

    /// Editors' leftovers only: no change to the site.
    fn swap_files(&mut self) -> Option<String> {
        let dirs = self.dirs();
        let dir = self.rng.pick(&dirs).cloned()?;
        fs::write(dir.join(".gen.md.swp"), "swap").unwrap();
        fs::write(dir.join("gen.md~"), "backup").unwrap();
        fs::write(dir.join("gen.md___jb_old___"), "JetBrains").unwrap();
        fs::write(dir.join("4913"), "").unwrap();
        fs::remove_file(dir.join("4913")).unwrap();
        Some(format!("swap files in {}", self.rel(&dir)))
    }

    /// A new page that is a symbolic link to a page of the default language without aliases
    /// (`link-N.md`, with an absolute target): every later edit, break, deletion or move of its target
    /// changes it too (a link that leads nowhere is skipped with a warning, and comes back
    /// with its target). Or such a link removed.
    fn link(&mut self) -> Option<String> {
        let links: Vec<PathBuf> = walkdir::WalkDir::new(self.root.join("content"))
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path_is_symlink())
            .map(|e| e.into_path())
            .collect();
        if !links.is_empty() && self.rng.chance(40) {
            let l = self.rng.pick(&links).cloned()?;
            fs::remove_file(&l).unwrap();
            return Some(format!("remove the link {}", self.rel(&l)));
        }
        // (A page with aliases would declare them twice, an error until the link goes.)
        let pages: Vec<PathBuf> = (self.pages().into_iter())
            .filter(|p| lang_of(p).is_none())
            .filter(|p| !fs::read_to_string(p).unwrap().contains("\naliases:"))
            .collect();
        let target = self.rng.pick(&pages).cloned()?;
        let dir = self.rng.pick(&self.dirs()).cloned()?;
        let link = dir.join(format!("link-{}.md", self.next_count()));
        symlink(&target, &link);
        Some(format!("link {} -> {}", self.rel(&link), self.rel(&target)))
    }

    /// A tag or category added to a page, removed from it, or renamed in it; a term of its
    /// own (`独N`) makes its term pages appear, and disappear with it.
    fn terms(&mut self) -> Option<String> {
        let (p, text) = self.pick_page(&self.pages())?;
        let (key, pool): (&str, &[&str]) = if self.rng.chance(70) {
            ("tags", &TAGS)
        } else {
            ("categories", &CATEGORIES)
        };
        let mut items = front_matter::list(&text, key);
        let c = self.next_count();
        let term = if self.rng.chance(30) {
            format!("独{c}")
        } else {
            self.rng.pick(pool).unwrap().to_string()
        };
        let what = if items.is_empty() || self.rng.chance(35) {
            if items.contains(&term) {
                return None;
            }
            items.push(term.clone());
            format!("add the {key} term {term} to")
        } else {
            let i = self.rng.below(items.len());
            let old = items.remove(i);
            if self.rng.chance(50) && !items.contains(&term) {
                items.insert(i, term.clone());
                format!("rename the {key} term {old} to {term} in")
            } else {
                format!("remove the {key} term {old} from")
            }
        };
        let new = front_matter::set_list(&text, key, &items)?;
        self.save(&p, &new);
        Some(format!("{what} {}", self.rel(&p)))
    }

    /// A term renamed in every page that has it (a burst of saves).
    fn rename_term_everywhere(&mut self) -> Option<String> {
        let (key, pool): (&str, &[&str]) = if self.rng.chance(70) {
            ("tags", &TAGS)
        } else {
            ("categories", &CATEGORIES)
        };
        let texts: Vec<(PathBuf, String)> = self
            .pages()
            .into_iter()
            .map(|p| {
                let t = fs::read_to_string(&p).unwrap();
                (p, t)
            })
            .collect();
        let all: std::collections::BTreeSet<String> = texts
            .iter()
            .flat_map(|(_, t)| front_matter::list(t, key))
            .collect();
        let all: Vec<String> = all.into_iter().collect();
        let old = self.rng.pick(&all)?.clone();
        let c = self.next_count();
        let new = if self.rng.chance(50) {
            format!("改{c}")
        } else {
            self.rng.pick(pool).unwrap().to_string()
        };
        if new == old {
            return None;
        }
        let mut n = 0;
        for (p, t) in &texts {
            let mut items = front_matter::list(t, key);
            if let Some(i) = items.iter().position(|x| *x == old) {
                if items.contains(&new) {
                    items.remove(i);
                } else {
                    items[i] = new.clone();
                }
                if n > 0 {
                    self.checkpoint();
                }
                self.save(p, &front_matter::set_list(t, key, &items).unwrap());
                n += 1;
            }
        }
        Some(format!("rename the {key} term {old} to {new} in {n} pages"))
    }

    fn slug(&mut self) -> Option<String> {
        let (p, text) = self.pick_page(&self.pages())?;
        let c = self.next_count();
        let (value, what) = if front_matter::field(&text, "slug").is_some() && self.rng.chance(50) {
            (None, "remove the slug of".to_string())
        } else {
            let s = if self.rng.chance(30) {
                format!("页-{c}")
            } else {
                format!("s-{c}")
            };
            let what = format!("set the slug {s} on");
            (Some(s), what)
        };
        self.save(&p, &front_matter::set(&text, "slug", value.as_deref())?);
        Some(format!("{what} {}", self.rel(&p)))
    }

    /// A date moved (list order, neighbours, feeds), into the future (held back: not for
    /// linked pages, whose links would then warn for good), removed, or made equal to
    /// another page's (a tie).
    fn date(&mut self) -> Option<String> {
        let pages = self.pages();
        let (p, text) = self.pick_page(&pages)?;
        let value = match self.rng.below(6) {
            0 | 1 => Some(format!(
                "{}-{:02}-{:02}",
                2015 + self.rng.below(3),
                1 + self.rng.below(12),
                1 + self.rng.below(28)
            )),
            2 if !self.is_linked(&p) => Some(format!("2099-{:02}-01", 1 + self.rng.below(12))),
            3 => None,
            4 => {
                let other = self.rng.pick(&pages).unwrap();
                Some(front_matter::field(
                    &fs::read_to_string(other).unwrap(),
                    "date",
                )?)
            }
            _ => Some(format!(
                "2016-02-29 {:02}:{:02}:00",
                self.rng.below(24),
                self.rng.below(60)
            )),
        };
        self.save(&p, &front_matter::set(&text, "date", value.as_deref())?);
        Some(format!(
            "date {} {}",
            self.rel(&p),
            value.as_deref().unwrap_or("removed")
        ))
    }

    fn weight(&mut self) -> Option<String> {
        let (p, text) = self.pick_page(&self.pages())?;
        let value = self
            .rng
            .chance(70)
            .then(|| (1 + self.rng.below(4)).to_string());
        self.save(&p, &front_matter::set(&text, "weight", value.as_deref())?);
        Some(format!(
            "weight {} {}",
            self.rel(&p),
            value.as_deref().unwrap_or("removed")
        ))
    }

    /// A draft published, or a page made a draft (not a linked page: see [`Site::date`]).
    fn draft(&mut self) -> Option<String> {
        let pages: Vec<PathBuf> = self
            .pages()
            .into_iter()
            .filter(|p| !self.is_linked(p))
            .collect();
        let (p, text) = self.pick_page(&pages)?;
        let is_draft = front_matter::field(&text, "draft").is_some_and(|v| v == "true");
        let value = (!is_draft).then_some("true");
        self.save(&p, &front_matter::set(&text, "draft", value)?);
        let what = if is_draft {
            "publish"
        } else {
            "make a draft of"
        };
        Some(format!("{what} {}", self.rel(&p)))
    }

    fn alias(&mut self) -> Option<String> {
        let (p, text) = self.pick_page(&self.pages())?;
        let mut items = front_matter::list(&text, "aliases");
        let c = self.next_count();
        let what = if !items.is_empty() && self.rng.chance(40) {
            let old = items.remove(self.rng.below(items.len()));
            format!("remove the alias {old} of")
        } else {
            items.push(format!("\"/old/a{c}/\""));
            format!("add the alias /old/a{c}/ to")
        };
        self.save(&p, &front_matter::set_list(&text, "aliases", &items)?);
        Some(format!("{what} {}", self.rel(&p)))
    }

    /// A translation (`x.en.md`, `_index.de.md`) created beside a default-language file: by
    /// hand (untracked, or with a `translation_of` that is not the source's: stale), or as
    /// `qiao translate` writes it (a draft stub). Both keep the source's body.
    fn add_translation(&mut self) -> Option<String> {
        let sources: Vec<PathBuf> = self
            .markdown()
            .into_iter()
            .filter(|p| lang_of(p).is_none())
            .collect();
        let source = self.rng.pick(&sources)?.clone();
        let first = self.rng.below(LANGS.len());
        let (lang, target) = (0..LANGS.len())
            .map(|i| LANGS[(first + i) % LANGS.len()])
            .map(|lang| (lang, translation(&source, lang)))
            .find(|(_, target)| !target.exists())?;
        let c = self.next_count();
        if self.rng.chance(30) {
            return self
                .translate(&source, lang, false)
                .then(|| format!("qiao translate {} --to {lang}", self.rel(&source)));
        }
        let source_text = fs::read_to_string(&source).unwrap();
        let mut text = format!("---\ntitle: Translation {c}\n");
        if !name_of(&source).starts_with("_index") {
            if let Some(date) = front_matter::field(&source_text, "date") {
                text.push_str(&format!("date: {date}\n"));
            }
            if self.rng.chance(50) {
                text.push_str(&format!("tags: [{}]\n", self.rng.pick(&TAGS).unwrap()));
            }
            if self.rng.chance(30) {
                text.push_str("template: oracle.html\n");
            }
        }
        if self.rng.chance(50) {
            text.push_str(&format!(
                "translation_of: {:012x}\n",
                self.rng.next() & 0xffff_ffff_ffff
            ));
        }
        // the source's body, as a translator starts: its anchors stay (other pages link to
        // them in this language)
        let body = front_matter::body(&source_text).unwrap_or_default();
        text.push_str(&format!("---\n{body}\nTranslated {c}.\n"));
        write(&target, &text);
        Some(format!("translate {} by hand", self.rel(&target)))
    }

    fn remove_translation(&mut self) -> Option<String> {
        let translations: Vec<PathBuf> = self
            .markdown()
            .into_iter()
            .filter(|p| lang_of(p).is_some() && source_of(p).exists())
            .collect();
        let p = self.rng.pick(&translations)?.clone();
        fs::remove_file(&p).unwrap();
        Some(format!("delete the translation {}", self.rel(&p)))
    }

    /// A translation marked current (`qiao translate --mark-current`), stale (another
    /// revision) or untracked (`translation_of` removed).
    fn translation_of(&mut self) -> Option<String> {
        let markdown = self.markdown();
        let translations: Vec<PathBuf> = markdown
            .iter()
            .filter(|p| lang_of(p).is_some() && markdown.contains(&source_of(p)))
            .cloned()
            .collect();
        let (p, text) = self.pick_page(&translations)?;
        let lang = lang_of(&p).unwrap();
        match self.rng.below(3) {
            0 => self
                .translate(&source_of(&p), lang, true)
                .then(|| format!("mark {} current", self.rel(&p))),
            1 => {
                let hash = format!("{:012x}", self.rng.next() & 0xffff_ffff_ffff);
                let new = front_matter::set(&text, "translation_of", Some(&hash))?;
                self.save(&p, &new);
                Some(format!("mark {} stale", self.rel(&p)))
            }
            _ => {
                let new = front_matter::set(&text, "translation_of", None)?;
                self.save(&p, &new);
                Some(format!("mark {} untracked", self.rel(&p)))
            }
        }
    }

    /// A section's `_index` created (in any language), retitled or reweighted.
    fn section(&mut self) -> Option<String> {
        let dirs = self.dirs();
        let dir = self.rng.pick(&dirs)?.clone();
        let name = ["_index.md", "_index.md", "_index.en.md", "_index.de.md"][self.rng.below(4)];
        let p = dir.join(name);
        if self.is_broken(&p) {
            return None;
        }
        let c = self.next_count();
        let weight = 1 + self.rng.below(5);
        if !p.exists() {
            write(
                &p,
                &format!("---\ntitle: 栏目 {c}\nweight: {weight}\n---\n"),
            );
            return Some(format!("create {}", self.rel(&p)));
        }
        let text = fs::read_to_string(&p).unwrap();
        let (new, what) = match self.rng.below(3) {
            0 => (
                front_matter::set(&text, "title", Some(&format!("栏目 {c}"))),
                "retitle",
            ),
            1 => (
                front_matter::set(&text, "weight", Some(&weight.to_string())),
                "reweight",
            ),
            _ => (front_matter::set(&text, "weight", None), "unweight"),
        };
        self.save(&p, &new?);
        Some(format!("{what} {}", self.rel(&p)))
    }

    /// One of the site's templates, unless it is broken: its path and its text at `rev`.
    fn pick_template(&mut self) -> Option<(PathBuf, Revision)> {
        let (rel, text): (&str, Revision) = if self.rng.chance(50) {
            (PAGE_TEMPLATE, page_template)
        } else {
            (LIST_TEMPLATE, list_template)
        };
        let p = self.root.join(rel);
        (!self.is_broken(&p)).then_some((p, text))
    }

    fn edit_template(&mut self) -> Option<String> {
        let (p, text) = self.pick_template()?;
        let c = self.next_count();
        self.save(&p, &text(c));
        Some(format!("edit {}", self.rel(&p)))
    }

    /// A template made invalid (a syntax error, or a field that does not exist), to be
    /// fixed later.
    fn break_template(&mut self) -> Option<String> {
        let (p, _) = self.pick_template()?;
        let good = fs::read_to_string(&p).unwrap();
        let bad = if self.rng.chance(50) {
            format!("{{% if %}}\n{good}")
        } else {
            let object = if p.ends_with(PAGE_TEMPLATE) {
                "page"
            } else {
                "paginator"
            };
            good.replacen("</p>", &format!("{{{{ {object}.oracle_missing }}}}</p>"), 1)
        };
        self.save(&p, &bad);
        self.broken.push((p.clone(), good));
        Some(format!("break {}", self.rel(&p)))
    }

    /// `template: oracle.html` given to a page or taken from it.
    fn use_template(&mut self) -> Option<String> {
        let (p, text) = self.pick_page(&self.pages())?;
        let uses = front_matter::field(&text, "template").is_some();
        let value = (!uses).then_some("oracle.html");
        self.save(&p, &front_matter::set(&text, "template", value)?);
        let what = if uses { "stop using" } else { "use" };
        Some(format!("{what} oracle.html in {}", self.rel(&p)))
    }

    fn pick_ftl(&mut self) -> Option<(PathBuf, &'static str)> {
        let lang = ["zh", "en", "de"][self.rng.below(3)];
        let p = self.root.join(format!("i18n/{lang}/oracle.ftl"));
        (!self.is_broken(&p)).then_some((p, lang))
    }

    fn edit_ftl(&mut self) -> Option<String> {
        let (p, lang) = self.pick_ftl()?;
        let c = self.next_count();
        self.save(&p, &ftl(lang, c));
        Some(format!("edit {}", self.rel(&p)))
    }

    /// A message removed (an error when no language on the fallback chain has it, else a
    /// warning), or a syntax error, to be restored later.
    fn break_ftl(&mut self) -> Option<String> {
        let (p, _) = self.pick_ftl()?;
        let good = fs::read_to_string(&p).unwrap();
        let (bad, what) = match self.rng.below(3) {
            0 | 1 => {
                let id = ["oracle-note", "oracle-list"][self.rng.below(2)];
                let kept: String = good
                    .lines()
                    .filter(|l| !l.starts_with(id))
                    .map(|l| format!("{l}\n"))
                    .collect();
                (kept, format!("remove the message {id} from"))
            }
            _ => (format!("{good}oracle-bad = {{\n"), "break".to_string()),
        };
        self.save(&p, &bad);
        self.broken.push((p.clone(), good));
        Some(format!("{what} {}", self.rel(&p)))
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// Where a file link needs privileges, a copy stands for it (the target's later edits do
/// not reach it, and the oracle still holds).
#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) {
    fs::copy(target, link).unwrap();
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What a run did: how many rebuilds were incremental, and how many operations of each kind
/// were applied (and how many found nothing to do).
#[derive(Default)]
struct Tally {
    incremental: u64,
    kinds: BTreeMap<Kind, (u64, u64)>,
}

fn verbose() -> bool {
    std::env::var_os("QIAO_RANDOM_VERBOSE").is_some()
}

/// Runs one sequence and adds what it did to `tally`.
fn run_sequence(seed: u64, steps: usize, tally: &mut Tally) {
    let dir = copy_fixture("trilingual");
    extend(dir.path());
    let outside = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let base_url = server.base_url().to_string();
    let mut site = Site {
        root: dir.path().canonicalize().unwrap(),
        rng: Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1),
        counter: 0,
        broken: Vec::new(),
        outside: outside.path().to_path_buf(),
        away: Vec::new(),
        log: Vec::new(),
        midburst: false,
        midway: Vec::new(),
    };
    let mut last_good = clean_build(&site.root, &base_url).expect("the fixture builds");
    assert!(differences(&tree(server.site_dir()), &last_good).is_empty());

    let (mut built, mut failed) = (0, 0);
    for step in 0..steps {
        // one operation, or a burst of several without waiting
        let n = if site.rng.chance(25) {
            2 + site.rng.below(5)
        } else {
            1
        };
        site.midway.clear();
        for i in 0..n {
            site.midburst = i + 1 < n;
            let (kind, what) = site.operate();
            let count = tally.kinds.entry(kind).or_default();
            match what {
                Some(what) => {
                    count.0 += 1;
                    if verbose() {
                        eprintln!("step {step}: {what}");
                    }
                    site.log.push(format!("step {step}: {what}"));
                }
                None => count.1 += 1,
            }
            site.checkpoint();
        }
        site.midburst = false;
        sync(&server);
        let context = || format!("seed {seed}, operations:\n{}", site.log.join("\n"));
        let served = tree(server.site_dir());
        let status = server.status();
        match clean_build(&site.root, &base_url) {
            Ok(clean) => {
                assert!(
                    status.errors.is_empty(),
                    "the server has errors a clean build has not: {:?}\n{}",
                    status.errors,
                    context()
                );
                let d = differences(&served, &clean);
                assert!(d.is_empty(), "{d:#?}\n{}", context());
                last_good = clean;
                built += 1;
            }
            Err(errors) => {
                if verbose() {
                    eprintln!("step {step}: {errors:?}");
                }
                let served_errors: Vec<String> =
                    status.errors.iter().map(|d| d.to_string()).collect();
                assert_eq!(served_errors, errors, "{}", context());
                let mut d = differences(&served, &last_good);
                // When the watcher's quiet period passed between two operations of a burst
                // (a slow `qiao translate`, a loaded machine), the server built its first
                // part: it then serves that, if it built.
                for sources in site.midway.iter().rev() {
                    if d.is_empty() {
                        break;
                    }
                    if let Ok(part) = clean_build(sources.path(), &base_url)
                        && differences(&served, &part).is_empty()
                    {
                        last_good = part;
                        d.clear();
                    }
                }
                assert!(
                    d.is_empty(),
                    "not the last good site: {d:#?}\n{}",
                    context()
                );
                failed += 1;
            }
        }
    }
    let incremental = server.status().incremental;
    eprintln!(
        "seed {seed}: {built} steps matched a clean build ({incremental} rebuilds were \
         incremental), {failed} kept the last good site"
    );
    tally.incremental += incremental;
}

#[test]
fn random_edit_sequences_match_a_clean_build() {
    let seeds = env_or("QIAO_RANDOM_SEEDS", 4);
    let steps = env_or("QIAO_RANDOM_STEPS", 20) as usize;
    let first = env_or("QIAO_RANDOM_SEED", 1);
    let mut tally = Tally::default();
    for seed in first..first + seeds {
        run_sequence(seed, steps, &mut tally);
    }
    if verbose() {
        eprintln!("operations applied (found nothing to do):");
        for (kind, (applied, idle)) in &tally.kinds {
            eprintln!("  {kind:?}: {applied} ({idle})");
        }
    }
    // The fast path must have been taken, or this test proves nothing about it.
    assert!(tally.incremental > 0, "no rebuild was incremental");
    // A long run must have drawn every kind, or it proves nothing about the missing ones.
    if seeds * steps as u64 >= 500 {
        for (kind, _) in KINDS {
            let applied = tally.kinds.get(&kind).map_or(0, |c| c.0);
            assert!(applied >= 10, "{kind:?} applied only {applied} times");
        }
    }
}

#[test]
fn front_matter_edits_keep_everything_else() {
    use front_matter::{body, field, list, set, set_list};
    let text = "---\ntitle: 开平\ntags: [a, b]  # TRANSLATE\nextra:\n  x: [1]\n---\nbody\n---\n";
    assert_eq!(field(text, "title").as_deref(), Some("开平"));
    assert_eq!(list(text, "tags"), ["a", "b"]);
    assert_eq!(list(text, "x"), Vec::<String>::new());
    assert_eq!(
        set(text, "title", Some("新")).unwrap(),
        text.replace("title: 开平", "title: 新")
    );
    assert_eq!(
        set(text, "slug", Some("s")).unwrap(),
        text.replace("---\ntitle", "---\nslug: s\ntitle")
    );
    assert_eq!(
        set_list(text, "tags", &[]).unwrap(),
        text.replace("tags: [a, b]  # TRANSLATE\n", "")
    );
    assert_eq!(body(text), Some("body\n---\n"));
    assert_eq!(set("no front matter", "a", None), None);
    assert_eq!(
        set("---\n---\nb", "a", Some("1")).unwrap(),
        "---\na: 1\n---\nb"
    );
}
