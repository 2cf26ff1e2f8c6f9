//! The template contract: every view struct that templates see (serialize-only, borrowing
//! the model) and the builders that make them from the model.

use super::*;

/// A reference from a view to another page.
#[derive(Serialize, Clone)]
pub(super) struct Link<'a> {
    pub(super) title: &'a str,
    pub(super) path: &'a str,
    pub(super) permalink: String,
}

#[derive(Serialize)]
pub(super) struct TermView<'a> {
    pub(super) name: &'a str,
    pub(super) slug: &'a str,
    pub(super) path: &'a str,
    pub(super) permalink: String,
    pub(super) count: usize,
}

#[derive(Serialize)]
pub(super) struct TaxonomyView<'a> {
    pub(super) name: &'a str,
    pub(super) lang: &'a str,
    pub(super) path: &'a str,
    pub(super) permalink: String,
    pub(super) terms: Vec<TermView<'a>>,
}

#[derive(Serialize)]
pub(super) struct TranslationView<'a> {
    pub(super) code: &'a str,
    pub(super) name: &'a str,
    pub(super) locale: &'a str,
    /// Site path of the page in that language; `None` when it does not exist.
    pub(super) path: Option<&'a str>,
    pub(super) permalink: Option<String>,
    pub(super) present: bool,
    pub(super) current: bool,
}

#[derive(Serialize)]
pub(super) struct PageView<'a> {
    pub(super) title: &'a str,
    pub(super) description: Option<&'a str>,
    pub(super) summary: Option<&'a str>,
    pub(super) content: &'a str,
    pub(super) toc: &'a [TocEntry],
    pub(super) date: Option<&'a str>,
    pub(super) updated: Option<&'a str>,
    pub(super) draft: bool,
    pub(super) slug: &'a str,
    pub(super) path: &'a str,
    pub(super) permalink: String,
    pub(super) lang: &'a str,
    pub(super) locale: &'a str,
    pub(super) content_lang: &'a str,
    pub(super) content_locale: &'a str,
    pub(super) key: &'a str,
    pub(super) source: &'a str,
    pub(super) section: &'a str,
    pub(super) weight: Option<i64>,
    pub(super) extra: &'a serde_json::Value,
    pub(super) tags: Vec<Link<'a>>,
    pub(super) categories: Vec<Link<'a>>,
    pub(super) prev: Option<Link<'a>>,
    pub(super) next: Option<Link<'a>>,
    pub(super) fallback: bool,
    /// `source` (default language), `current`, `stale`, `untracked` or `fallback`.
    pub(super) translation: crate::translation::TranslationState,
    /// For a stale translation: the sections in which blocks whose source changed stand.
    pub(super) stale_sections: &'a [crate::stale::StaleSection],
    /// The default-language page this one translates (or stands in for).
    pub(super) original: Option<Link<'a>>,
    pub(super) translations: Vec<TranslationView<'a>>,
    /// Sections from the home page down to the page's own section, for breadcrumbs.
    pub(super) ancestors: Vec<Link<'a>>,
    /// Other pages of the same language sharing the most tags and categories.
    pub(super) related: Vec<Link<'a>>,
    pub(super) assets: Vec<String>,
    pub(super) word_count: usize,
    pub(super) reading_time: usize,
    pub(super) excerpt: &'a str,
}

#[derive(Serialize)]
pub(super) struct SectionLink<'a> {
    pub(super) title: &'a str,
    pub(super) path: &'a str,
    pub(super) dir: &'a str,
    pub(super) page_count: usize,
}

#[derive(Serialize)]
pub(super) struct SectionView<'a> {
    pub(super) title: &'a str,
    pub(super) description: Option<&'a str>,
    pub(super) content: &'a str,
    pub(super) toc: &'a [TocEntry],
    pub(super) dir: &'a str,
    pub(super) path: &'a str,
    pub(super) permalink: String,
    pub(super) lang: &'a str,
    pub(super) content_lang: &'a str,
    pub(super) content_locale: &'a str,
    pub(super) source: Option<&'a str>,
    pub(super) extra: &'a serde_json::Value,
    pub(super) subsections: Vec<SectionLink<'a>>,
    pub(super) parent: Option<Link<'a>>,
    /// Sections from the home page down to the parent, for breadcrumbs.
    pub(super) ancestors: Vec<Link<'a>>,
    pub(super) fallback: bool,
    pub(super) page_count: usize,
    pub(super) translations: Vec<TranslationView<'a>>,
}

#[derive(Serialize)]
pub(super) struct LanguageView<'a> {
    pub(super) code: &'a str,
    pub(super) name: &'a str,
    pub(super) locale: &'a str,
    pub(super) title: &'a str,
    pub(super) description: &'a str,
    pub(super) is_default: bool,
    pub(super) path: String,
    pub(super) base_url: &'a str,
    pub(super) legal: &'a crate::config::Legal,
}

#[derive(Serialize)]
pub(super) struct ConfigView<'a> {
    pub(super) base_url: &'a str,
    pub(super) base_path: &'a str,
    pub(super) default_language: &'a str,
    pub(super) title: &'a str,
    pub(super) description: &'a str,
    pub(super) languages: Vec<LanguageView<'a>>,
    pub(super) taxonomies: Vec<&'a str>,
    pub(super) extra: &'a serde_json::Value,
}

#[derive(Serialize, Clone)]
pub(super) struct FeedLink {
    pub(super) title: String,
    pub(super) path: String,
}

pub(super) fn empty_map() -> &'static serde_json::Value {
    static MAP: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    MAP.get_or_init(|| serde_json::Value::Object(Default::default()))
}

pub(super) fn val<T: Serialize>(v: &T) -> tera::Value {
    tera::Value::from_serializable(v)
}

