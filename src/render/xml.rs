//! Files the renderer writes without templates: Atom feeds, sitemaps and `robots.txt`. Their
//! formats are fixed by standards, so they are generated here from the model, escaped
//! correctly ([`crate::xml`]), rather than left to themes.

use std::fmt::Write as _;

use rayon::prelude::*;

use crate::config::Config;
use crate::model::{Page, SiteModel, newest};
use crate::xml::{escape, push_escaped_uri, uri};

/// An Atom feed (RFC 4287). `updated` is the newest entry's date, never the build time,
/// so that two builds of the same sources are byte-identical.
pub(super) fn atom(
    config: &Config,
    self_path: &str,
    title: &str,
    alternate: &str,
    lang: &str,
    pages: &[&Page],
) -> String {
    let locale = config.language(lang).map_or(lang, |l| l.locale.as_str());
    let updated =
        newest(pages.iter().copied()).map_or("1970-01-01T00:00:00+00:00", |d| d.rfc3339.as_str());
    let mut s = String::new();
    let _ = write!(
        s,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\" xml:base=\"{}\">\n\
         <title>{}</title>\n<id>{}</id>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<updated>{}</updated>\n<generator uri=\"https://github.com/qiao-ssg/qiao\">qiao</generator>\n",
        escape(locale),
        escape(&uri(&config.base_url)),
        escape(title),
        escape(&uri(&config.permalink(self_path))),
        escape(&uri(&config.permalink(self_path))),
        escape(&uri(&config.permalink(alternate))),
        updated,
    );
    for p in pages {
        let link = uri(&config.permalink(&p.path));
        let published = p.doc.date.as_ref().map_or(updated, |d| d.rfc3339.as_str());
        let upd = p
            .doc
            .updated
            .as_ref()
            .map_or(published, |d| d.rfc3339.as_str());
        let _ = write!(
            s,
            "<entry>\n<title>{}</title>\n<id>{}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n\
             <published>{}</published>\n<updated>{}</updated>\n<author><name>{}</name></author>\n",
            escape(&p.doc.title),
            escape(&link),
            escape(&link),
            published,
            upd,
            escape(config.language(&p.lang).map_or("", |l| l.title.as_str())),
        );
        if let Some(sum) = &p.summary {
            let _ = writeln!(s, "<summary type=\"html\">{}</summary>", escape(sum));
        }
        let _ = write!(
            s,
            "<content type=\"html\">{}</content>\n</entry>\n",
            escape(&crate::markdown::reusable_html(&p.html, Some(&p.path)))
        );
    }
    s.push_str("</feed>\n");
    s
}

/// The most URLs one sitemap file may list (sitemaps.org).
const SITEMAP_LIMIT: usize = 50_000;

/// One URL of a sitemap: its address (an origin and a site path, sorted as the two
/// written one after the other) and its `<url>` element, written as soon as it is known.
struct Url<'m> {
    origin: &'m str,
    path: &'m str,
    entry: String,
}

impl Url<'_> {
    /// The order of the addresses: `origin` then `path`, byte by byte.
    fn cmp_address(&self, other: &Url<'_>) -> std::cmp::Ordering {
        if self.origin == other.origin {
            // Every URL of a site on one host.
            self.path.cmp(other.path)
        } else {
            (self.origin.bytes().chain(self.path.bytes()))
                .cmp(other.origin.bytes().chain(other.path.bytes()))
        }
    }
}

