//! Site files that need no template: sitemap, robots.txt, redirects (aliases) and the
//! search index.

use super::*;

/// Writes files in parallel; returns a diagnostic for each that could not be written.
pub(super) fn write_files(sink: &dyn Sink, files: &[(String, Vec<u8>)]) -> Vec<Diagnostic> {
    files
        .par_iter()
        .filter_map(|(rel, data)| {
            sink.write(rel, data)
                .err()
                .map(|e| Diagnostic::error(format!("cannot write {rel}: {e}")))
        })
        .collect()
}

/// The search index files of `languages`, with their names per language (to find, next
/// time, the shards that are gone).
pub(super) fn search_index<'l>(
    model: &SiteModel,
    languages: impl IntoParallelIterator<Item = &'l str>,
) -> (Files, BTreeMap<String, BTreeSet<String>>) {
    let per_language: Vec<(&str, Files)> = languages
        .into_par_iter()
        .map(|lang| (lang, crate::search::language_index_files(model, lang)))
        .collect();
    let mut files = Vec::new();
    let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (lang, fs) in per_language {
        let these = names.entry(lang.to_string()).or_default();
        for (rel, data) in fs {
            these.insert(rel.clone());
            files.push((rel, data));
        }
    }
    (files, names)
}

/// Which plain files (see [`plain_files`]) an update leaves as they are, because what they
/// are made of is the same as in the generation served.
pub(super) struct Unchanged<'a> {
    /// Whether a feed is the same (then it is not made).
    pub(super) feed: &'a mut dyn FnMut(&PlannedFeed<'_>) -> bool,
    /// Whether the sitemaps are the same (then they are not made).
    pub(super) sitemaps: bool,
}

/// The files of the site that need no template, but the search index: redirects of
/// aliases, feeds, sitemaps and robots.txt; those `unchanged` says are the same are left
/// out.
pub(super) fn plain_files(p: Prepared, unchanged: Option<Unchanged<'_>>) -> Files {
    let mut plain: Files = Vec::new();
    each_plain_file(p, unchanged, &mut |rel, data| plain.push((rel, data)));
    plain
}

/// [`plain_files`] one at a time, in the same order, each given to `file` as soon as it
/// is made.
fn each_plain_file(
    p: Prepared,
    unchanged: Option<Unchanged<'_>>,
    file: &mut dyn FnMut(String, Vec<u8>),
) {
    let model = p.model;
    let config = &model.config;
    for a in &model.aliases {
        file(
            a.out_file.clone(),
            crate::xml::redirect_page(&config.permalink(&a.target_path)).into_bytes(),
        );
    }
    let (feed_same, sitemaps_same) = match unchanged {
        Some(Unchanged { feed, sitemaps }) => (Some(feed), sitemaps),
        None => (None, false),
    };
    match feed_same {
        Some(same) => each_feed_file(p, &mut |f| !same(f), file),
        None => each_feed_file(p, &mut |_| true, file),
    }
    if !sitemaps_same {
        for (rel, data) in xml::sitemaps(model) {
            file(rel, data);
        }
    }
    file("robots.txt".into(), xml::robots(config).into_bytes());
}

/// Writes every file of the site that needs no template but the search index (see
/// [`search_index`]): redirects of aliases, feeds, sitemaps and robots.txt. Each is written
/// as soon as it is made and not kept (the feeds and the sitemap of a large site are tens
/// of megabytes). Returns the paths written and the problems.
pub(super) fn write_site_files(p: Prepared, sink: &dyn Sink) -> (Vec<String>, Vec<Diagnostic>) {
    let mut written = Vec::new();
    let mut diags = Vec::new();
    each_plain_file(p, None, &mut |rel, data| {
        if let Err(e) = sink.write(&rel, &data) {
            diags.push(Diagnostic::error(format!("cannot write {rel}: {e}")));
        }
        written.push(rel);
    });
    (written, diags)
}
