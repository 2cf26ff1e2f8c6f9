//! The Tera functions and filters themes may call: `get_page`, `get_section`, `url_for`,
//! `t`, `get_data`, and the `date` and `number` filters.

use super::*;

/// Something a file read through a template function (`get_page`, `get_section`), beyond
/// its own context: when it changes, the file must be rendered again.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Dep {
    Page(String, String),
    Section(String, String),
}

/// The name of the context variable that holds the number of the job being rendered:
/// `get_page` and `get_section` read it from their `State` to know whom to record a read
/// for, whichever thread renders the job.
pub(super) const JOB_ID: &str = "__qiao_job";

/// What the files being rendered read through `get_page` and `get_section`, by job
/// number. A read made where the job number is not visible (a template that hides it) is
/// never lost: it marks the whole render as untracked, and incremental updates then
/// decline (a full build renders everything).
#[derive(Default)]
pub(super) struct Reads {
    by_job: Mutex<HashMap<i64, Vec<Dep>>>,
    untracked: AtomicBool,
}

impl Reads {
    fn record(&self, state: &tera::State, dep: Dep) {
        match state.get::<i64>(JOB_ID).ok().flatten() {
            Some(id) => self
                .by_job
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .entry(id)
                .or_default()
                .push(dep),
            None => self.untracked.store(true, AtomicOrdering::SeqCst),
        }
    }

    /// Takes what job `id` read.
    pub(super) fn take(&self, id: i64) -> Vec<Dep> {
        self.by_job
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&id)
            .unwrap_or_default()
    }

    /// Whether some read could not be given to a job.
    pub(super) fn untracked(&self) -> bool {
        self.untracked.load(AtomicOrdering::SeqCst)
    }
}

/// What `get_page`, `get_section` and `url_for` look up: owned, shareable copies of the
/// prepared values, so the functions can live inside Tera (which wants `'static`).
pub(super) struct Lookup {
    pub(super) default_language: String,
    pub(super) languages: Vec<String>,
    pub(super) base_path: String,
    /// What stays the same while the pages and sections do (shared with the next
    /// generation after a body edit, see [`Lookup::with_index`]).
    pub(super) index: Arc<LookupIndex>,
    /// The value of every page, by page index.
    pub(super) page_values: Vec<tera::Value>,
    /// The pages (shared by handle), for their paths. Here, not in the index: the index
    /// outlives body edits, and would keep every page they replaced.
    pub(super) pages: crate::model::PageList,
    pub(super) sections: HashMap<(String, String), tera::Value>,
}

/// Where `get_page` and `url_for` find a page: by (key, language), the fallback copies
/// left out (the model's own index, shared), and where `url_for` finds a section.
pub(super) struct LookupIndex {
    /// The page's index in the model (and in the page values): [`SiteModel::page_index`].
    pages: Arc<crate::model::PageIndex>,
    /// The site path of every section, by (`news/_index`, language).
    section_paths: HashMap<(String, String), String>,
    /// The languages of the site, by code.
    langs: Vec<crate::config::Lang>,
}

impl LookupIndex {
    /// The page with `key` in the language `lang` (not a fallback copy).
    fn page(&self, key: &str, lang: &str) -> Option<PageId> {
        let lang = *self.langs.iter().find(|l| l.code() == lang)?;
        self.pages.get(&(key.to_string(), lang)).copied()
    }
}

impl Lookup {
    /// The site path of the page or section (`news/_index`) with `key` in the language
    /// `lang`.
    fn path(&self, key: &str, lang: &str) -> Option<&str> {
        match self.index.page(key, lang) {
            Some(i) => Some(self.pages[i].path.as_str()),
            None => (self
                .index
                .section_paths
                .get(&(key.to_string(), lang.to_string())))
            .map(String::as_str),
        }
    }

    pub(super) fn new(m: &SiteModel, v: &Values) -> Lookup {
        let section_paths = (m.sections.iter())
            .map(|s| {
                let key = if s.dir.is_empty() {
                    "_index".to_string()
                } else {
                    format!("{}/_index", s.dir)
                };
                ((key, s.lang.to_string()), s.path.clone())
            })
            .collect();
        let index = LookupIndex {
            pages: m.page_index.clone(),
            section_paths,
            langs: m.config.languages.iter().map(|l| l.lang()).collect(),
        };
        Lookup::with_index(m, v, Arc::new(index))
    }

