//! Step 6 of [`super::build`]: taxonomies. The terms of every language, the pages of each
//! (newest first), one slug per term name in every language ([`term_slugs`]), and each
//! page's terms ([`page_terms`]).

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::{Page, PageId, PageTerms, TaxonomyModel, Term, TermRef, date_order};
use crate::config::{Config, TermSlugs};
use crate::diagnostics::Diagnostic;
use crate::ident;

/// Slug of a taxonomy term: lowercase, Unicode letters and digits kept (Chinese and German
/// terms stay readable), anything else folded into single dashes. With
/// [`TermSlugs::Ascii`], German umlauts become `ae`, `oe`, `ue`, `ss` and everything else
/// is transliterated (Chinese to toneless pinyin) first.
/// The name is NFC-normalized first, so a decomposed `Fo\u{308}rderung` slugs like
/// `Förderung`.
pub fn term_slug(name: &str, mode: TermSlugs) -> String {
    let composed = ident::nfc(name);
    let name = composed.as_ref();
    let ascii;
    let name = match mode {
        TermSlugs::Unicode => name,
        TermSlugs::Ascii => {
            let german: String = name
                .chars()
                .map(|c| match c {
                    'ä' => "ae".to_string(),
                    'ö' => "oe".to_string(),
                    'ü' => "ue".to_string(),
                    'Ä' => "Ae".to_string(),
                    'Ö' => "Oe".to_string(),
                    'Ü' => "Ue".to_string(),
                    'ß' => "ss".to_string(),
                    c => c.to_string(),
                })
                .collect();
            ascii = deunicode::deunicode_with_tofu(&german, "-");
            ascii.as_str()
        }
    };
    let mut out = String::new();
    let mut dash = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    if out.is_empty() {
        "term".to_string()
    } else {
        out
    }
}

