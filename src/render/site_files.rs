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

/// The files of the site that need no template, but the search index: redirects of
/// aliases, feeds, sitemaps and robots.txt.
pub(super) fn plain_files(p: Prepared) -> Files {
    let model = p.model;
    let config = &model.config;
    let mut plain: Vec<(String, Vec<u8>)> = Vec::new();
    for a in &model.aliases {
        plain.push((
            a.out_file.clone(),
            xml::redirect_page(&config.permalink(&a.target_path)).into_bytes(),
        ));
    }
    plain.extend(feed_files(p, &|_| true));
    plain.extend(xml::sitemaps(model));
    plain.push(("robots.txt".into(), xml::robots(config).into_bytes()));
    plain
}

/// Every file of the site that needs no template: redirects of aliases, feeds, sitemaps,
/// robots.txt and the search index; with the search index files of each language.
pub(super) fn site_files(p: Prepared) -> (Files, BTreeMap<String, BTreeSet<String>>) {
    let config = &p.model.config;
    let mut plain = plain_files(p);
    let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
    let (search, search_files) = search_index(p.model, codes);
    plain.extend(search);
    (plain, search_files)
}