    /// The lookup of `m` with the index of a model whose pages and sections are the same
    /// ones at the same places, with the same paths: the generation before a body edit.
    pub(super) fn with_index(m: &SiteModel, v: &Values, index: Arc<LookupIndex>) -> Lookup {
        let sections = (m.sections.iter().zip(&v.section_values))
            .map(|(s, value)| ((s.dir.clone(), s.lang.to_string()), value.clone()))
            .collect();
        Lookup {
            default_language: m.config.default_language.clone(),
            languages: m.config.languages.iter().map(|l| l.code.clone()).collect(),
            base_path: m.config.base_path.clone(),
            index,
            page_values: v.page_values.clone(),
            pages: m.pages.clone(),
            sections,
        }
    }

    /// The translation key of a `path` argument and the language to look it up in: the
    /// file's own suffix, else the `lang` argument, else the language being rendered.
    fn target<'p>(
        &self,
        path: &'p str,
        kwargs: &tera::Kwargs,
        state: &tera::State,
    ) -> tera::TeraResult<(&'p str, String)> {
        let (key, explicit) = self.key_of(path);
        let lang = match explicit {
            Some(x) => x.to_string(),
            None => lang_arg(kwargs, state)?,
        };
        Ok((key, lang))
    }

    /// `news/x.md`, `news/x.en.md` or `news/x` → (key, explicit language).
    fn key_of<'a>(&self, path: &'a str) -> (&'a str, Option<&'a str>) {
        let named =
            crate::content::name::page_name(path, |code| self.languages.iter().any(|l| l == code));
        (named.key, named.lang)
    }
}

pub(super) fn lang_arg(kwargs: &tera::Kwargs, state: &tera::State) -> tera::TeraResult<String> {
    if let Some(l) = kwargs.get::<String>("lang")? {
        return Ok(l);
    }
    Ok(state.get::<String>("lang")?.unwrap_or_default())
}

/// Interface translations and locale formatters, shared by all rendering threads.
#[derive(Clone)]
pub struct Intl {
    /// Fluent messages of the site.
    pub catalog: Arc<crate::i18n::Catalog>,
    /// ICU4X formatters per language code.
    pub formats: Arc<HashMap<String, crate::format::LocaleFormat>>,
    /// The data files under `data/`, for `get_data`.
    pub data: Arc<crate::data::DataFiles>,
}

/// The ICU4X formatters of `lang`, for the filter `filter`.
pub(super) fn formatter<'f>(
    formats: &'f HashMap<String, crate::format::LocaleFormat>,
    lang: &str,
    filter: &str,
) -> tera::TeraResult<&'f crate::format::LocaleFormat> {
    formats
        .get(lang)
        .ok_or_else(|| tera::Error::message(format!("{filter}: no locale for language `{lang}`")))
}

