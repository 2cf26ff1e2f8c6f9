//! Step 2 of [`super::build`]: `@/` links. The tables links are resolved against
//! ([`LinkTables`]: every placed source's site path, the files of `content/`, the output
//! paths plain links may reach, where left-out pages would be) and the resolver that renders
//! a body with them and checks its links once every page's anchors are known.
//!
//! An `@/` target is read by the one rule of [`crate::content::name`]: the language written
//! in the name (`@/x.en.md`), else the linking page's language, then the default language.

use std::collections::{HashMap, HashSet};

use super::place::Placed;
use super::{Parsed, SiteModel, UnpublishedSource, UnpublishedSources, out_dir};
use crate::config::Config;
use crate::content::Asset;
use crate::diagnostics::Diagnostic;
use crate::ident;
use crate::markdown;

/// An `@/` target a body looked up while it was rendered, and the URL it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// The target as written (`news/x.en.md`, `logo.png`).
    pub target: String,
    /// Its URL then; `None` when it resolved to nothing.
    pub url: Option<String>,
}

/// What `@/` links and plain links are resolved against.
#[derive(Debug, Clone, Default)]
pub struct LinkTables {
    /// (key, language) → site path of every placed page and section source.
    pub index: super::LinkIndex,
    /// Files of `content/` by path relative to it.
    pub assets: HashMap<String, Asset>,
    /// Output paths that relative and root-relative links may lead to
    /// ([`super::site_files::site_files`]).
    pub files: super::PathSet,
    /// The output directory each left-out page would have, to its (key, language).
    pub unpublished_dirs: HashMap<String, (String, String)>,
}

impl LinkTables {
    /// The tables of a site whose sources are `placed`.
    pub fn new(
        config: &Config,
        placed: &[Placed],
        assets: &[Asset],
        images: &crate::images::Images,
        unpublished: &UnpublishedSources,
    ) -> LinkTables {
        let index: super::LinkIndex = placed
            .iter()
            .map(|p| {
                let s = &p.parsed.source;
                ((s.key.clone(), s.lang.clone()), p.path.clone())
            })
            .collect();
        let files = super::site_files::site_files(config, &index, assets, images.static_paths());
        let unpublished_dirs = unpublished
            .iter()
            .filter_map(|(k, u)| u.path.as_ref().map(|p| (out_dir(config, p), k.clone())))
            .collect();
        LinkTables {
            index,
            assets: assets.iter().map(|a| (a.rel.clone(), a.clone())).collect(),
            files,
            unpublished_dirs,
        }
    }
}

/// What checking one `@/` link looked up, and the answers.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AtProbe {
    target: String,
    anchor: Option<String>,
    resolved: Option<(String, Option<(String, String)>)>,
    unpublished: Option<UnpublishedSource>,
    anchor_found: Option<bool>,
}

/// What checking the links of one source looked up besides its own text and rendering
/// (see `LinkResolver::probes`).
#[derive(Debug, Clone)]
pub struct LinkProbes {
    lang: String,
    at: Vec<AtProbe>,
    /// The output paths relative and root-relative links lead to.
    outputs: Vec<String>,
}

impl LinkProbes {
    /// Whether every lookup still answers as it did, with `resolver` and `anchors` now and
    /// `changed` the output paths that lead somewhere else than before (pages and files that
    /// came or went, left-out pages whose reason or place changed).
    pub fn hold<'x>(
        &self,
        resolver: &LinkResolver<'_>,
        anchors: &Anchors<'x>,
        changed: &super::PathSet,
    ) -> bool {
        (changed.is_empty() || !self.outputs.iter().any(|o| changed.contains(o)))
            && self
                .at
                .iter()
                .all(|a| resolver.probe(&a.target, a.anchor.as_deref(), &self.lang, anchors) == *a)
    }
}

/// The anchors of the page or section with a (key, language), if it exists.
pub(crate) type Anchors<'x> = dyn Fn(&(String, String)) -> Option<&'x [String]> + 'x;

/// Resolves and checks `@/` links against the site's pages and content files.
pub struct LinkResolver<'a> {
    pub(super) config: &'a Config,
    pub(super) index: &'a super::LinkIndex,
    pub(super) assets: &'a HashMap<String, Asset>,
    pub(super) template_ids: &'a [String],
    pub(super) files: &'a super::PathSet,
    pub(super) unpublished: &'a UnpublishedSources,
    pub(super) unpublished_dirs: &'a HashMap<String, (String, String)>,
    pub(super) images: &'a crate::images::Images,
    pub(super) directives: Option<&'a crate::directives::DirectiveSet>,
}