pub(super) fn config_view<'a>(config: &'a Config, lang: &'a Language) -> ConfigView<'a> {
    ConfigView {
        base_url: &config.base_url,
        base_path: &config.base_path,
        default_language: &config.default_language,
        title: &lang.title,
        description: &lang.description,
        languages: config
            .languages
            .iter()
            .map(|l| language_view(config, l))
            .collect(),
        taxonomies: config.taxonomies.iter().map(|t| t.name.as_str()).collect(),
        extra: &config.extra,
    }
}

pub(super) fn language_view<'a>(config: &Config, l: &'a Language) -> LanguageView<'a> {
    LanguageView {
        code: &l.code,
        name: &l.name,
        locale: &l.locale,
        title: &l.title,
        description: &l.description,
        is_default: l.is_default,
        path: config.lang_prefix(&l.code),
        base_url: &l.base_url,
        legal: &l.legal,
    }
}

pub(super) fn locale_of<'c>(config: &'c Config, code: &str) -> &'c str {
    config.language(code).map_or("", |l| l.locale.as_str())
}

pub(super) fn link<'a>(config: &Config, title: &'a str, path: &'a str) -> Link<'a> {
    Link {
        title,
        path,
        permalink: config.permalink(path),
    }
}

pub(super) fn page_view<'m>(
    model: &'m SiteModel,
    related: &[Vec<PageId>],
    i: PageId,
) -> PageView<'m> {
    let config = &model.config;
    let p = &model.pages[i];
    let words = p.words;
    let speed = config.language(&p.content_lang).map_or_else(
        || crate::format::default_reading_speed(&p.content_lang),
        |l| l.reading_speed,
    );
    let terms = |name: &str| -> Vec<Link<'_>> {
        p.terms
            .get(name)
            .map(|ts| ts.iter().map(|t| link(config, &t.name, &t.path)).collect())
            .unwrap_or_default()
    };
    let neighbour = |k: Option<PageId>| {
        k.map(|k| link(config, &model.pages[k].doc.title, &model.pages[k].path))
    };
    let section = model.sections.get(p.section.index());
    PageView {
        title: &p.doc.title,
        description: p.doc.meta.description.as_deref(),
        summary: p.summary.as_deref(),
        content: &p.html,
        toc: &p.toc,
        date: p.doc.date.as_ref().map(|d| d.rfc3339.as_str()),
        updated: p.doc.updated.as_ref().map(|d| d.rfc3339.as_str()),
        draft: p.doc.meta.draft,
        slug: p
            .path
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(""),
        path: &p.path,
        permalink: config.permalink(&p.path),
        lang: &p.lang,
        locale: locale_of(config, &p.lang),
        content_lang: &p.content_lang,
        content_locale: locale_of(config, &p.content_lang),
        key: &p.key,
        source: &p.source,
        section: section.map_or("", |s| s.dir.as_str()),
        weight: p.doc.meta.weight,
        extra: p.doc.meta.extra.as_ref().unwrap_or_else(|| empty_map()),
        tags: terms("tags"),
        categories: terms("categories"),
        prev: neighbour(p.prev),
        next: neighbour(p.next),
        fallback: p.fallback,
        translation: p.translation,
        stale_sections: &p.stale_sections,
        original: model
            .original_of(i)
            .map(|o| link(config, &o.doc.title, &o.path)),
        translations: page_translations(model, i),
        ancestors: section_chain(model, Some(p.section)),
        related: related[i.index()]
            .iter()
            .map(|&k| link(config, &model.pages[k].doc.title, &model.pages[k].path))
            .collect(),
        word_count: words,
        reading_time: crate::format::reading_time(words, speed),
        excerpt: &p.excerpt,
        assets: p
            .assets
            .iter()
            .map(|(_, inner)| format!("{}{}", p.path, crate::url::path(inner)))
            .collect(),
    }
}

/// The sections from the home page down to `start`, in that order.
pub(super) fn section_chain(model: &SiteModel, start: Option<SectionId>) -> Vec<Link<'_>> {
    let mut chain: Vec<Link<'_>> = (section_ids(model, start))
        .map(|k| {
            link(
                &model.config,
                &model.sections[k].title,
                &model.sections[k].path,
            )
        })
        .collect();
    chain.reverse();
    chain
}

/// The section `start` and its parents up to the home page: what a view's `ancestors` are
/// made of (the fingerprint of what a page's view reads, `render::incremental`, walks them
/// too).
pub(super) fn section_ids(
    model: &SiteModel,
    start: Option<SectionId>,
) -> impl Iterator<Item = SectionId> + '_ {
    let start = start.filter(|&k| k.index() < model.sections.len());
    std::iter::successors(start, |&k| model.sections[k].parent)
}

/// The translation of page `i` in the language `code`: the page of its key there, a
/// fallback copy left out (it is the page shown in that language, not a translation).
pub(super) fn translation_in<'m>(model: &'m SiteModel, i: PageId, code: &str) -> Option<&'m Page> {
    (model.pages.translation(i, code))
        .map(|k| &model.pages[k])
        .filter(|p| !p.fallback)
}

/// How many related pages a page lists.
pub(super) const RELATED: usize = 5;

/// How far down each of its terms' lists (newest first) a page looks for related pages:
/// without a bound, a tag shared by thousands of pages makes the search quadratic.
pub(super) const RELATED_SCAN: usize = 200;

/// [`related_ranked`], with the ranks made here.
#[cfg(test)]
pub(super) fn related_pages(model: &SiteModel) -> Vec<Vec<PageId>> {
    related_ranked(model, &date_ranks(model))
}

