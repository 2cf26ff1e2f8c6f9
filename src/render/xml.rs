//! Files the renderer writes without templates: Atom feeds, sitemaps and `robots.txt`. Their
//! formats are fixed by standards, so they are generated here from the model, escaped
//! correctly ([`crate::xml`]), rather than left to themes.

use std::fmt::Write as _;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

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

struct UrlEntry {
    loc: String,
    lastmod: Option<String>,
    alternates: Vec<(String, String)>,
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
    let mut urls = Vec::new();
    let default = &config.default_language;
    let alternates = |paths: Vec<(&str, &str)>| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = paths
            .iter()
            .map(|(code, path)| {
                let locale = config.language(code).map_or(*code, |l| l.locale.as_str());
                (locale.to_string(), config.permalink(path))
            })
            .collect();
        if v.len() > 1 {
            let x = paths
                .iter()
                .find(|(c, _)| c == default)
                .or(paths.first())
                .map(|(_, p)| config.permalink(p));
            if let Some(x) = x {
                v.push(("x-default".into(), x));
            }
        } else {
            v.clear();
        }
        v
    };
    // The pages of each key (not fallback copies), by language in configuration order: a
    // page's alternates, found without a lookup per language.
    let languages = config.languages.len();
    let mut groups: FxHashMap<&str, usize> = FxHashMap::default();
    let mut members: Vec<Option<&Page>> = Vec::new();
    for p in model.pages.iter().filter(|p| !p.fallback) {
        let Some(l) = config.languages.iter().position(|l| l.lang() == p.lang) else {
            continue;
        };
        let next = members.len() / languages;
        let g = *groups.entry(p.key.as_str()).or_insert(next);
        if g == next {
            members.resize(members.len() + languages, None);
        }
        members[g * languages + l] = Some(p);
    }
    // Every page's entry, in parallel (a large site has tens of thousands, and `qiao serve`
    // makes them again after every save), in page order.
    let pages: Vec<UrlEntry> = (model.pages.par_iter())
        .filter(|p| !p.fallback)
        .map(|p| {
            let group = groups
                .get(p.key.as_str())
                .map_or(&[][..], |&g| &members[g * languages..(g + 1) * languages]);
            let paths: Vec<(&str, &str)> = (config.languages.iter().zip(group))
                .filter_map(|(l, t)| t.map(|t| (l.code.as_str(), t.path.as_str())))
                .collect();
            UrlEntry {
                loc: config.permalink(&p.path),
                lastmod: p
                    .doc
                    .updated
                    .as_ref()
                    .or(p.doc.date.as_ref())
                    .map(|d| d.rfc3339.clone()),
                alternates: alternates(paths),
            }
        })
        .collect();
    urls.extend(pages);
    for s in &model.sections {
        if s.fallback {
            continue;
        }
        let paths: Vec<(&str, &str)> = config
            .languages
            .iter()
            .filter_map(|l| {
                let k = *model.section_index.get(&(s.dir.clone(), l.lang()))?;
                let other = &model.sections[k];
                (!other.fallback).then_some((l.code.as_str(), other.path.as_str()))
            })
            .collect();
        urls.push(UrlEntry {
            loc: config.permalink(&s.path),
            lastmod: newest(s.pages.iter().map(|&i| &model.pages[i])).map(|d| d.rfc3339.clone()),
            alternates: alternates(paths),
        });
    }
    for t in &model.taxonomies {
        let paths: Vec<(&str, &str)> = model
            .taxonomies
            .iter()
            .filter(|o| o.name == t.name)
            .map(|o| (o.lang.as_str(), o.path.as_str()))
            .collect();
        urls.push(UrlEntry {
            loc: config.permalink(&t.path),
            lastmod: None,
            alternates: alternates(paths),
        });
        for term in &t.terms {
            urls.push(UrlEntry {
                loc: config.permalink(&term.path),
                lastmod: newest(term.pages.iter().map(|&i| &model.pages[i]))
                    .map(|d| d.rfc3339.clone()),
                alternates: Vec::new(),
            });
        }
    }
    urls.par_sort_by(|a, b| a.loc.cmp(&b.loc));

    let chunks: Vec<&[UrlEntry]> = urls.chunks(SITEMAP_LIMIT).collect();
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

fn urlset(urls: &[UrlEntry]) -> String {
    // Each entry written in parallel, then joined in order into one string of the right size.
    let entries: Vec<String> = urls.par_iter().map(url_entry).collect();
    let head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n";
    let tail = "</urlset>\n";
    let size = head.len() + tail.len() + entries.iter().map(String::len).sum::<usize>();
    let mut s = String::with_capacity(size);
    s.push_str(head);
    for e in &entries {
        s.push_str(e);
    }
    s.push_str(tail);
    s
}

/// One `<url>` element of a sitemap.
fn url_entry(u: &UrlEntry) -> String {
    let mut s = String::with_capacity(256);
    s.push_str("<url>\n<loc>");
    push_escaped_uri(&mut s, &u.loc);
    s.push_str("</loc>\n");
    if let Some(m) = &u.lastmod {
        let _ = writeln!(s, "<lastmod>{m}</lastmod>");
    }
    for (lang, href) in &u.alternates {
        s.push_str("<xhtml:link rel=\"alternate\" hreflang=\"");
        s.push_str(&escape(lang));
        s.push_str("\" href=\"");
        push_escaped_uri(&mut s, href);
        s.push_str("\"/>\n");
    }
    s.push_str("</url>\n");
    s
}

/// `robots.txt` allowing everything and pointing at the sitemap.
pub(super) fn robots(config: &Config) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}\n",
        config.permalink(&format!("{}sitemap.xml", config.base_path))
    )
}