/// The taxonomies of every language. Fallback copies are left out: their terms are in
/// another language.
///
/// Names that differ only in case, surrounding spaces or Unicode normalization are one term
/// (shown as first written, in page order). Different names keep different pages even when
/// their slugs coincide (`C`, `C++` and `C#` all slug to `c`): see [`term_slugs`], which
/// gives one name the same slug in every language. Terms are sorted by slug.
pub fn build_taxonomies(
    config: &Config,
    pages: &[Page],
    diags: &mut Vec<Diagnostic>,
) -> Vec<TaxonomyModel> {
    let mut taxonomies = Vec::new();
    // The pages of each language (not the fallback copies), in index order.
    let mut by_lang: Vec<Vec<PageId>> = vec![Vec::new(); config.languages.len()];
    for (i, p) in PageId::range(pages.len()).zip(pages) {
        if let Some(l) = config.languages.iter().position(|l| l.code == p.lang)
            && !p.fallback
        {
            by_lang[l].push(i);
        }
    }
    for t in &config.taxonomies {
        // The term number of each name as written (most names are written on many pages),
        // and the key of each number: a name is normalized once per taxonomy, and each
        // page's terms are found by number, not by comparing strings.
        let mut ids: FxHashMap<&str, usize> = FxHashMap::default();
        let mut key_ids: FxHashMap<String, usize> = FxHashMap::default();
        let mut term_keys: Vec<String> = Vec::new();
        // Per language, by term number: (display name, pages).
        let mut per_lang: Vec<Vec<Option<Named>>> = Vec::new();
        // By term number, over all languages: (display name, first page that used it).
        let mut first: Vec<Option<(String, PageId)>> = Vec::new();
        for lang_pages in &by_lang {
            let mut terms: Vec<Option<Named>> = Vec::new();
            for &i in lang_pages {
                let p = &pages[i];
                for name in super::fields::effects(&p.doc.meta).terms(t.kind) {
                    let id = *ids.entry(name).or_insert_with(|| {
                        let key = ident::term_key(name);
                        let next = term_keys.len();
                        *key_ids.entry(key).or_insert_with_key(|key| {
                            term_keys.push(key.clone());
                            next
                        })
                    });
                    if terms.len() <= id {
                        terms.resize_with(id + 1, || None);
                    }
                    if first.len() <= id {
                        first.resize_with(id + 1, || None);
                    }
                    let shown = || ident::nfc(name.trim()).into_owned();
                    if first[id].is_none() {
                        first[id] = Some((shown(), i));
                    }
                    match &mut terms[id] {
                        // Pages come in index order, so a repeat can only be this page's
                        // (`tags: [江门, 江门]`): no need to search the term's whole list.
                        Some((_, term_pages)) => {
                            if term_pages.last() != Some(&i) {
                                term_pages.push(i);
                            }
                        }
                        slot => *slot = Some((shown(), vec![i])),
                    }
                }
            }
            per_lang.push(terms);
        }
        // By term key, as the slugs and the warnings read them.
        let all: BTreeMap<&str, (String, PageId)> = (first.into_iter().enumerate())
            .filter_map(|(id, f)| f.map(|f| (term_keys[id].as_str(), f)))
            .collect();
        let per_lang: Vec<Vec<(&str, Named)>> = (per_lang.into_iter())
            .map(|terms| {
                let mut terms: Vec<_> = (terms.into_iter().enumerate())
                    .filter_map(|(id, t)| t.map(|t| (term_keys[id].as_str(), t)))
                    .collect();
                terms.sort_unstable_by(|a, b| a.0.cmp(b.0));
                terms
            })
            .collect();
        let (slugs, collisions) = term_slugs(all.keys().copied(), config.term_slugs);
        for (slug, keys) in collisions {
            let names: Vec<String> = keys
                .iter()
                .filter_map(|k| all.get(k.as_str()))
                .map(|(name, _)| format!("`{name}`"))
                .collect();
            let given: Vec<String> = keys
                .iter()
                .filter_map(|k| slugs.get(k))
                .map(|slug| format!("`{slug}`"))
                .collect();
            let first_page = keys
                .iter()
                .filter_map(|k| all.get(k.as_str()))
                .map(|&(_, i)| i)
                .min();
            let mut d = Diagnostic::warning(format!(
                "{} {} would all have the slug `{slug}`; to keep them apart their pages are {} \
                 (in that order)",
                t.name,
                names.join(", "),
                given.join(", "),
            ))
            .with_hint(format!(
                "if they are meant to be one term, write them the same way in `{}:`; \
                 otherwise nothing needs to change",
                t.name
            ));
            if let Some(i) = first_page {
                d = d.in_file(&pages[i].source);
            }
            diags.push(d);
        }
        for (l, terms) in config.languages.iter().zip(per_lang) {
            let prefix = format!(
                "{}{}/",
                config.lang_prefix(&l.code),
                crate::url::segment(&t.name)
            );
            let mut terms: Vec<Term> = terms
                .into_iter()
                .map(|(key, (name, mut term_pages))| {
                    let slug = slugs.get(key).cloned().unwrap_or_default();
                    term_pages.sort_by(|&a, &b| date_order(&pages[a], &pages[b]));
                    Term {
                        name,
                        path: format!("{prefix}{}/", crate::url::segment(&slug)),
                        slug,
                        pages: term_pages,
                    }
                })
                .collect();
            terms.sort_by(|a, b| a.slug.cmp(&b.slug));
            taxonomies.push(TaxonomyModel {
                name: t.name.clone(),
                lang: l.lang(),
                path: prefix,
                terms,
            });
        }
    }
    taxonomies
}

/// A term of one language as [`build_taxonomies`] collects it: its name as first written,
/// and its pages.
type Named = (String, Vec<PageId>);

/// Slugs collided on by several term keys, with those keys (sorted).
type Collisions = Vec<(String, Vec<String>)>;

