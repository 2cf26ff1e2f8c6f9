//! Languages on different hosts, and the legal links every page must carry.
//!
//! A publication for two audiences is often hosted twice: the Chinese pages in mainland
//! China (with an ICP filing number), the English and German ones in Europe. A language's own
//! `base_url` in `[languages.<code>]` says where its pages live; it may change the host, not
//! the path, so every page keeps its site path (`/en/news/x/`) and only its origin differs.
//!
//! Everything that writes a page goes through one [`HostSink`], which sits in front of the
//! real [`Sink`]:
//!
//! - **Links across hosts.** A root-relative link to a *page* (a path ending in `/` or
//!   `.html`) of a language on another host is made absolute (`/en/` on the Chinese host
//!   becomes `https://zone.example.eu/en/`), whatever wrote it: a template, the language
//!   switcher, Markdown, `get_page`. Files (`/zone.css`, `/bases/layout.svg`) stay relative:
//!   they are published on every host.
//! - **`--split-hosts`.** The output gets one directory per host, named by its host name
//!   (`public/zone.example.org/`, `public/zone.example.eu/`). A language's pages go to its
//!   host; so do its feeds and every file under its prefix (`/en/atom.xml`); every other
//!   file (styles, scripts, images, search indexes) goes to every host. Each host gets its own `robots.txt` and
//!   a sitemap of its own URLs (their hreflang alternates still name the other hosts); a host
//!   without the default language gets a root `index.html` that sends readers to its first
//!   language, and that language's `404.html` at its root.
//! - **Legal links.** Every HTML page of a language with `[languages.<code>.legal]` pages must
//!   link each of them (`href` to its path); a page that does not is named in one warning per
//!   legal page, so a theme that forgets the footer link is caught by `qiao check`.
//!   Alias redirect pages are not read by people and are exempt.

use std::io;
use std::path::Path;
use std::sync::Mutex;

use crate::config::{Config, host_dir};
use crate::diagnostics::Diagnostic;
use crate::output::Sink;

/// A legal page that every page of a language must link.
#[derive(Debug, Clone)]
pub struct RequiredLink {
    /// Language code whose pages must link it.
    pub lang: String,
    /// `imprint`, `privacy`, `accessibility` or `contact`.
    pub kind: String,
    /// Its site path (`/en/imprint/`).
    pub path: String,
}

/// The [`Sink`] in front of the output: links across hosts, the split into host directories
/// and the check of legal links (see the module header).
pub struct HostSink<'a> {
    inner: &'a dyn Sink,
    config: &'a Config,
    /// (origin, directory, language codes), the default language's host first.
    hosts: Vec<(String, String, Vec<String>)>,
    split: bool,
    required: Vec<RequiredLink>,
    /// (kind, required path, output file) of each page without a required link.
    missing: Mutex<Vec<(String, String, String)>>,
}

impl<'a> HostSink<'a> {
    /// A sink writing into `inner` for `config`; `required` are the legal links to check.
    pub fn new(inner: &'a dyn Sink, config: &'a Config, required: Vec<RequiredLink>) -> Self {
        let hosts = config
            .hosts()
            .into_iter()
            .map(|(o, codes)| {
                (
                    o.to_string(),
                    host_dir(o),
                    codes.into_iter().map(String::from).collect(),
                )
            })
            .collect();
        HostSink {
            inner,
            config,
            hosts,
            split: config.split_hosts && config.is_multi_host(),
            required,
            missing: Mutex::new(Vec::new()),
        }
    }

    /// Whether the sink changes anything: several hosts, or legal links to check.
    pub fn is_needed(config: &Config, required: &[RequiredLink]) -> bool {
        config.is_multi_host() || !required.is_empty()
    }