/// Registers `get_page`, `get_section`, `url_for`, `t`, `get_data` and the `date` and
/// `number` filters.
/// `get_page` and `get_section` record what they return (see [`Renderer::next`]).
pub(super) fn register_functions(
    tera: &mut tera::Tera,
    lookup: Arc<RwLock<Lookup>>,
    reads: Arc<Reads>,
    intl: &Intl,
) {
    fn read(l: &RwLock<Lookup>) -> tera::TeraResult<std::sync::RwLockReadGuard<'_, Lookup>> {
        l.read()
            .map_err(|_| tera::Error::message("internal error: the page index is poisoned"))
    }
    let l = lookup.clone();
    let r = reads.clone();
    tera.register_function(
        "get_page",
        move |kwargs: tera::Kwargs, state: &tera::State| {
            let l = read(&l)?;
            let path: String = kwargs.must_get("path")?;
            let (key, lang) = l.target(&path, &kwargs, state)?;
            let id = (key.to_string(), lang);
            let found = (l.index.page(&id.0, &id.1))
                .and_then(|i| l.page_values.get(i.index()))
                .cloned()
                .ok_or_else(|| {
                    tera::Error::message(format!(
                        "get_page: no page `{path}` in language `{}`",
                        id.1
                    ))
                })?;
            r.record(state, Dep::Page(id.0, id.1));
            Ok::<tera::Value, tera::Error>(found)
        },
    );
    let l = lookup.clone();
    let r = reads;
    tera.register_function(
        "get_section",
        move |kwargs: tera::Kwargs, state: &tera::State| {
            let l = read(&l)?;
            let path: String = kwargs.must_get("path")?;
            let (key, lang) = l.target(&path, &kwargs, state)?;
            let dir = key
                .strip_suffix("_index")
                .unwrap_or(key)
                .trim_end_matches('/');
            let id = (dir.to_string(), lang);
            let found = l.sections.get(&id).cloned().ok_or_else(|| {
                tera::Error::message(format!(
                    "get_section: no section `{path}` in language `{}`",
                    id.1
                ))
            })?;
            r.record(state, Dep::Section(id.0, id.1));
            Ok::<tera::Value, tera::Error>(found)
        },
    );
    let l = lookup;
    tera.register_function(
        "url_for",
        move |kwargs: tera::Kwargs, state: &tera::State| {
            let l = read(&l)?;
            let path: String = kwargs.must_get("path")?;
            if path.ends_with(".md") || path.starts_with("@/") {
                let (key, lang) = l.target(&path, &kwargs, state)?;
                return (l.path(key, &lang))
                    .or_else(|| l.path(key, &l.default_language))
                    .map(str::to_string)
                    .ok_or_else(|| tera::Error::message(format!("url_for: no page `{path}`")));
            }
            // A file's path as it is on disk (`my notes.txt`): encoded like every address.
            Ok(format!(
                "{}{}",
                l.base_path,
                crate::url::path(path.trim_start_matches('/'))
            ))
        },
    );
    register_intl(tera, intl);
}

/// Registers `t` and the `date` and `number` filters: what every template that writes
/// words or figures in the reader's language needs (page templates and directive templates).
pub(crate) fn register_intl(tera: &mut tera::Tera, intl: &Intl) {
    let catalog = intl.catalog.clone();
    tera.register_function("t", move |kwargs: tera::Kwargs, state: &tera::State| {
        let key: String = kwargs.must_get("key")?;
        let attr: Option<String> = kwargs.get("attr")?;
        let lang = lang_arg(&kwargs, state)?;
        let context: String = state.get("current_path")?.unwrap_or_default();
        let args = crate::i18n::fluent_args(&kwargs);
        Ok::<String, tera::Error>(
            catalog
                .translate(&lang, &key, attr.as_deref(), &args, &context)
                .unwrap_or(key),
        )
    });
    let data = intl.data.clone();
    tera.register_function(
        "get_data",
        move |kwargs: tera::Kwargs, state: &tera::State| {
            let name: String = kwargs.must_get("name")?;
            let lang = lang_arg(&kwargs, state)?;
            data.get(&name, &lang)
                .cloned()
                .map_err(|m| tera::Error::message(data.explain(&name, &lang, m)))
        },
    );
    let formats = intl.formats.clone();
    tera.register_filter(
        "date",
        move |value: &str, kwargs: tera::Kwargs, state: &tera::State| {
            let style: String = kwargs.get("format")?.unwrap_or_else(|| "long".to_string());
            let style = crate::format::DateStyle::parse(&style).ok_or_else(|| {
                tera::Error::message(format!(
                    "date: unknown format `{style}`; use long, medium, short, year_month, year or iso"
                ))
            })?;
            let lang = lang_arg(&kwargs, state)?;
            let f = formatter(&formats, &lang, "date")?;
            f.date(value, style).ok_or_else(|| {
                tera::Error::message(format!("date: `{value}` is not a date (YYYY-MM-DD or RFC 3339)"))
            })
        },
    );
    let formats = intl.formats.clone();
    tera.register_filter(
        "number",
        move |value: tera::Value, kwargs: tera::Kwargs, state: &tera::State| {
            let n = value
                .as_number()
                .map(|n| n.as_float())
                .or_else(|| value.as_str().and_then(|s| s.trim().parse::<f64>().ok()))
                .ok_or_else(|| {
                    tera::Error::message(format!("number: `{value}` is not a number"))
                })?;
            let decimals: Option<i64> = kwargs.get("decimals")?;
            let lang = lang_arg(&kwargs, state)?;
            let f = formatter(&formats, &lang, "number")?;
            f.number(n, decimals.map(|d| d.clamp(0, 20) as i16))
                .ok_or_else(|| tera::Error::message(format!("number: cannot format `{n}`")))
        },
    );
}