/// The slug of every term key of a taxonomy, distinct for distinct keys, and the slugs that
/// several keys share under [`term_slug`].
///
/// A key keeps its [`term_slug`] when no other key has it. Of keys that share one, each
/// takes the slug of its name with symbols spelled out (`c-plus-plus`, `c-sharp`) when that
/// is distinct; the rest take the shared slug and then `slug-2`, `slug-3`, … in the order of
/// their keys. The result depends only on the set of keys, never on the order pages were
/// read, so a term has the same slug in every language and every build.
pub fn term_slugs<'k>(
    keys: impl IntoIterator<Item = &'k str>,
    mode: TermSlugs,
) -> (BTreeMap<String, String>, Collisions) {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for key in keys {
        groups
            .entry(term_slug(key, mode))
            .or_default()
            .push(key.to_string());
    }
    let mut used: HashSet<String> = groups.keys().cloned().collect();
    let mut slugs = BTreeMap::new();
    let mut collisions = Vec::new();
    for (base, keys) in &groups {
        let [key] = keys.as_slice() else {
            collisions.push((base.clone(), keys.clone()));
            continue;
        };
        slugs.insert(key.clone(), base.clone());
    }
    for (base, keys) in &mut collisions {
        keys.sort();
        let spelled: Vec<String> = keys
            .iter()
            .map(|k| term_slug(&spell_symbols(k), mode))
            .collect();
        let mut rest = Vec::new();
        let mut base_free = true;
        for (key, form) in keys.iter().zip(&spelled) {
            let unique = spelled.iter().filter(|f| *f == form).count() == 1;
            if unique && form == base {
                base_free = false;
                slugs.insert(key.clone(), form.clone());
            } else if unique && !used.contains(form) {
                used.insert(form.clone());
                slugs.insert(key.clone(), form.clone());
            } else {
                rest.push(key);
            }
        }
        let mut n = 1;
        for key in rest {
            let slug = if std::mem::take(&mut base_free) {
                base.clone()
            } else {
                loop {
                    n += 1;
                    let candidate = format!("{base}-{n}");
                    if used.insert(candidate.clone()) {
                        break candidate;
                    }
                }
            };
            slugs.insert(key.clone(), slug);
        }
    }
    (slugs, collisions)
}

/// A term name with the symbols that tell programming languages and similar names apart
/// spelled out as words (`C++` → `C plus plus`), for readable distinct slugs.
fn spell_symbols(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let word = match c {
            '+' => "plus",
            '#' => "sharp",
            '&' => "and",
            '@' => "at",
            '%' => "percent",
            '*' => "star",
            '.' => "dot",
            '/' => "slash",
            '=' => "equals",
            '<' => "lt",
            '>' => "gt",
            '!' => "bang",
            '$' => "dollar",
            '~' => "tilde",
            '^' => "caret",
            '|' => "bar",
            '?' => "question",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push(' ');
        out.push_str(word);
        out.push(' ');
    }
    out
}

/// Every page's terms (one entry per page of `pages_len`, in page order), per taxonomy,
/// sorted by slug. Pages without terms share one empty map.
pub fn page_terms(taxonomies: &[TaxonomyModel], pages_len: usize) -> Vec<PageTerms> {
    let mut maps: Vec<BTreeMap<String, Vec<Arc<TermRef>>>> = vec![BTreeMap::new(); pages_len];
    for tax in taxonomies {
        for term in &tax.terms {
            let shared = Arc::new(TermRef {
                name: term.name.clone(),
                slug: term.slug.clone(),
                path: term.path.clone(),
            });
            for &i in &term.pages {
                let Some(map) = maps.get_mut(i.index()) else {
                    continue;
                };
                // The taxonomy's name is copied once per page, not once per term.
                let refs = match map.get_mut(&tax.name) {
                    Some(refs) => refs,
                    None => map.entry(tax.name.clone()).or_default(),
                };
                refs.push(shared.clone());
            }
        }
    }
    let empty = PageTerms::default();
    maps.into_iter()
        .map(|mut map| {
            if map.is_empty() {
                return empty.clone();
            }
            for refs in map.values_mut() {
                refs.sort_by(|a, b| a.slug.cmp(&b.slug));
            }
            Arc::new(map)
        })
        .collect()
}

/// What step 6 makes: the taxonomies, every page's terms, and the warnings about terms.
#[derive(Debug, Clone, Default)]
pub struct Taxonomies {
    /// Taxonomies per language ([`build_taxonomies`]), shared by handle with the models
    /// made of them.
    pub taxonomies: Arc<Vec<TaxonomyModel>>,
    /// Every page's terms, in page order ([`page_terms`]).
    pub terms: Vec<PageTerms>,
    /// Warnings about terms whose slugs collide.
    pub diagnostics: Vec<Diagnostic>,
}