/// Whether `rel` (relative to the output directory) is a file [`sitemaps`] writes:
/// `sitemap.xml`, or `sitemap-N.xml` beside it when the site has more URLs than one
/// sitemap may hold.
pub(super) fn is_sitemap(rel: &str) -> bool {
    rel == "sitemap.xml"
        || rel
            .strip_prefix("sitemap-")
            .and_then(|r| r.strip_suffix(".xml"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// `sitemap.xml`: every page once, with `xhtml:link` alternates for all its translations
/// and `x-default`. Above 50,000 URLs it becomes a sitemap index over `sitemap-N.xml`.
pub(super) fn sitemaps(model: &SiteModel) -> Vec<(String, Vec<u8>)> {
    let config = &model.config;
    let origin = |path: &str| config.origin(config.language_of_path(path));
    // The `<url>` of `path`, with `lastmod` and, when there are several, the alternates
    // (`(language code, path)`, in configuration order) and `x-default`: the default
    // language's, else the first.
    let element = |path: &str, lastmod: Option<&str>, alternates: &[(&str, &str)]| -> String {
        let mut s = String::with_capacity(128 + 160 * alternates.len());
        s.push_str("<url>\n<loc>");
        push_escaped_uri(&mut s, origin(path));
        push_escaped_uri(&mut s, path);
        s.push_str("</loc>\n");
        if let Some(m) = lastmod {
            let _ = writeln!(s, "<lastmod>{m}</lastmod>");
        }
        if alternates.len() > 1 {
            let link = |s: &mut String, hreflang: &str, href: &str| {
                s.push_str("<xhtml:link rel=\"alternate\" hreflang=\"");
                s.push_str(&escape(hreflang));
                s.push_str("\" href=\"");
                push_escaped_uri(s, origin(href));
                push_escaped_uri(s, href);
                s.push_str("\"/>\n");
            };
            for (code, href) in alternates {
                let locale = config.language(code).map_or(*code, |l| l.locale.as_str());
                link(&mut s, locale, href);
            }
            let default = (alternates.iter())
                .find(|(c, _)| *c == config.default_language)
                .or(alternates.first());
            if let Some((_, href)) = default {
                link(&mut s, "x-default", href);
            }
        }
        s.push_str("</url>\n");
        s
    };
    fn lastmod(d: Option<&crate::content::DateValue>) -> Option<&str> {
        d.map(|d| d.rfc3339.as_str())
    }
    // Every page's URL, in parallel (a large site has tens of thousands, and `qiao serve`
    // makes them again after every save); its translations found by index.
    let mut urls: Vec<Url<'_>> = (0..model.pages.len())
        .into_par_iter()
        .map(crate::model::PageId::new)
        .filter(|&i| !model.pages[i].fallback)
        .map(|i| {
            let p = &model.pages[i];
            let alternates: Vec<(&str, &str)> = (config.languages.iter())
                .filter_map(|l| {
                    let t = &model.pages[model.pages.translation(i, &l.code)?];
                    (!t.fallback).then_some((l.code.as_str(), t.path.as_str()))
                })
                .collect();
            let date = p.doc.updated.as_ref().or(p.doc.date.as_ref());
            Url {
                origin: origin(&p.path),
                path: &p.path,
                entry: element(&p.path, lastmod(date), &alternates),
            }
        })
        .collect();
    for s in &model.sections {
        if s.fallback {
            continue;
        }
        let alternates: Vec<(&str, &str)> = (config.languages.iter())
            .filter_map(|l| {
                let k = *model.section_index.get(&(s.dir.clone(), l.lang()))?;
                let other = &model.sections[k];
                (!other.fallback).then_some((l.code.as_str(), other.path.as_str()))
            })
            .collect();
        let date = newest(s.pages.iter().map(|&i| &model.pages[i]));
        urls.push(Url {
            origin: origin(&s.path),
            path: &s.path,
            entry: element(&s.path, lastmod(date), &alternates),
        });
    }
    for t in model.taxonomies.iter() {
        let alternates: Vec<(&str, &str)> = (model.taxonomies.iter())
            .filter(|o| o.name == t.name)
            .map(|o| (o.lang.as_str(), o.path.as_str()))
            .collect();
        urls.push(Url {
            origin: origin(&t.path),
            path: &t.path,
            entry: element(&t.path, None, &alternates),
        });
        for term in &t.terms {
            let date = newest(term.pages.iter().map(|&i| &model.pages[i]));
            urls.push(Url {
                origin: origin(&term.path),
                path: &term.path,
                entry: element(&term.path, lastmod(date), &[]),
            });
        }
    }
    urls.par_sort_by(Url::cmp_address);

    let chunks: Vec<&[Url<'_>]> = urls.chunks(SITEMAP_LIMIT).collect();
    if chunks.len() <= 1 {
        return vec![("sitemap.xml".into(), urlset(&urls).into_bytes())];
    }
    let mut files = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (n, chunk) in chunks.iter().enumerate() {
        let name = format!("sitemap-{}.xml", n + 1);
        let _ = writeln!(
            index,
            "<sitemap><loc>{}</loc></sitemap>",
            escape(&config.permalink(&format!("{}{name}", config.base_path)))
        );
        files.push((name, urlset(chunk).into_bytes()));
    }
    index.push_str("</sitemapindex>\n");
    files.push(("sitemap.xml".into(), index.into_bytes()));
    files
}

/// The `urlset` of `urls`, joined in order into one string of the right size.
fn urlset(urls: &[Url<'_>]) -> String {
    let head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n";
    let tail = "</urlset>\n";
    let size = head.len() + tail.len() + urls.iter().map(|u| u.entry.len()).sum::<usize>();
    let mut s = String::with_capacity(size);
    s.push_str(head);
    for u in urls {
        s.push_str(&u.entry);
    }
    s.push_str(tail);
    s
}

/// `robots.txt` allowing everything and pointing at the sitemap.
pub(super) fn robots(config: &Config) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}\n",
        config.permalink(&format!("{}sitemap.xml", config.base_path))
    )
}