/// The related pages of every page ([`related_ranked`]), with, per page, a fingerprint of
/// everything its list is computed from: serve takes a page's list from the generation it
/// serves when that is the same (a body edit changes none of them; a new article changes
/// those of the pages that share one of its terms, if it comes among the first
/// [`RELATED_SCAN`] of that term's list).
pub(super) struct Related {
    /// Related pages, by page index.
    pub(super) pages: Vec<Vec<PageId>>,
    /// By page index: the fingerprint of what its list is computed from
    /// ([`Related::inputs`]).
    inputs: Vec<blake3::Hash>,
    /// How many pages' lists were computed (the others were taken from the generation
    /// before).
    pub(super) computed: usize,
}

impl Related {
    /// The related pages of `model`; `before` is the generation served and its model: a
    /// page whose list was computed there from the same inputs takes it, the pages in it
    /// found again by their language and key.
    pub(super) fn of(model: &SiteModel, before: Option<(&Related, &SiteModel)>) -> Related {
        let inputs = Related::inputs(model);
        // Pages are found again by language and key, the lists of both models walked once
        // (`positions_in`); when every page is where it was (no page added or removed), by
        // index.
        let positions = before.map(|(_, m)| model.pages.positions_in(&m.pages));
        let moved = before.is_some_and(|(_, m)| {
            m.pages.len() != model.pages.len()
                || (positions.as_deref().unwrap_or_default().iter().enumerate())
                    .any(|(i, j)| *j != Some(PageId::new(i)))
        });
        // The other way: the position here of each page of the model before.
        let now_at: Vec<Option<PageId>> = match (&positions, before) {
            (Some(positions), Some((_, m))) if moved => {
                let mut now_at = vec![None; m.pages.len()];
                for (i, j) in positions.iter().enumerate() {
                    if let Some(j) = j {
                        now_at[j.index()] = Some(PageId::new(i));
                    }
                }
                now_at
            }
            _ => Vec::new(),
        };
        let taken: Vec<Option<Vec<PageId>>> = (0..model.pages.len())
            .into_par_iter()
            .map(PageId::new)
            .map(|i| {
                let (old, _) = before?;
                let j = if moved {
                    positions.as_ref()?[i.index()]?
                } else {
                    i
                };
                if old.inputs.get(j.index()) != Some(&inputs[i.index()]) {
                    return None;
                }
                if !moved {
                    return Some(old.pages[j.index()].clone());
                }
                (old.pages[j.index()].iter())
                    .map(|&k| now_at[k.index()])
                    .collect()
            })
            .collect();
        let computed = taken.iter().filter(|t| t.is_none()).count();
        let pages = if computed == 0 {
            taken.into_iter().flatten().collect()
        } else {
            // The pages not taken, computed with `order` (generic: it is called for every
            // comparison of the merge).
            fn fill(
                model: &SiteModel,
                taken: Vec<Option<Vec<PageId>>>,
                order: &(impl Fn(PageId, PageId) -> std::cmp::Ordering + Sync),
            ) -> Vec<Vec<PageId>> {
                let terms = term_lists(model);
                (taken.into_par_iter().enumerate())
                    .map(|(i, t)| {
                        t.unwrap_or_else(|| related_of(model, &terms, order, PageId::new(i)))
                    })
                    .collect()
            }
            if computed <= model.pages.len() / 64 {
                // A few pages (a structural edit in `qiao serve`): their term lists are
                // merged comparing pages in date order, without ranking every page first.
                fill(model, taken, &|a, b| {
                    crate::model::date_order(&model.pages[a], &model.pages[b])
                })
            } else {
                let rank = date_ranks(model);
                fill(model, taken, &|a, b| rank[a.index()].cmp(&rank[b.index()]))
            }
        };
        debug_assert_eq!(
            pages,
            related_ranked(model, &date_ranks(model)),
            "related pages taken from the generation before differ from those computed"
        );
        Related {
            pages,
            inputs,
            computed,
        }
    }

    /// The related pages of this generation, for `model`, a model of the same pages whose
    /// front matter is the same ([`crate::model::Derivation::edited_pages`]): all kept.
    pub(super) fn kept(&self, model: &SiteModel) -> Related {
        debug_assert_eq!(
            self.pages,
            related_ranked(model, &date_ranks(model)),
            "related pages kept after a body edit differ from those computed"
        );
        Related {
            pages: self.pages.clone(),
            inputs: self.inputs.clone(),
            computed: 0,
        }
    }

    /// By page index, a fingerprint of what [`related_of`] reads for it: the page's
    /// language, key and terms, and, for each term, the first [`RELATED_SCAN`] pages of its
    /// list with what orders them ([`crate::model::date_order`]: date, title, key).
    fn inputs(model: &SiteModel) -> Vec<blake3::Hash> {
        // What orders a page in a list, hashed once per page (a page is in the lists of
        // several terms), and each term's first pages hashed as one run of those.
        // (Each print is of one buffer: blake3 is slower fed many small pieces.)
        fn put(buf: &mut Vec<u8>, part: &str) {
            buf.extend_from_slice(&part.len().to_le_bytes());
            buf.extend_from_slice(part.as_bytes());
        }
        let orders: Vec<blake3::Hash> = (model.pages.par_iter())
            .map(|q| {
                let mut buf = Vec::with_capacity(128);
                match &q.doc.date {
                    Some(d) => {
                        buf.push(1);
                        buf.extend_from_slice(&d.timestamp.to_le_bytes());
                    }
                    None => buf.push(0),
                }
                for part in [q.lang.code(), &q.doc.title, &q.key] {
                    put(&mut buf, part);
                }
                blake3::hash(&buf)
            })
            .collect();
        let terms: rustc_hash::FxHashMap<&str, blake3::Hash> = (model.taxonomies.iter())
            .flat_map(|t| t.terms.iter())
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|t| {
                let first = &t.pages[..t.pages.len().min(RELATED_SCAN)];
                let run: Vec<u8> = (first.iter())
                    .flat_map(|k| *orders[k.index()].as_bytes())
                    .collect();
                (t.path.as_str(), blake3::hash(&run))
            })
            .collect();
        let none = blake3::hash(b"");
        (model.pages.par_iter())
            .map(|p| {
                let mut buf = Vec::with_capacity(256);
                for part in [p.lang.code(), &p.key] {
                    put(&mut buf, part);
                }
                for t in p.terms.values().flatten() {
                    put(&mut buf, &t.path);
                    buf.extend_from_slice(terms.get(t.path.as_str()).unwrap_or(&none).as_bytes());
                }
                blake3::hash(&buf)
            })
            .collect()
    }
}