impl SiteModel {
    /// The resolver of `@/` links for this site.
    pub(crate) fn resolver(&self) -> LinkResolver<'_> {
        LinkResolver {
            config: &self.config,
            index: &self.link_index,
            assets: &self.content_assets,
            template_ids: &self.template_ids,
            files: &self.site_files,
            unpublished: &self.unpublished,
            unpublished_dirs: &self.unpublished_dirs,
            images: &self.images,
            directives: self.directives.as_deref(),
        }
    }
}

impl LinkResolver<'_> {
    /// Renders the body of `p`, which is placed at the site path `path`.
    pub(crate) fn render(&self, p: &Parsed, path: &str) -> markdown::Rendered {
        self.render_marked(p, path, Vec::new())
    }

    /// [`LinkResolver::render`], with `data-stale` on the blocks at `stale_blocks` (see
    /// [`markdown::Options::stale_blocks`]).
    pub(crate) fn render_marked(
        &self,
        p: &Parsed,
        path: &str,
        stale_blocks: Vec<usize>,
    ) -> markdown::Rendered {
        self.render_with(p, path, stale_blocks, &|target| {
            self.resolve(target, &p.source.lang).map(|(url, _)| url)
        })
    }

    /// `LinkResolver::render`, with every `@/` target the body looked up and what it
    /// resolved to, in order: the same lookups resolving the same way mean the same body.
    pub fn render_recorded(&self, p: &Parsed, path: &str) -> (markdown::Rendered, Vec<Lookup>) {
        let lookups = std::cell::RefCell::new(Vec::new());
        let r = self.render_with(p, path, Vec::new(), &|target| {
            let url = self.lookup(target, &p.source.lang);
            lookups.borrow_mut().push(Lookup {
                target: target.to_string(),
                url: url.clone(),
            });
            url
        });
        (r, lookups.into_inner())
    }

    /// What an `@/` target written on a page in `lang` resolves to (the URL), as rendering
    /// sees it.
    pub fn lookup(&self, target: &str, lang: &str) -> Option<String> {
        self.resolve(target, lang).map(|(url, _)| url)
    }

    fn render_with(
        &self,
        p: &Parsed,
        path: &str,
        stale_blocks: Vec<usize>,
        resolve: &dyn Fn(&str) -> Option<String>,
    ) -> markdown::Rendered {
        let options = markdown::Options {
            base_path: Some(path.to_string()),
            reserved_ids: self.template_ids.to_vec(),
            site_root: Some(self.config.base_path.clone()),
            han_locale: crate::directives::han_locale(self.config, &p.source.lang),
            languages: (self.config.languages.iter())
                .map(|l| (l.code.clone(), l.locale.clone()))
                .collect(),
            stale_blocks,
            autolinks: self.config.markdown.autolinks,
        };
        let expand = self.directives.map(|d| d.for_page(p, path));
        let mut r = markdown::render_with(
            p.doc.body(),
            &options,
            resolve,
            expand.as_ref().map(|e| e as &dyn crate::directive::Expand),
        );
        self.enrich_images(p, path, &mut r);
        // Of the front matter's `summary` when there is one (a translated field, never
        // inherited: the source's own text decides it, as it decides the body).
        let shown = super::fields::effects(&p.doc.meta)
            .summary
            .unwrap_or(&r.text);
        r.excerpt = crate::format::excerpt(shown, &p.source.lang).into();
        r
    }

    /// Gives the images of a rendered body their size, loading and variants (see
    /// [`crate::images`]), finding each file as the output will hold it: a page bundle's file
    /// in the page's language (`chart.de.png` for `chart.png` on German pages), a file of
    /// `content/`, a `static/` file.
    fn enrich_images(&self, p: &Parsed, path: &str, r: &mut markdown::Rendered) {
        let out = out_dir(self.config, path);
        let bundle_dir = p
            .source
            .bundle
            .then(|| p.source.key.strip_suffix("index"))
            .flatten();
        let lang = p.source.lang.as_str();
        let locate = |rel: &str| -> Option<std::path::PathBuf> {
            if let Some(dir) = bundle_dir
                && let Some(inner) = rel.strip_prefix(out.as_str())
                && let Some(inner) = inner.strip_prefix('/')
            {
                let own = inner
                    .rsplit_once('.')
                    .map(|(stem, ext)| format!("{dir}{stem}.{lang}.{ext}"));
                if let Some(a) = (own.iter().chain([&format!("{dir}{inner}")]))
                    .find_map(|rel| self.assets.get(rel.as_str()))
                {
                    return Some(a.abs.clone());
                }
            }
            // A file of `content/` where it lies (another page's bundle file too, in the
            // default language), else a `static/` file.
            match self.assets.get(rel) {
                Some(a) => Some(a.abs.clone()),
                None => self.images.static_file(rel),
            }
        };
        let mut page = crate::images::PageImages {
            path,
            locate: &locate,
            first_eager: true,
        };
        r.html = self.images.enrich(&r.html, &page).into();
        page.first_eager = false;
        for html in [&mut r.summary_html, &mut r.first_paragraph_html]
            .into_iter()
            .flatten()
        {
            *html = self.images.enrich(html, &page).into();
        }
    }

    /// Checks the `@/` links of a rendered body: targets that do not exist, anchors the
    /// target does not define (`anchors` gives a page's ids by key and language), and
    /// links that land on another language. Footnotes that no reference links to are
    /// warnings too, and the problems of directives and language spans errors.
    pub(crate) fn check_links<'x>(
        &self,
        p: &Parsed,
        r: &markdown::Rendered,
        anchors: &Anchors<'x>,
    ) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        let rel = format!("content/{}", p.source.rel);
        // Built once per page and target, when first needed: a page with thousands of links
        // to its own headings neither searches its anchors for each link nor reads its text
        // from the start for each diagnostic.
        let mut anchor_sets: HashMap<(String, String), Option<HashSet<&'x str>>> = HashMap::new();
        let mut lines: Option<crate::diagnostics::LineIndex<'_>> = None;
        for link in &r.links {
            let line = p.doc.body_line + link.line - 1;
            let mut at = |d: Diagnostic| {
                let index =
                    lines.get_or_insert_with(|| crate::diagnostics::LineIndex::new(&p.doc.text));
                d.in_file(&rel).at_text(index.line(line), line, link.column)
            };
            match self.resolve(&link.target, &p.source.lang) {
                None => match self.unpublished_target(&link.target, &p.source.lang) {
                    // A broken target's own error is reported; this link is only its
                    // consequence.
                    Some(u) => {
                        if let Some(d) = u.link_warning(&format!("@/{}", link.target)) {
                            diags.push(at(d));
                        }
                    }
                    None => diags.push(at(Diagnostic::error(format!(
                        "link to `@/{}`, which does not exist",
                        link.target
                    ))
                    .with_hint("write the path of a Markdown file relative to content/, e.g. `@/news/zone-unveiling.md`"))),
                },
                Some((_, found)) => {
                    if let Some((key, lang)) = &found
                        && lang != &p.source.lang
                    {
                        diags.push(at(Diagnostic::warning(format!(
                            "`@/{}` has no {} translation; linking to the {lang} page",
                            link.target, p.source.lang
                        ))
                        .with_hint(format!("translate `{key}` or link to another page"))));
                    }
                    if let (Some(anchor), Some(target)) = (&link.anchor, &found)
                        && !anchor_sets
                            .entry(target.clone())
                            .or_insert_with(|| {
                                anchors(target).map(|a| a.iter().map(String::as_str).collect())
                            })
                            .as_ref()
                            .is_some_and(|a| a.contains(anchor.as_str()))
                    {
                        diags.push(at(Diagnostic::error(format!(
                            "`@/{}#{anchor}`: the page has no heading or anchor `{anchor}`",
                            link.target
                        ))
                        .with_hint("check the heading's id (give it one with `## Title {#id}`)")));
                    }
                }
            }
        }
        diags.extend(crate::images::alt_warnings(
            &r.html,
            p.doc.body(),
            &p.doc.text,
            p.doc.body_line,
            &rel,
        ));
        for problem in &r.directive_problems {
            let line = p.doc.body_line + problem.line - 1;
            diags.push(
                Diagnostic::error(problem.message.clone())
                    .in_file(&rel)
                    .at(&p.doc.text, line, problem.column)
                    .with_hint(problem.hint.clone()),
            );
        }
        for note in &r.unused_footnotes {
            let line = p.doc.body_line + note.line - 1;
            diags.push(
                Diagnostic::warning(format!(
                    "footnote `[^{}]` is never referenced, so it is not shown",
                    note.label
                ))
                .in_file(&rel)
                .at(&p.doc.text, line, note.column)
                .with_hint(format!(
                    "refer to it with `[^{}]` where it belongs, or delete the definition",
                    note.label
                )),
            );
        }
        for link in &r.local_links {
            if self.leads_somewhere(&link.path) {
                continue;
            }
            let line = p.doc.body_line + link.line - 1;
            if let Some(u) = self.unpublished_at(&link.path) {
                if let Some(d) = u.link_warning(&link.written) {
                    diags.push(d.in_file(&rel).at(&p.doc.text, line, link.column));
                }
                continue;
            }
            let root = &self.config.base_path;
            let hint = if link.written.starts_with('/')
                && root != "/"
                && link.written.starts_with(root.as_str())
            {
                format!(
                    "links that start with `/` are read from the root of the site, and qiao adds \
                     the base path `{root}` itself: write `/{}`",
                    &link.written[root.len()..]
                )
            } else if link.written.starts_with('/') {
                "links that start with `/` are read from the root of the site (`/news/` is \
                 content/news/); for a page, write `@/path/to/page.md`, or link with a full URL"
                    .to_string()
            } else {
                "a relative link is read from the page's address; for a page, write \
                 `@/path/to/page.md`, and put a page's images beside it in a page bundle \
                 (name/index.md)"
                    .to_string()
            };
            diags.push(
                Diagnostic::warning(format!(
                    "link to `{}` leads to `{}`, which is not a page or file of the site",
                    link.written, link.path
                ))
                .in_file(&rel)
                .at(&p.doc.text, line, link.column)
                .with_hint(hint),
            );
        }
        diags
    }

    /// The left-out page (a draft, a future page) that a root-relative path (base path
    /// included, percent-encoded) would name if it were published.
    fn unpublished_at(&self, path: &str) -> Option<&UnpublishedSource> {
        let dir = self.output_rel(path)?;
        let key = self.unpublished_dirs.get(dir.as_str())?;
        self.unpublished.get(key)
    }

    /// A root-relative path (base path included, percent-encoded) as a path of the output
    /// (decoded, no leading or trailing `/`): what [`Self::leads_somewhere`] and
    /// [`Self::unpublished_at`] look up; `None` outside the base path.
    fn output_rel(&self, path: &str) -> Option<String> {
        let rest = path.strip_prefix(self.config.base_path.as_str())?;
        Some(crate::url::decode(rest).trim_matches('/').to_string())
    }

    /// What [`Self::check_links`] of `p`, rendered as `r`, looked up beyond the source and
    /// its rendering: checking it again is needed only when one of these now answers
    /// differently ([`LinkProbes::hold`]).
    pub(crate) fn probes<'x>(
        &self,
        p: &Parsed,
        r: &markdown::Rendered,
        anchors: &Anchors<'x>,
    ) -> LinkProbes {
        let lang = &p.source.lang;
        LinkProbes {
            lang: lang.clone(),
            at: (r.links.iter())
                .map(|link| self.probe(&link.target, link.anchor.as_deref(), lang, anchors))
                .collect(),
            outputs: (r.local_links.iter())
                .filter_map(|l| self.output_rel(&l.path))
                .collect(),
        }
    }

    fn probe<'x>(
        &self,
        target: &str,
        anchor: Option<&str>,
        lang: &str,
        anchors: &Anchors<'x>,
    ) -> AtProbe {
        let resolved = self.resolve(target, lang);
        let unpublished = match &resolved {
            None => self.unpublished_target(target, lang).cloned(),
            Some(_) => None,
        };
        let anchor_found = match (&resolved, anchor) {
            (Some((_, Some(found))), Some(anchor)) => {
                Some(anchors(found).is_some_and(|a| a.iter().any(|x| x == anchor)))
            }
            _ => None,
        };
        AtProbe {
            target: target.to_string(),
            anchor: anchor.map(str::to_string),
            resolved,
            unpublished,
            anchor_found,
        }
    }

    /// Whether a root-relative path (base path included, percent-encoded) names a page,
    /// section or file of the site, or a file the build generates (feeds, sitemaps,
    /// `robots.txt`, `404.html`, list pages, taxonomy pages, the search index).
    fn leads_somewhere(&self, path: &str) -> bool {
        let Some(rel) = self.output_rel(path) else {
            return false;
        };
        let rel = rel.as_str();
        if self.files.contains(rel) {
            return true;
        }
        let mut segs: Vec<&str> = rel.split('/').collect();
        if segs
            .first()
            .is_some_and(|s| self.config.language(s).is_some())
        {
            segs.remove(0);
        }
        let last = segs.last().copied().unwrap_or_default();
        let generated = matches!(last, "atom.xml" | "404.html" | "sitemap.xml" | "robots.txt")
            || last.starts_with("sitemap-")
            || segs.first() == Some(&"search-index")
            || segs
                .first()
                .is_some_and(|s| self.config.taxonomies.iter().any(|t| t.name == *s));
        // List pages: `news/page/2/`.
        let list_page = segs.len() >= 2
            && segs[segs.len() - 2] == "page"
            && last.bytes().all(|b| b.is_ascii_digit());
        generated || list_page
    }

    /// Resolves an `@/` target for a page in `lang`: the URL, and the (key, language) of the
    /// page it lands on (`None` for a static file).
    /// A target may be written percent-encoded (`@/my%20docs/x.md`) or not
    /// (`<@/my docs/x.md>`).
    pub(super) fn resolve(
        &self,
        target: &str,
        lang: &str,
    ) -> Option<(String, Option<(String, String)>)> {
        readings(target)
            .iter()
            .find_map(|t| self.resolve_exactly(t, lang))
    }

    /// The left-out source an `@/…md` target names, in `lang` or else the default language
    /// (read as [`Self::resolve`] reads it).
    fn unpublished_target(&self, target: &str, lang: &str) -> Option<&UnpublishedSource> {
        readings(target).iter().find_map(|t| {
            let stem = t.strip_suffix(".md")?;
            self.page_keys(stem, lang)
                .into_iter()
                .find_map(|k| self.unpublished.get(&k))
        })
    }

    /// The (key, language) pairs an `@/` page target names, in the order they are tried:
    /// the language written in the name (`x.en.md`), else the linking page's language and
    /// then the default language.
    fn page_keys(&self, stem: &str, lang: &str) -> Vec<(String, String)> {
        let crate::content::name::Named {
            key,
            lang: explicit,
        } = crate::content::name::split_path(stem, |code| self.config.language(code).is_some());
        let langs = match explicit {
            Some(l) => vec![l],
            None => vec![lang, self.config.default_language.as_str()],
        };
        langs
            .into_iter()
            .map(|l| (key.to_string(), l.to_string()))
            .collect()
    }

    fn resolve_exactly(
        &self,
        target: &str,
        lang: &str,
    ) -> Option<(String, Option<(String, String)>)> {
        if let Some(stem) = target.strip_suffix(".md") {
            return self.page_keys(stem, lang).into_iter().find_map(|k| {
                let url = self.index.get(&k)?;
                Some((url.clone(), Some(k)))
            });
        }
        let asset = self.assets.get(target)?;
        match &asset.bundle {
            Some((key, inner)) => {
                // `chart.de.png` is published as `chart.png` beside the German page.
                let is_language = |code: &str| self.config.language(code).is_some();
                let (inner, lang) = match crate::images::localized(inner, &is_language) {
                    Some((plain, own)) => (std::borrow::Cow::Owned(plain), own),
                    None => (std::borrow::Cow::Borrowed(inner.as_str()), lang.to_string()),
                };
                let page = self.index.get(&(key.clone(), lang)).or_else(|| {
                    self.index
                        .get(&(key.clone(), self.config.default_language.clone()))
                })?;
                Some((format!("{page}{}", crate::url::path(&inner)), None))
            }
            None => Some((
                format!("{}{}", self.config.base_path, crate::url::path(&asset.rel)),
                None,
            )),
        }
    }
}

/// The ways an `@/` target may be meant, in the order they are tried, without repeats: as
/// written, composed (NFC: a target pasted in decomposed form, `Fo\u{308}rderung.md`, still
/// finds the file), and the same percent-decoded (the only way to link to a name holding
/// `#`). A leading `/` is ignored.
fn readings(target: &str) -> Vec<String> {
    let decoded = crate::url::decode(target);
    let mut out: Vec<String> = Vec::with_capacity(4);
    for written in [target, decoded.as_str()] {
        let written = written.trim_start_matches('/');
        for t in [written.to_string(), ident::nfc(written).into_owned()] {
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}