    /// Warnings for pages that do not link a legal page of their language, one per legal
    /// page, naming the first pages that miss it.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut missing = self.missing.lock().map(|m| m.clone()).unwrap_or_default();
        missing.sort();
        let mut out = Vec::new();
        let mut i = 0;
        while i < missing.len() {
            let (kind, path) = (&missing[i].0, &missing[i].1);
            let files: Vec<&str> = missing[i..]
                .iter()
                .take_while(|m| &m.0 == kind && &m.1 == path)
                .map(|m| m.2.as_str())
                .collect();
            let n = files.len();
            let shown: Vec<&str> = files.iter().take(5).copied().collect();
            out.push(
                Diagnostic::warning(format!(
                    "{n} page{} do{} not link the {kind} page {path}: {}{}",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "es" } else { "" },
                    shown.join(", "),
                    if n > shown.len() { ", …" } else { "" },
                ))
                .in_file(crate::config::CONFIG_FILE)
                .with_hint(
                    "[languages.<code>.legal] asks every page to link it: add the link to the theme's footer (for example with get_page(path=…) over language.legal.pages)",
                ),
            );
            i += n;
        }
        out
    }

    /// The language code an output file belongs to: the language whose prefix it is under,
    /// else the default language.
    fn lang_of_rel(&self, rel: &str) -> &str {
        let path = format!("{}{rel}", self.config.base_path);
        &self.config.language_of_path(&path).code
    }

    /// Whether an output file is under a non-default language's prefix.
    fn under_prefix(&self, rel: &str) -> bool {
        rel.split_once('/').is_some_and(|(first, _)| {
            self.config
                .languages
                .iter()
                .any(|l| !l.is_default && l.code == first)
        })
    }

    /// The host directories an output file goes to (split output only).
    fn targets(&self, rel: &str, is_page: bool) -> Vec<&str> {
        if is_page || self.under_prefix(rel) {
            let lang = self.lang_of_rel(rel);
            self.hosts
                .iter()
                .filter(|h| h.2.iter().any(|c| c == lang))
                .map(|h| h.1.as_str())
                .collect()
        } else {
            self.hosts.iter().map(|h| h.1.as_str()).collect()
        }
    }

    /// A root-relative link to a page on another host, made absolute; everything else as
    /// it is.
    fn absolutize(&self, html: &str, lang: &str) -> Option<String> {
        let here = self.config.language(lang)?;
        let here_origin = self.config.origin(here);
        let base = self.config.base_path.as_str();
        let mut out = String::with_capacity(html.len() + 256);
        let mut last = 0;
        let mut changed = false;
        let needle = "href=\"";
        let mut from = 0;
        while let Some(i) = html[from..].find(needle) {
            let start = from + i + needle.len();
            let end = match html[start..].find('"') {
                Some(e) => start + e,
                None => break,
            };
            from = end;
            let value = &html[start..end];
            if !value.starts_with(base) || value.starts_with("//") {
                continue;
            }
            let path = value.split(['#', '?']).next().unwrap_or(value);
            if !(path.ends_with('/') || path.ends_with(".html")) {
                continue;
            }
            let target = self.config.language_of_path(path);
            let origin = self.config.origin(target);
            if origin == here_origin {
                continue;
            }
            out.push_str(&html[last..start]);
            out.push_str(origin);
            last = start;
            changed = true;
        }
        changed.then(|| {
            out.push_str(&html[last..]);
            out
        })
    }

    fn check_legal(&self, rel: &str, lang: &str, html: &str) {
        if html.contains("<meta http-equiv=\"refresh\"") {
            return;
        }
        for r in self.required.iter().filter(|r| r.lang == lang) {
            let permalink = self.config.permalink(&r.path);
            let linked = [r.path.as_str(), permalink.as_str()].iter().any(|p| {
                let needle = format!("href=\"{p}");
                html.match_indices(&needle).any(|(i, _)| {
                    matches!(html.as_bytes().get(i + needle.len()), Some(b'"' | b'#'))
                })
            });
            if !linked && let Ok(mut m) = self.missing.lock() {
                m.push((r.kind.clone(), r.path.clone(), rel.to_string()));
            }
        }
    }

    /// The sitemap or robots.txt of one host, from the site-wide one.
    fn for_host(&self, rel: &str, data: &[u8], origin: &str) -> Vec<u8> {
        let text = String::from_utf8_lossy(data);
        let default_origin = self.config.origin(self.config.default_lang());
        if rel == "robots.txt" {
            return text.replace(default_origin, origin).into_bytes();
        }
        if text.contains("<sitemapindex") {
            return text
                .replace(
                    &format!("<loc>{default_origin}/"),
                    &format!("<loc>{origin}/"),
                )
                .into_bytes();
        }
        // A urlset: keep the <url> entries whose <loc> is on this host.
        let mut out = String::with_capacity(text.len());
        let mut rest: &str = &text;
        while let Some(i) = rest.find("<url>\n") {
            out.push_str(&rest[..i]);
            let entry_end = rest[i..].find("</url>\n").map_or(rest.len(), |e| i + e + 7);
            let entry = &rest[i..entry_end];
            if entry.contains(&format!("<loc>{origin}/")) {
                out.push_str(entry);
            }
            rest = &rest[entry_end..];
        }
        out.push_str(rest);
        out.into_bytes()
    }

    /// Root `index.html` and `404.html` of the hosts without the default language. Called
    /// once, after everything else is written.
    pub fn finish(&self) -> io::Result<()> {
        if !self.split {
            return Ok(());
        }
        for (origin, dir, codes) in &self.hosts {
            if codes.contains(&self.config.default_language) {
                continue;
            }
            let Some(first) = codes.first() else { continue };
            let home = format!("{origin}{}", self.config.lang_prefix(first));
            self.inner.write(
                &format!("{dir}/index.html"),
                crate::xml::redirect_page(&home).as_bytes(),
            )?;
        }
        Ok(())
    }
}

