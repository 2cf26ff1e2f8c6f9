//! Feeds: one plan of every Atom feed the site has (per language, per section, per term),
//! used by the feed links of pages, by the feed files, and by incremental updates.

use super::*;

/// Which Atom feeds exist: per language, per section, per term.
#[derive(Default, PartialEq)]
pub(super) struct Feeds {
    pub(super) language: HashMap<String, String>,
    pub(super) section: HashMap<SectionId, String>,
    pub(super) term: HashMap<TermId, String>,
}

pub(super) fn plan_feeds(model: &SiteModel) -> Feeds {
    let config = &model.config;
    let mut f = Feeds::default();
    let dated = |ps: &[PageId]| {
        ps.iter()
            .any(|&i| model.pages[i].doc.date.is_some() && !model.pages[i].fallback)
    };
    for l in &config.languages {
        let all: Vec<PageId> = (model.page_ids())
            .filter(|&i| model.pages[i].lang == l.code)
            .collect();
        if dated(&all) {
            f.language.insert(
                l.code.clone(),
                format!("{}atom.xml", config.lang_prefix(&l.code)),
            );
        }
    }
    for (i, s) in model.section_ids().zip(&model.sections) {
        if !s.dir.is_empty() && dated(&s.pages) {
            f.section.insert(i, format!("{}atom.xml", s.path));
        }
    }
    for (t, tax) in model.taxonomy_ids().zip(model.taxonomies.iter()) {
        let feed = config
            .taxonomies
            .iter()
            .any(|c| c.name == tax.name && c.feed);
        if !feed {
            continue;
        }
        for (index, term) in tax.terms.iter().enumerate() {
            if dated(&term.pages) {
                let id = TermId { taxonomy: t, index };
                f.term.insert(id, format!("{}atom.xml", term.path));
            }
        }
    }
    f
}

pub(super) fn lang_feeds(p: Prepared, lang: &str) -> Vec<FeedLink> {
    let config = &p.model.config;
    p.v.feeds
        .language
        .get(lang)
        .map(|path| FeedLink {
            title: config
                .language(lang)
                .map_or_else(String::new, |l| l.title.clone()),
            path: path.clone(),
        })
        .into_iter()
        .collect()
}

/// The feeds whose output file passes `wanted`.
#[cfg(test)]
pub(super) fn feed_files(p: Prepared, wanted: &dyn Fn(&str) -> bool) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    each_feed_file(p, &mut |f| wanted(&f.rel), &mut |rel, body| {
        out.push((rel, body))
    });
    out
}

/// A feed of the plan, before it is made: everything its bytes are made of besides the
/// configuration.
pub(super) struct PlannedFeed<'m> {
    /// Its site path (`/en/news/atom.xml`).
    path: &'m str,
    /// Its output file (`en/news/atom.xml`).
    pub(super) rel: String,
    /// Its title: the list's, then the site's.
    title: String,
    /// The site path of the list it is the feed of.
    alternate: String,
    /// Its language.
    lang: &'m str,
    /// The pages of its list, of which it shows the dated ones that are no fallback copies,
    /// newest first, up to `feed_limit`.
    candidates: Vec<PageId>,
}

impl PlannedFeed<'_> {
    /// Whether the feed may list a page marked in `marked` (by page index; a page beyond
    /// its end counts as marked).
    pub(super) fn may_list_any(&self, marked: &[bool]) -> bool {
        (self.candidates.iter()).any(|i| marked.get(i.index()) != Some(&false))
    }

    /// A fingerprint of what the feed is made of, `pages` being what it reads of each page
    /// ([`entry_prints`]): two generations with the same configuration make the same feed
    /// from the same fingerprint.
    pub(super) fn inputs(&self, pages: &[blake3::Hash]) -> blake3::Hash {
        let mut h = blake3::Hasher::new();
        for part in [self.path, &self.title, &self.alternate, self.lang] {
            h.update(&part.len().to_le_bytes());
            h.update(part.as_bytes());
        }
        for &i in &self.candidates {
            h.update(pages[i.index()].as_bytes());
        }
        h.finalize()
    }
}