/// The rank of each page in `date_order`, by page index.
fn date_ranks(model: &SiteModel) -> Vec<usize> {
    let pages = &model.pages;
    let mut order: Vec<usize> = (0..pages.len()).collect();
    order.par_sort_by(|&a, &b| {
        crate::model::date_order(&pages[PageId::new(a)], &pages[PageId::new(b)])
    });
    let mut rank = vec![0usize; pages.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    rank
}

/// Pages in the same language that share tags or categories with each page: most shared
/// terms first, then in list order (newest first). Exact, without a hash map per page: the
/// pages of every term are sorted in the same order, so a k-way merge of the page's term
/// lists meets each candidate's occurrences together, and can stop as soon as it has
/// `RELATED` pages that share every term.
///
/// `rank` is each page's rank in date order ([`date_ranks`]).
fn related_ranked(model: &SiteModel, rank: &[usize]) -> Vec<Vec<PageId>> {
    let terms = term_lists(model);
    let order = |a: PageId, b: PageId| rank[a.index()].cmp(&rank[b.index()]);
    (0..model.pages.len())
        .into_par_iter()
        .map(|i| related_of(model, &terms, &order, PageId::new(i)))
        .collect()
}

/// Every term by its path.
fn term_lists(model: &SiteModel) -> HashMap<&str, &Term> {
    (model.taxonomies.iter())
        .flat_map(|t| t.terms.iter())
        .map(|t| (t.path.as_str(), t))
        .collect()
}

/// The related pages of page `i` (see [`related_ranked`]). `order` compares two pages of
/// one language in [`crate::model::date_order`] (by their ranks in it, or directly).
fn related_of(
    model: &SiteModel,
    terms: &HashMap<&str, &Term>,
    order: &impl Fn(PageId, PageId) -> std::cmp::Ordering,
    i: PageId,
) -> Vec<PageId> {
    // Every term lists its pages in `date_order`, which `order` compares in.
    let lists: Vec<&[PageId]> = (model.pages[i].terms.values().flatten())
        .filter_map(|r| {
            terms
                .get(r.path.as_str())
                .map(|t| &t.pages[..t.pages.len().min(RELATED_SCAN)])
        })
        .collect();
    let all = lists.len();
    let mut heads = vec![0usize; all];
    // (shared terms, page), best first; ties keep the earlier (newer) page.
    let mut best: Vec<(usize, PageId)> = Vec::with_capacity(RELATED + 1);
    loop {
        let next = (0..all)
            .filter_map(|l| lists[l].get(heads[l]).copied())
            .min_by(|&a, &b| order(a, b));
        let Some(page) = next else { break };
        let mut shared = 0;
        for l in 0..all {
            if lists[l].get(heads[l]) == Some(&page) {
                heads[l] += 1;
                shared += 1;
            }
        }
        if page == i {
            continue;
        }
        if best.len() < RELATED || best.last().is_some_and(|&(n, _)| shared > n) {
            let at = best
                .iter()
                .position(|&(n, _)| shared > n)
                .unwrap_or(best.len());
            best.insert(at, (shared, page));
            best.truncate(RELATED);
        }
        if best.len() == RELATED && best.iter().all(|&(n, _)| n == all) {
            break;
        }
    }
    best.into_iter().map(|(_, k)| k).collect()
}

/// The language switcher of a file in language `current`: one entry per language of the
/// site, in the order of `site.toml`. `target` says, for each language, the site path of
/// the file's counterpart there (if it has one) and whether that counterpart is a real
/// translation (not a fallback copy). The one builder of every switcher: pages, sections,
/// taxonomies and terms.
pub(super) fn switcher<'a>(
    config: &'a Config,
    current: &str,
    target: impl Fn(&'a Language) -> (Option<&'a str>, bool),
) -> Vec<TranslationView<'a>> {
    config
        .languages
        .iter()
        .map(|l| {
            let (path, present) = target(l);
            TranslationView {
                code: &l.code,
                name: &l.name,
                locale: &l.locale,
                path,
                permalink: path.map(|p| config.permalink(p)),
                present,
                current: l.code == current,
            }
        })
        .collect()
}

pub(super) fn page_translations(model: &SiteModel, i: PageId) -> Vec<TranslationView<'_>> {
    let me = &model.pages[i];
    switcher(&model.config, &me.lang, |l| {
        let page = translation_in(model, i, &l.code);
        let current = l.code == me.lang;
        let path = if current {
            Some(me.path.as_str())
        } else {
            page.map(|p| p.path.as_str())
        };
        (
            path,
            path.is_some() && (current && !me.fallback || page.is_some()),
        )
    })
}