impl Sink for HostSink<'_> {
    fn write(&self, rel: &str, data: &[u8]) -> io::Result<()> {
        let is_page = rel.ends_with(".html");
        // Feeds are a language's too: they go where its pages go.
        let is_feed = rel.ends_with(".xml") && !rel.starts_with("sitemap");
        let lang = self.lang_of_rel(rel).to_string();
        let mut owned = None;
        if is_page && let Ok(html) = std::str::from_utf8(data) {
            if self.hosts.len() > 1 {
                owned = self.absolutize(html, &lang);
            }
            self.check_legal(rel, &lang, owned.as_deref().unwrap_or(html));
        }
        let data = owned.as_ref().map_or(data, |s| s.as_bytes());
        if !self.split {
            return self.inner.write(rel, data);
        }
        let per_host = rel == "robots.txt"
            || (!rel.contains('/') && rel.starts_with("sitemap") && rel.ends_with(".xml"));
        for (origin, dir, _) in &self.hosts {
            if per_host {
                self.inner
                    .write(&format!("{dir}/{rel}"), &self.for_host(rel, data, origin))?;
            }
        }
        if per_host {
            return Ok(());
        }
        for dir in self.targets(rel, is_page || is_feed) {
            self.inner.write(&format!("{dir}/{rel}"), data)?;
        }
        // A host without the default language serves its first language's 404 page.
        if let Some((first, "404.html")) = rel.split_once('/')
            && let Some((_, dir, _)) = self.hosts.iter().find(|h| {
                h.2.first().is_some_and(|c| c == first)
                    && !h.2.contains(&self.config.default_language)
            })
        {
            self.inner.write(&format!("{dir}/404.html"), data)?;
        }
        Ok(())
    }

    fn copy(&self, from: &Path, rel: &str) -> io::Result<()> {
        if !self.split {
            return self.inner.copy(from, rel);
        }
        for dir in self.targets(rel, false) {
            self.inner.copy(from, &format!("{dir}/{rel}"))?;
        }
        Ok(())
    }

    fn remove(&self, rel: &str) -> io::Result<()> {
        if !self.split {
            return self.inner.remove(rel);
        }
        for (_, dir, _) in &self.hosts {
            self.inner.remove(&format!("{dir}/{rel}"))?;
        }
        Ok(())
    }

    fn count(&self) -> usize {
        self.inner.count()
    }
}

/// The legal pages each language requires, as site paths; an error for each that names no
/// page of that language.
pub fn required_links(
    config: &Config,
    model: &crate::model::SiteModel,
) -> (Vec<RequiredLink>, Vec<Diagnostic>) {
    let mut links = Vec::new();
    let mut errors = Vec::new();
    for l in &config.languages {
        for p in &l.legal.pages {
            let key = p.path.strip_suffix(".md").unwrap_or(&p.path);
            let key = key.strip_suffix("/index").unwrap_or(key);
            match model.page_at(&l.code, key) {
                Some(i) => links.push(RequiredLink {
                    lang: l.code.clone(),
                    kind: p.kind.clone(),
                    path: model.pages[i].path.clone(),
                }),
                None => errors.push(
                    Diagnostic::error(format!(
                        "[languages.{}.legal] {} = \"{}\" names no page in {}",
                        l.code, p.kind, p.path, l.name
                    ))
                    .in_file(crate::config::CONFIG_FILE)
                    .at_text(&p.at.2, p.at.0, p.at.1)
                    .with_hint(format!(
                        "give the path of a page under content/, as get_page takes it (e.g. \"{}.md\"), and make sure it exists in this language",
                        p.kind
                    )),
                ),
            }
        }
    }
    (links, errors)
}