/// By page index, a fingerprint of what a feed reads of each page (to choose it, and in
/// [`xml::atom`]): its path, language, key, title, dates, summary and HTML (`contents`: the
/// fingerprint of each page's HTML), and whether it is a fallback copy.
pub(super) fn entry_prints(model: &SiteModel, contents: &[blake3::Hash]) -> Vec<blake3::Hash> {
    (model.pages.par_iter().zip(contents))
        .map(|(p, content)| entry_print(p, content))
        .collect()
}

/// What a feed reads of the page `p` (whose HTML's fingerprint is `content`), hashed (see
/// [`entry_prints`]).
pub(super) fn entry_print(p: &Page, content: &blake3::Hash) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    let date = |h: &mut blake3::Hasher, d: &Option<crate::content::DateValue>| match d {
        Some(d) => {
            h.update(&[1]);
            h.update(&d.timestamp.to_le_bytes());
            h.update(&d.rfc3339.len().to_le_bytes());
            h.update(d.rfc3339.as_bytes());
        }
        None => {
            h.update(&[0]);
        }
    };
    for part in [&p.path, p.lang.code(), &p.key, &p.doc.title] {
        h.update(&part.len().to_le_bytes());
        h.update(part.as_bytes());
    }
    date(&mut h, &p.doc.date);
    date(&mut h, &p.doc.updated);
    match &p.summary {
        Some(s) => h
            .update(&[1])
            .update(&s.len().to_le_bytes())
            .update(s.as_bytes()),
        None => h.update(&[0]),
    };
    h.update(&[u8::from(p.fallback)]);
    h.update(content.as_bytes());
    h.finalize()
}

/// Every feed of the plan, by site path: what [`each_feed_file`] makes.
pub(super) fn planned_feeds(p: Prepared<'_>) -> Vec<PlannedFeed<'_>> {
    let model = p.model;
    let config = &model.config;
    let mut feeds: Vec<PlannedFeed<'_>> = Vec::new();
    fn plan<'m>(
        config: &Config,
        path: &'m str,
        title: String,
        alternate: String,
        lang: &'m str,
        candidates: Vec<PageId>,
    ) -> PlannedFeed<'m> {
        PlannedFeed {
            path,
            rel: crate::model::out_dir(config, path),
            title,
            alternate,
            lang,
            candidates,
        }
    }
    for (code, path) in &p.v.feeds.language {
        let title = config
            .language(code)
            .map_or_else(String::new, |l| l.title.clone());
        let pages = (model.page_ids())
            .filter(|&i| model.pages[i].lang == *code)
            .collect();
        let alternate = config.lang_prefix(code);
        feeds.push(plan(config, path, title, alternate, code, pages));
    }
    let site_title = |lang: &str| config.language(lang).map_or("", |l| l.title.as_str());
    for (&i, path) in &p.v.feeds.section {
        let s = &model.sections[i];
        let title = format!("{} · {}", s.title, site_title(&s.lang));
        feeds.push(plan(
            config,
            path,
            title,
            s.path.clone(),
            &s.lang,
            s.pages.clone(),
        ));
    }
    for (&id, path) in &p.v.feeds.term {
        let tax = &model.taxonomies[id.taxonomy];
        let term = model.term(id);
        let title = format!("{} · {}", term.name, site_title(&tax.lang));
        let alternate = term.path.clone();
        feeds.push(plan(
            config,
            path,
            title,
            alternate,
            &tax.lang,
            term.pages.clone(),
        ));
    }
    feeds.sort_by(|a, b| a.path.cmp(b.path));
    feeds
}