pub(super) fn section_translations(model: &SiteModel, i: SectionId) -> Vec<TranslationView<'_>> {
    let me = &model.sections[i];
    switcher(&model.config, &me.lang, |l| {
        let s = model
            .section_index
            .get(&(me.dir.clone(), l.lang()))
            .map(|&k| &model.sections[k]);
        let present = s.is_some_and(|s| !s.fallback);
        let path = s
            .filter(|_| present || l.code == me.lang)
            .map(|s| s.path.as_str());
        (path, present)
    })
}

pub(super) fn taxonomy_translations<'m>(
    model: &'m SiteModel,
    tax: &'m TaxonomyModel,
) -> Vec<TranslationView<'m>> {
    switcher(&model.config, &tax.lang, |l| {
        let other = model
            .taxonomies
            .iter()
            .find(|t| t.name == tax.name && t.lang == l.code);
        let path = other.map(|t| t.path.as_str());
        (path, path.is_some())
    })
}

/// Terms are per language: a term page has no translations, and the switcher shows the
/// other languages as unavailable.
pub(super) fn term_translations<'m>(
    config: &'m Config,
    lang: &str,
    term: &'m Term,
) -> Vec<TranslationView<'m>> {
    switcher(config, lang, |l| {
        let current = l.code == lang;
        (current.then_some(term.path.as_str()), current)
    })
}

/// The view of section `i`, without its pages (see [`section_value`]).
pub(super) fn section_view(model: &SiteModel, i: SectionId) -> SectionView<'_> {
    let config = &model.config;
    let s = &model.sections[i];
    SectionView {
        title: &s.title,
        description: s.doc.as_ref().and_then(|d| d.meta.description.as_deref()),
        content: &s.html,
        toc: &s.toc,
        dir: &s.dir,
        path: &s.path,
        permalink: config.permalink(&s.path),
        lang: &s.lang,
        content_lang: &s.content_lang,
        content_locale: locale_of(config, &s.content_lang),
        source: s.source.as_deref(),
        extra: s
            .doc
            .as_ref()
            .and_then(|d| d.meta.extra.as_ref())
            .unwrap_or_else(|| empty_map()),
        subsections: s
            .subsections
            .iter()
            .map(|&k| {
                let c = &model.sections[k];
                SectionLink {
                    title: &c.title,
                    path: &c.path,
                    dir: &c.dir,
                    page_count: c.pages.len(),
                }
            })
            .collect(),
        ancestors: section_chain(model, s.parent),
        parent: s
            .parent
            .map(|k| link(config, &model.sections[k].title, &model.sections[k].path)),
        fallback: s.fallback,
        page_count: s.pages.len(),
        translations: section_translations(model, i),
    }
}

/// Values that are the same for many pages, made once and shared by handle (Tera values
/// are reference counted): each section's `ancestors` chain, each term's link, each
/// page's link (what other pages show of it as `prev`, `next`, `original` and `related`),
/// and each entry of the language switchers that is not the page's own.
pub(super) struct SharedLinks<'m> {
    /// `section_chain` of each section, as a value.
    ancestors: Vec<tera::Value>,
    /// The link of each term as pages spell it, by (site path, name as written).
    terms: HashMap<(String, String), tera::Value>,
    /// The link of each page, by index into `model.pages`.
    pages: Vec<tera::Value>,
    /// The entries of `translations` that are not `current`, by what sets them apart:
    /// every page of a translation set shows the same entry for each other language.
    switcher: HashMap<SwitcherKey<'m>, tera::Value>,
}

/// A language switcher's entry that is not `current`, by (language code, path, present):
/// its name, locale and permalink follow from these.
type SwitcherKey<'m> = (&'m str, Option<&'m str>, bool);

fn switcher_key<'m>(t: &TranslationView<'m>) -> Option<SwitcherKey<'m>> {
    (!t.current).then_some((t.code, t.path, t.present))
}