/// The taxonomies of `pages` and each page's terms, as a full build makes them.
pub fn taxonomies(config: &Config, pages: &[Page]) -> Taxonomies {
    let mut diagnostics = Vec::new();
    let taxonomies = build_taxonomies(config, pages, &mut diagnostics);
    let terms = page_terms(&taxonomies, pages.len());
    Taxonomies {
        taxonomies: Arc::new(taxonomies),
        terms,
        diagnostics,
    }
}

/// Exactly what [`taxonomies`] reads of `pages`, written out unambiguously (every string
/// with its length): when two calls give equal bytes (with the same configuration), the
/// step makes the same [`Taxonomies`], so `qiao serve` keeps the last one
/// ([`super::Derivation`]). Per page, in page order: key, language, whether it is a
/// fallback copy, source file, title, date, and the terms of every taxonomy as written.
pub fn inputs(config: &Config, pages: &[Page]) -> Vec<u8> {
    fn put(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&s.len().to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    let mut out = Vec::with_capacity(pages.len() * 128);
    out.extend_from_slice(&pages.len().to_le_bytes());
    for p in pages {
        put(&mut out, &p.key);
        put(&mut out, &p.lang);
        out.push(u8::from(p.fallback));
        put(&mut out, &p.source);
        put(&mut out, &p.doc.title);
        match &p.doc.date {
            Some(d) => {
                out.push(1);
                out.extend_from_slice(&d.timestamp.to_le_bytes());
            }
            None => out.push(0),
        }
        let effects = super::fields::effects(&p.doc.meta);
        for t in &config.taxonomies {
            let names = effects.terms(t.kind);
            out.extend_from_slice(&names.len().to_le_bytes());
            for name in names {
                put(&mut out, name);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_slugs_keep_unicode_letters() {
        let u = TermSlugs::Unicode;
        assert_eq!(term_slug("中欧合作", u), "中欧合作");
        assert_eq!(term_slug("China-EU cooperation", u), "china-eu-cooperation");
        assert_eq!(term_slug("Förderpolitik & Recht", u), "förderpolitik-recht");
        assert_eq!(term_slug("  ?? ", u), "term");
    }

    #[test]
    fn ascii_term_slugs_transliterate() {
        let a = TermSlugs::Ascii;
        assert_eq!(term_slug("中欧合作", a), "zhong-ou-he-zuo");
        assert_eq!(term_slug("Förderpolitik", a), "foerderpolitik");
        assert_eq!(term_slug("Straße der Maß", a), "strasse-der-mass");
        assert_eq!(term_slug("Schienenverkehr", a), "schienenverkehr");
    }

    #[test]
    fn decomposed_terms_slug_like_composed_ones() {
        let nfd = "Fo\u{308}rderung";
        assert_eq!(term_slug(nfd, TermSlugs::Ascii), "foerderung");
        assert_eq!(term_slug(nfd, TermSlugs::Unicode), "förderung");
    }

    fn slugs_of(keys: &[&str], mode: TermSlugs) -> Vec<(String, String)> {
        term_slugs(keys.iter().copied(), mode)
            .0
            .into_iter()
            .collect()
    }

    #[test]
    fn colliding_term_slugs_become_distinct_and_readable() {
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        for keys in [["c", "c++", "c#"], ["c#", "c", "c++"], ["c++", "c#", "c"]] {
            let (slugs, collisions) = term_slugs(keys, TermSlugs::Ascii);
            assert_eq!(
                slugs.into_iter().collect::<Vec<_>>(),
                pairs(&[("c", "c"), ("c#", "c-sharp"), ("c++", "c-plus-plus")])
            );
            assert_eq!(
                collisions,
                vec![("c".to_string(), vec!["c".into(), "c#".into(), "c++".into()])]
            );
        }
        // Without a readable form: numbered in the order of the names, never taking another
        // term's slug.
        assert_eq!(
            slugs_of(&["中歐", "中欧", "zhong-ou-2"], TermSlugs::Ascii),
            pairs(&[
                ("zhong-ou-2", "zhong-ou-2"),
                ("中欧", "zhong-ou"),
                ("中歐", "zhong-ou-3")
            ])
        );
        // `C++` alone keeps the plain slug.
        assert_eq!(
            slugs_of(&["c++"], TermSlugs::Unicode),
            pairs(&[("c++", "c")])
        );
    }
}