/// The feeds that `wanted` wants, one at a time, in a fixed order (by site path): `file`
/// gets each feed's output path and bytes as soon as it is made (a full build writes it
/// and lets it go, rather than holding every feed of the site at once).
pub(super) fn each_feed_file(
    p: Prepared,
    wanted: &mut dyn FnMut(&PlannedFeed<'_>) -> bool,
    file: &mut dyn FnMut(String, Vec<u8>),
) {
    let model = p.model;
    let config = &model.config;
    for f in planned_feeds(p) {
        if !wanted(&f) {
            continue;
        }
        let mut pages: Vec<&Page> = (f.candidates.iter())
            .map(|&i| &model.pages[i])
            .filter(|p| p.doc.date.is_some() && !p.fallback)
            .collect();
        pages.sort_by(|a, b| {
            let (da, db) = (
                a.doc.date.as_ref().map(|d| d.timestamp),
                b.doc.date.as_ref().map(|d| d.timestamp),
            );
            db.cmp(&da).then_with(|| a.key.cmp(&b.key))
        });
        pages.truncate(config.feed_limit);
        let body = xml::atom(config, f.path, &f.title, &f.alternate, f.lang, &pages);
        file(f.rel, body.into_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{news_site, section};
    use super::*;

    #[test]
    fn the_plan_has_a_feed_for_each_list_with_dated_pages_of_its_own() {
        let m = news_site();
        let f = plan_feeds(&m);
        // German has only copies of the Chinese pages: no feed of its own.
        assert_eq!(f.language.get("zh").map(String::as_str), Some("/atom.xml"));
        assert_eq!(
            f.language.get("en").map(String::as_str),
            Some("/en/atom.xml")
        );
        assert_eq!(f.language.get("de"), None);
        let sections: BTreeMap<(&str, &str), &str> = (f.section.iter())
            .map(|(&i, path)| {
                let s = &m.sections[i];
                ((s.dir.as_str(), s.lang.as_str()), path.as_str())
            })
            .collect();
        // The home page is no section feed (it is the language's), the undated guide's
        // section has none, nor do the copies of the Chinese pages in German.
        assert_eq!(
            sections,
            BTreeMap::from([
                (("news", "en"), "/en/news/atom.xml"),
                (("news", "zh"), "/news/atom.xml"),
                (("news/sub", "zh"), "/news/sub/atom.xml"),
            ])
        );
        assert!(!f.section.contains_key(&section(&m, "zh", "docs")));
        // Tags have feeds, categories not; a term of undated pages has none.
        let terms: BTreeSet<(&str, &str, &str)> = (f.term.keys())
            .map(|&id| {
                let tax = &m.taxonomies[id.taxonomy];
                (
                    tax.name.as_str(),
                    tax.lang.as_str(),
                    m.term(id).name.as_str(),
                )
            })
            .collect();
        assert_eq!(
            terms,
            BTreeSet::from([("tags", "zh", "甲"), ("tags", "zh", "乙")])
        );
        let (&id, path) = (f.term.iter())
            .find(|(id, _)| m.term(**id).name == "甲")
            .unwrap();
        assert_eq!(path, &format!("{}atom.xml", m.term(id).path));
    }

    #[test]
    fn the_feed_files_follow_the_plan_newest_first() {
        let m = news_site();
        let values = Values::compute(&m);
        let p = Prepared {
            model: &m,
            v: &values,
        };
        let files = feed_files(p, &|rel| rel == "news/atom.xml");
        assert_eq!(files.len(), 1);
        let (rel, bytes) = &files[0];
        assert_eq!(rel, "news/atom.xml");
        let text = String::from_utf8(bytes.clone()).unwrap();
        let (b, a) = (
            text.find("/news/b/").unwrap(),
            text.find("/news/a/").unwrap(),
        );
        assert!(b < a, "newest first: {text}");
        assert!(
            !text.contains("/news/sub/c/"),
            "a subsection's page is not listed"
        );
        // Every planned feed is a file.
        let all = feed_files(p, &|_| true);
        let planned = f_count(&values.feeds);
        assert_eq!(all.len(), planned);
    }

    fn f_count(f: &Feeds) -> usize {
        f.language.len() + f.section.len() + f.term.len()
    }
}