impl<'m> SharedLinks<'m> {
    pub(super) fn new(model: &'m SiteModel) -> SharedLinks<'m> {
        let config = &model.config;
        let entries: Vec<(SwitcherKey<'m>, TranslationView<'m>)> = (0..model.pages.len())
            .into_par_iter()
            .map(PageId::new)
            .flat_map_iter(|i| page_translations(model, i))
            .filter_map(|t| switcher_key(&t).map(|k| (k, t)))
            .collect();
        let mut switcher = HashMap::new();
        for (k, t) in entries {
            switcher.entry(k).or_insert_with(|| val(&t));
        }
        SharedLinks {
            switcher,
            pages: model
                .pages
                .par_iter()
                .map(|p| val(&link(config, &p.doc.title, &p.path)))
                .collect(),
            ancestors: (model.section_ids())
                .map(|k| val(&section_chain(model, Some(k))))
                .collect(),
            terms: model
                .pages
                .iter()
                .flat_map(|p| p.terms.values().flatten())
                .map(|t| ((t.path.clone(), t.name.clone()), t))
                .collect::<HashMap<_, _>>()
                .into_iter()
                .map(|(k, t)| (k, val(&link(config, &t.name, &t.path))))
                .collect(),
        }
    }
}

/// The value of page `i`: [`page_view`] serialized, with what many pages share taken from
/// `shared` instead of copied into it (`ancestors`, `tags`, `categories`, the links to
/// other pages: `prev`, `next`, `original`, `related`, and the entries of `translations`
/// for the other languages), and its `content` a handle to the model's HTML (a fallback
/// copy shares it with its original). The value is the same, key order included.
pub(super) fn page_value(
    model: &SiteModel,
    related: &[Vec<PageId>],
    shared: &SharedLinks,
    i: PageId,
) -> tera::Value {
    let p = &model.pages[i];
    let mut view = page_view(model, related, i);
    view.content = "";
    view.ancestors = Vec::new();
    view.tags = Vec::new();
    view.categories = Vec::new();
    view.related = Vec::new();
    let translations: Vec<tera::Value> = std::mem::take(&mut view.translations)
        .iter()
        .map(|t| {
            let found = switcher_key(t).and_then(|k| shared.switcher.get(&k));
            found.cloned().unwrap_or_else(|| val(t))
        })
        .collect();
    let Some(mut map) = val(&view).into_map() else {
        return val(&page_view(model, related, i));
    };
    // Each key is replaced in place: it keeps its position.
    map.insert("content".into(), p.html.to_value());
    let page_link = |k: PageId| match shared.pages.get(k.index()) {
        Some(v) => v.clone(),
        None => val(&link(
            &model.config,
            &model.pages[k].doc.title,
            &model.pages[k].path,
        )),
    };
    let original = model.original_id(i);
    for (name, k) in [("prev", p.prev), ("next", p.next), ("original", original)] {
        if let Some(k) = k {
            map.insert(name.into(), page_link(k));
        }
    }
    let links: Vec<tera::Value> = related[i.index()].iter().map(|&k| page_link(k)).collect();
    map.insert("related".into(), tera::Value::from(links));
    map.insert("translations".into(), tera::Value::from(translations));
    let ancestors = match shared.ancestors.get(p.section.index()) {
        Some(a) => a.clone(),
        None => val(&section_chain(model, Some(p.section))),
    };
    map.insert("ancestors".into(), ancestors);
    for name in ["tags", "categories"] {
        let links: Vec<tera::Value> = p
            .terms
            .get(name)
            .map(|ts| {
                ts.iter()
                    .map(
                        |t| match shared.terms.get(&(t.path.clone(), t.name.clone())) {
                            Some(v) => v.clone(),
                            None => val(&link(&model.config, &t.name, &t.path)),
                        },
                    )
                    .collect()
            })
            .unwrap_or_default();
        map.insert(name.into(), tera::Value::from(links));
    }
    tera::Value::from(map)
}

/// The value of section `i`: its view (its `content` a handle to the model's HTML), and
/// `pages`, the shared values of its pages.
pub(super) fn section_value(
    model: &SiteModel,
    i: SectionId,
    page_values: &[tera::Value],
) -> tera::Value {
    let s = &model.sections[i];
    let mut view = section_view(model, i);
    view.content = "";
    let mut v = val(&view).into_map().unwrap_or_default();
    // The model's HTML by handle, in the same place.
    v.insert("content".into(), s.html.to_value());
    let pages: Vec<tera::Value> = s
        .pages
        .iter()
        .map(|&k| page_values[k.index()].clone())
        .collect();
    v.insert("pages".into(), tera::Value::from(pages));
    tera::Value::from(v)
}

pub(super) fn taxonomy_view<'a>(config: &Config, tax: &'a TaxonomyModel) -> TaxonomyView<'a> {
    TaxonomyView {
        name: &tax.name,
        lang: &tax.lang,
        path: &tax.path,
        permalink: config.permalink(&tax.path),
        terms: tax.terms.iter().map(|t| term_view(config, t)).collect(),
    }
}

pub(super) fn term_view<'a>(config: &Config, term: &'a Term) -> TermView<'a> {
    TermView {
        name: &term.name,
        slug: &term.slug,
        path: &term.path,
        permalink: config.permalink(&term.path),
        count: term.pages.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{news_site, page, section};
    use super::*;
    use serde_json::{Value, json};

    fn json<T: Serialize>(v: &T) -> Value {
        serde_json::to_value(v).expect("a view serializes")
    }

    /// Four articles sharing tags, each `(name, date, tags)`, and a body for the first.
    fn tagged(articles: &[(&str, &str, &str)], body: &str) -> SiteModel {
        let files: Vec<(String, String)> = (articles.iter().enumerate())
            .map(|(n, (name, date, tags))| {
                let text = if n == 0 { body } else { "正文。" };
                (
                    format!("news/{name}.md"),
                    format!("---\ntitle: {name}\ndate: {date}\ntags: [{tags}]\n---\n{text}\n"),
                )
            })
            .collect();
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        super::super::testing::site(&files)
    }

    #[test]
    fn a_pages_excerpt_is_its_summary_or_its_text_cut_by_its_language() {
        let zh = "合作区".repeat(50);
        let en = "word ".repeat(60);
        let m = super::super::testing::site(&[
            (
                "news/a.md",
                "---\ntitle: 甲\nsummary: 中欧合作区  挂牌。\n---\n正文不进摘要。\n",
            ),
            ("news/b.md", &format!("---\ntitle: 乙\n---\n{zh}\n")),
            ("news/b.en.md", &format!("---\ntitle: B\n---\n{en}\n")),
        ]);
        let excerpt = |lang: &str, key: &str| {
            let v = json(&page_view(&m, &related_pages(&m), page(&m, lang, key)));
            v["excerpt"].as_str().unwrap_or("").to_string()
        };
        assert_eq!(excerpt("zh", "news/a"), "中欧合作区 挂牌。");
        let b = excerpt("zh", "news/b");
        assert_eq!(b.chars().count(), 121, "{b}");
        assert!(b.ends_with('…'), "{b}");
        // Another language's page shows the excerpt of its own text, cut by words.
        assert_eq!(
            excerpt("en", "news/b"),
            format!("{}…", "word ".repeat(55).trim_end())
        );
        // A fallback copy shows the excerpt of the text it shows.
        assert_eq!(excerpt("de", "news/a"), "中欧合作区 挂牌。");
    }

    #[test]
    fn related_pages_are_taken_from_the_served_generation_only_when_their_inputs_are_the_same() {
        let articles = [
            ("a", "2020-01-01", "甲, 乙"),
            ("b", "2020-02-01", "甲"),
            ("c", "2020-03-01", "乙"),
            ("d", "2020-04-01", "甲, 乙"),
        ];
        let served = tagged(&articles, "正文。");
        let before = Related::of(&served, None);
        assert_eq!(before.pages, related_pages(&served));
        assert_eq!(before.computed, served.pages.len());
        // Another body: the same inputs, and the same related pages.
        let body = tagged(&articles, "另一段正文。");
        let after = Related::of(&body, Some((&before, &served)));
        assert_eq!(after.inputs, before.inputs);
        assert_eq!(after.pages, related_pages(&body));
        assert_eq!(after.computed, 0);
        // Another date reorders the candidates, another tag changes them: the inputs
        // differ, and the pages are computed again (taking the old ones would be wrong).
        let mut moved = articles;
        moved[1].1 = "2020-05-01";
        let mut retagged = articles;
        retagged[2].2 = "甲";
        for edited in [moved, retagged] {
            let site = tagged(&edited, "正文。");
            let fresh = related_pages(&site);
            assert_ne!(fresh, before.pages, "{edited:?}");
            let after = Related::of(&site, Some((&before, &served)));
            assert_ne!(after.inputs, before.inputs, "{edited:?}");
            assert_eq!(after.pages, fresh, "{edited:?}");
            assert!(after.computed > 0, "{edited:?}");
        }
        // A new article first in the order of the pages (its key `0` sorts before the
        // others: every index moves) with a tag of its own: every other page takes its list
        // from the generation before, found again by language and key.
        let mut more = articles.to_vec();
        more.push(("0", "2019-01-01", "丙"));
        let site = tagged(&more, "正文。");
        let after = Related::of(&site, Some((&before, &served)));
        assert_eq!(after.pages, related_pages(&site));
        // The new page in each language (in English and German, its fallback copies).
        assert_eq!(after.computed, site.pages.len() - served.pages.len());
        assert_eq!(after.computed, 3);
        // With the tags the others have, and newer than all of them: every page with a
        // term lists it, and is computed again; so are the new article's fallback copies
        // (which have no terms), being new.
        more[4].2 = "甲, 乙";
        more[4].1 = "2021-01-01";
        let site = tagged(&more, "正文。");
        let after = Related::of(&site, Some((&before, &served)));
        assert_eq!(after.pages, related_pages(&site));
        let with_terms = (site.pages.iter())
            .filter(|p| p.terms.values().flatten().next().is_some())
            .count();
        assert_eq!(with_terms, more.len());
        assert_eq!(after.computed, with_terms + 2);
    }

    /// Articles whose dates and titles repeat (ties broken by title, then key), with
    /// overlapping tags; every fourth with an English translation with tags of its own;
    /// the article `extra` with one more tag, `庚`, which no other page has.
    fn tied_site(articles: usize, extra: Option<usize>) -> SiteModel {
        let mut files: Vec<(String, String)> = Vec::new();
        for n in 0..articles {
            let date = format!("2020-0{}-0{}", 1 + n % 3, 1 + n % 2);
            let title = ["甲", "乙"][n % 2];
            let mut tags: Vec<&str> = (["丙", "丁", "戊", "己"].iter().enumerate())
                .filter(|(t, _)| (n + t) % 3 != 0 || n % 5 == *t)
                .map(|(_, tag)| *tag)
                .collect();
            if extra == Some(n) {
                tags.push("庚");
            }
            let tags = tags.join(", ");
            files.push((
                format!("news/n{n:03}.md"),
                format!("---\ntitle: {title}\ndate: {date}\ntags: [{tags}]\n---\n正文。\n"),
            ));
            if n % 4 == 0 {
                files.push((
                    format!("news/n{n:03}.en.md"),
                    format!("---\ntitle: T\ndate: {date}\ntags: [x, y]\n---\nText.\n"),
                ));
            }
        }
        let files: Vec<(&str, &str)> = (files.iter())
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        super::super::testing::site(&files)
    }

    #[test]
    fn related_pages_merged_in_date_order_equal_those_merged_by_rank() {
        let m = tied_site(40, None);
        let ranked = related_pages(&m);
        assert!(ranked.iter().filter(|r| r.len() == RELATED).count() > 30);
        let terms = term_lists(&m);
        let order = |a: PageId, b: PageId| crate::model::date_order(&m.pages[a], &m.pages[b]);
        for i in PageId::range(m.pages.len()) {
            assert_eq!(
                related_of(&m, &terms, &order, i),
                ranked[i.index()],
                "{i:?}"
            );
        }
        // In `Related::of`, after an edit that leaves a few pages to compute (one tag
        // added), in a site large enough that they are merged in date order.
        let served = tied_site(100, None);
        let before = Related::of(&served, None);
        let edited = tied_site(100, Some(7));
        let after = Related::of(&edited, Some((&before, &served)));
        assert_eq!(after.computed, 1);
        assert!(
            after.computed <= edited.pages.len() / 64,
            "{}",
            edited.pages.len()
        );
        assert_eq!(after.pages, related_pages(&edited));
    }

    /// (code, path, present, current) of each entry of a switcher.
    fn entries(v: &Value) -> Vec<(String, Option<String>, bool, bool)> {
        (v.as_array().expect("a list").iter())
            .map(|t| {
                (
                    t["code"].as_str().unwrap_or("").to_string(),
                    t["path"].as_str().map(str::to_string),
                    t["present"].as_bool().unwrap_or(false),
                    t["current"].as_bool().unwrap_or(false),
                )
            })
            .collect()
    }

    fn entry(
        code: &str,
        path: Option<&str>,
        present: bool,
        current: bool,
    ) -> (String, Option<String>, bool, bool) {
        (code.into(), path.map(str::to_string), present, current)
    }

    #[test]
    fn a_page_view_has_its_neighbours_terms_ancestors_and_translations() {
        let m = news_site();
        let related = related_pages(&m);
        let a = page(&m, "zh", "news/a");
        let v = json(&page_view(&m, &related, a));
        assert_eq!(v["title"], "甲文");
        assert_eq!(v["path"], "/news/a/");
        assert_eq!(v["permalink"], "https://example.org/news/a/");
        assert_eq!(v["slug"], "a");
        assert_eq!(v["section"], "news");
        assert_eq!(v["lang"], "zh");
        assert_eq!(v["content_locale"], "zh-Hans");
        assert_eq!(v["fallback"], false);
        // Newest first: the newer article comes before it in the list.
        assert_eq!(v["prev"]["path"], "/news/b/");
        assert_eq!(v["next"], Value::Null);
        let tags: BTreeSet<&str> = (v["tags"].as_array().unwrap().iter())
            .map(|t| t["title"].as_str().unwrap())
            .collect();
        assert_eq!(tags, BTreeSet::from(["甲", "乙"]));
        assert_eq!(v["tags"][0]["path"], "/tags/乙/");
        assert_eq!(v["categories"][0]["title"], "动态");
        let ancestors: Vec<&str> = (v["ancestors"].as_array().unwrap().iter())
            .map(|t| t["path"].as_str().unwrap())
            .collect();
        assert_eq!(ancestors, ["/", "/news/"]);
        // The article it shares a tag with.
        assert_eq!(v["related"][0]["path"], "/news/b/");
        assert_eq!(
            entries(&v["translations"]),
            [
                entry("zh", Some("/news/a/"), true, true),
                entry("en", Some("/en/news/a/"), true, false),
                entry("de", None, false, false),
            ]
        );
        assert_eq!(v["original"], Value::Null);
    }

    #[test]
    fn a_translation_links_its_original_and_a_fallback_copy_is_not_a_translation() {
        let m = news_site();
        let related = related_pages(&m);
        let en = json(&page_view(&m, &related, page(&m, "en", "news/a")));
        assert_eq!(en["title"], "Article A");
        assert_eq!(en["original"]["path"], "/news/a/");
        assert_eq!(en["translations"][1]["current"], true);
        // German has no translation: the page is shown from the Chinese text.
        let de = json(&page_view(&m, &related, page(&m, "de", "news/a")));
        assert_eq!(de["fallback"], true);
        assert_eq!(de["content_lang"], "zh");
        assert_eq!(de["original"]["path"], "/news/a/");
        assert_eq!(
            entries(&de["translations"]),
            [
                entry("zh", Some("/news/a/"), true, false),
                entry("en", Some("/en/news/a/"), true, false),
                entry("de", Some("/de/news/a/"), false, true),
            ]
        );
    }

    #[test]
    fn a_section_view_counts_its_pages_and_links_its_family() {
        let m = news_site();
        let news = json(&section_view(&m, section(&m, "zh", "news")));
        assert_eq!(news["title"], "新闻");
        assert_eq!(news["path"], "/news/");
        assert_eq!(news["page_count"], 2);
        assert_eq!(news["parent"]["path"], "/");
        assert_eq!(
            news["subsections"],
            json!([{"title": "专题", "path": "/news/sub/", "dir": "news/sub", "page_count": 1}])
        );
        assert_eq!(
            entries(&news["translations"]),
            [
                entry("zh", Some("/news/"), true, true),
                entry("en", Some("/en/news/"), true, false),
                entry("de", None, false, false),
            ]
        );
        let sub = json(&section_view(&m, section(&m, "zh", "news/sub")));
        let ancestors: Vec<&str> = (sub["ancestors"].as_array().unwrap().iter())
            .map(|t| t["path"].as_str().unwrap())
            .collect();
        assert_eq!(ancestors, ["/", "/news/"]);
        // The section value adds the shared values of its pages, in list order.
        let values: Vec<tera::Value> = (m.page_ids())
            .map(|i| tera::Value::from(m.pages[i].path.as_str()))
            .collect();
        let value = section_value(&m, section(&m, "zh", "news"), &values);
        let pages: Value = serde_json::to_value(&value).unwrap();
        assert_eq!(pages["pages"], json!(["/news/b/", "/news/a/"]));
        assert_eq!(pages["title"], "新闻");
    }

    #[test]
    fn the_switcher_lists_every_language_in_the_order_of_the_site() {
        let m = news_site();
        let v = json(&switcher(&m.config, "en", |l| match l.code.as_str() {
            "zh" => (Some("/x/"), true),
            "en" => (Some("/en/x/"), false),
            _ => (None, false),
        }));
        assert_eq!(v[0]["name"], "中文");
        assert_eq!(v[0]["locale"], "zh-Hans");
        assert_eq!(v[0]["permalink"], "https://example.org/x/");
        assert_eq!(v[2]["permalink"], Value::Null);
        assert_eq!(
            entries(&v),
            [
                entry("zh", Some("/x/"), true, false),
                entry("en", Some("/en/x/"), false, true),
                entry("de", None, false, false),
            ]
        );
        // Terms are per language: only the current one is there.
        let tags = (m.taxonomies.iter())
            .find(|t| t.name == "tags" && t.lang == "zh")
            .expect("the Chinese tags");
        let term = &tags.terms[0];
        assert_eq!(
            entries(&json(&term_translations(&m.config, "zh", term))),
            [
                entry("zh", Some(term.path.as_str()), true, true),
                entry("en", None, false, false),
                entry("de", None, false, false),
            ]
        );
    }
}
