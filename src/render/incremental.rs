//! Incremental updates: from the renderer of the site as served and a new model (made by the
//! build's own pipeline), the next generation, rendering again exactly the files whose
//! inputs changed.
//!
//! Everything is matched by stable identity, never by index: pages by (key, language),
//! sections by (directory, language), terms by (taxonomy, language, slug), every other
//! output by its file name. Each render job has a fingerprint: a hash of everything its
//! template context holds (the shared values of pages, sections and taxonomies by their own
//! fingerprints, a hash of each view's serialization), of the template and every template it
//! extends, includes or imports, of the interface translations of its language, and of the
//! values it read through `get_page` and `get_section` when it was last rendered. A job
//! whose fingerprint is unchanged is not rendered; a job that is new, or whose fingerprint
//! changed, is. Files that need no template (feeds, sitemaps, redirects, robots.txt) are
//! made again and written when their bytes changed; the search index of a language is
//! made again when one of its pages changed, was added or removed; static copies are copied
//! when new, when their source changed or moved. Output files of the old generation that
//! the new one does not have are removed.
//!
//! Most of a large site is the same after a save, so most fingerprints are kept rather
//! than made again: a page equal to its predecessor but for its place in the model
//! ([`crate::model::Page::same_but_places`]) whose context ([`context_print`]: what its
//! view reads of other pages) is the same keeps its value and fingerprints; its job, and
//! when the whole structure ([`structure_print`]) is the same, lists, feeds and sitemaps
//! keep theirs when what they show kept theirs ([`Reuse`], [`Unchanged`]). After a body
//! edit, the derivation names the pages it made again (`edited` in [`Renderer::next`]):
//! the other pages, the related lists, the structure, the job list ([`JobList`]), the
//! `get_page` tables and what feeds read of the other pages are then taken without being
//! compared, and job fingerprints are compared by position ([`JobPrints`]). The pages of
//! one list hash the values that are the same on each of them ([`Inputs::list_value`]:
//! translations, feeds, term, language) once per list. Builds with debug assertions make
//! each kept fingerprint and each shared value again and fail when it differs, so that a
//! view that starts reading something new cannot go stale silently in the tests.

use super::*;

/// The fingerprint of a value or a file.
type Print = blake3::Hash;

/// A render job's identity across generations: what it renders, not where it is in a list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum JobKey {
    /// A page, by (key, language).
    Page(Arc<str>, Lang),
    /// Page `n` of a section's list, by (directory, language).
    Section(Arc<str>, Lang, usize),
    /// A taxonomy's index, by (name, language).
    TaxonomyIndex(Arc<str>, Lang),
    /// Page `n` of a term's list, by (taxonomy, language, slug).
    Term(Arc<str>, Lang, Arc<str>, usize),
    /// A language's 404 page.
    NotFound(Arc<str>),
}

impl JobKey {
    /// The identity of `job` in `model`.
    pub(super) fn of(model: &SiteModel, job: &Job) -> JobKey {
        match job {
            Job::Page(i) => {
                let p = &model.pages[*i];
                JobKey::Page(p.key.as_str().into(), p.lang)
            }
            Job::Section(i, n) => {
                let s = &model.sections[*i];
                JobKey::Section(s.dir.as_str().into(), s.lang, *n)
            }
            Job::TaxonomyIndex(t) => {
                let tax = &model.taxonomies[*t];
                JobKey::TaxonomyIndex(tax.name.as_str().into(), tax.lang)
            }
            Job::Term(id, n) => {
                let tax = &model.taxonomies[id.taxonomy];
                let slug = model.term(*id).slug.clone();
                JobKey::Term(tax.name.as_str().into(), tax.lang, slug.into(), *n)
            }
            Job::NotFound(code) => JobKey::NotFound(code.as_str().into()),
        }
    }
}

/// The render jobs of a generation, in order, with their identities: made once per
/// generation, and shared by the next after a body edit (the same jobs then).
pub(super) struct JobList {
    pub(super) jobs: Vec<Job>,
    pub(super) keys: Vec<JobKey>,
    /// The position of each job by its identity.
    index: rustc_hash::FxHashMap<JobKey, usize>,
}

impl JobList {
    pub(super) fn of(model: &SiteModel) -> JobList {
        let jobs = all_jobs(model);
        let keys: Vec<JobKey> = jobs.iter().map(|j| JobKey::of(model, j)).collect();
        let index = (keys.iter().cloned()).zip(0..).collect();
        JobList { jobs, keys, index }
    }
}

/// The fingerprint of each render job of a generation and the file it writes, in the order
/// of its [`JobList`]: two generations of one list (after a body edit) compare them by
/// position, others by the jobs' identities.
struct JobPrints {
    list: Arc<JobList>,
    prints: Vec<(Print, Arc<str>)>,
}

impl JobPrints {
    /// The fingerprint of the job `key`, if this generation has it.
    fn get(&self, key: &JobKey) -> Option<&(Print, Arc<str>)> {
        self.list.index.get(key).and_then(|&n| self.prints.get(n))
    }

    /// The fingerprint of the job at position `n` of `list` (the same job, found by position
    /// when the list is this generation's, else by its identity).
    fn at(&self, list: &Arc<JobList>, n: usize) -> Option<&(Print, Arc<str>)> {
        if Arc::ptr_eq(&self.list, list) {
            self.prints.get(n)
        } else {
            self.get(&list.keys[n])
        }
    }

    /// The files the jobs write.
    fn files(&self) -> impl Iterator<Item = &str> {
        self.prints.iter().map(|(_, rel)| &**rel)
    }
}

/// The fingerprint of a serializable value (its JSON, hashed as it is written).
fn print<T: Serialize + ?Sized>(v: &T) -> Print {
    let mut w = HashWriter {
        hasher: blake3::Hasher::new(),
        buf: [0; 4096],
        len: 0,
    };
    // Writing into a hasher cannot fail; a value that cannot be serialized hashes what
    // was written before the failure, and rendering reports it.
    let _ = serde_json::to_writer(&mut w, v);
    w.finish()
}

/// A hasher that takes what is written in blocks: the serializer writes a few bytes at a
/// time, which the hasher takes slowly. The buffer is on the stack: a job's fingerprint
/// hashes a dozen small values, and 40,000 jobs are fingerprinted on every update.
struct HashWriter {
    hasher: blake3::Hasher,
    buf: [u8; 4096],
    len: usize,
}

impl HashWriter {
    fn finish(mut self) -> Print {
        self.hasher.update(&self.buf[..self.len]);
        self.hasher.finalize()
    }
}

impl std::io::Write for HashWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.len + data.len() > self.buf.len() {
            self.hasher.update(&self.buf[..self.len]);
            self.len = 0;
        }
        if data.len() > self.buf.len() {
            self.hasher.update(data);
        } else {
            self.buf[self.len..self.len + data.len()].copy_from_slice(data);
            self.len += data.len();
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The fingerprint of a page's view: the view without its HTML, serialized, and the HTML
/// hashed as it is (escaping a page's HTML into JSON costs more than hashing it).
/// `content` is the fingerprint of the HTML (see [`content_print`]).
fn page_print(view: &mut PageView<'_>, content: Print) -> Print {
    let html = std::mem::take(&mut view.content);
    let mut h = blake3::Hasher::new();
    h.update(print(&*view).as_bytes());
    h.update(content.as_bytes());
    view.content = html;
    h.finalize()
}

/// The fingerprint of a page's HTML. An update takes it from the page of the generation
/// served when the two share their HTML (see [`crate::content::Text::shares`]).
fn content_print(html: &str) -> Print {
    blake3::hash(html.as_bytes())
}

/// The files that need no template ([`plain_files`]) and the fingerprint of what each feed
/// is made of ([`PlannedFeed::inputs`]), by output file, in one pass over the feed plan.
/// `entries` are what feeds read of each page ([`entry_prints`]); `keep` says, from a feed's output
/// file and fingerprint, whether it is the same as before (then it is not made), and
/// `sitemaps` whether the sitemaps are. `before`, after a body edit (the feed plan is the
/// one of the generation before): the fingerprints of its feeds and, by page index, whether
/// a page was edited; a feed that lists no edited page keeps its fingerprint without
/// hashing its list again.
fn plain_files_and_feed_prints(
    p: Prepared,
    entries: &[Print],
    keep: &mut dyn FnMut(&str, &Print) -> bool,
    sitemaps: bool,
    before: Option<(&HashMap<String, Print>, &[bool])>,
) -> (Files, HashMap<String, Print>) {
    let mut feeds = HashMap::new();
    let mut feed = |f: &PlannedFeed<'_>| {
        let kept = before.and_then(|(prints, edited)| {
            (!f.may_list_any(edited))
                .then(|| prints.get(&f.rel).copied())
                .flatten()
        });
        let print = match kept {
            Some(print) => {
                debug_assert_eq!(
                    print,
                    f.inputs(entries),
                    "the feed {} kept its print",
                    f.rel
                );
                print
            }
            None => f.inputs(entries),
        };
        let same = keep(&f.rel, &print);
        feeds.insert(f.rel.clone(), print);
        same
    };
    let plain = plain_files(
        p,
        Some(Unchanged {
            feed: &mut feed,
            sitemaps,
        }),
    );
    (plain, feeds)
}

/// The fingerprints of one generation.
pub(super) struct Prints {
    /// Of each page's view, by page index.
    pages: Vec<Print>,
    /// Of each page's HTML, by page index.
    contents: Vec<Print>,
    /// Of what each page's view reads of other pages and sections ([`context_print`]), by
    /// page index.
    contexts: Vec<Print>,
    /// Of each section's value (its view and its pages' prints), by section index.
    sections: Vec<Print>,
    /// Of each section's view alone (its value without `pages`), by section index: what a
    /// list whose templates do not read `section.pages` depends on of the section.
    section_views: Vec<Print>,
    /// Of each taxonomy's value, by taxonomy index.
    taxonomies: Vec<Print>,
    /// Of each taxonomy's value without its terms (for templates that do not read them,
    /// [`may_read_taxonomy_terms`]).
    taxonomy_heads: Vec<Print>,
    /// Of each language's `config` value.
    configs: HashMap<String, Print>,
    /// Of each template with every template it extends, includes or imports.
    templates: HashMap<String, TemplatePrint>,
    /// Of each render job, with the output file it writes.
    jobs: JobPrints,
    /// Of each file that needs no template (feeds, sitemaps, redirects, robots.txt).
    plain: HashMap<String, Print>,
    /// Of what each feed is made of ([`PlannedFeed::inputs`]), by output file.
    feeds: HashMap<String, Print>,
    /// Of what a feed reads of each page ([`entry_prints`]), by page index.
    entries: Vec<Print>,
    /// Of the pages of each language (to know whose search index to make again).
    languages: HashMap<String, Print>,
    /// Of what each page's view reads of the other pages and of the sections
    /// ([`structure_print`]).
    structure: Print,
}

/// The inside of each `{% %}` tag of a template, whitespace control and spaces trimmed.
fn statement_tags(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let at = rest.find("{%")?;
        rest = &rest[at + 2..];
        let end = rest.find("%}").unwrap_or(rest.len());
        let tag = rest[..end].trim_matches('-').trim();
        rest = &rest[end..];
        Some(tag)
    })
}

/// The templates a template uses: the names in its `extends`, `include` and `import` tags.
/// `None` when one of those tags names no template literally (then it may use any).
fn uses(text: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for tag in statement_tags(text) {
        let word = tag.split_whitespace().next().unwrap_or("");
        if !matches!(word, "extends" | "include" | "import") {
            continue;
        }
        let names: Vec<String> = tag
            .split(['"', '\''])
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect();
        if names.is_empty() {
            return None;
        }
        out.extend(names);
    }
    Some(out)
}

/// What a job's fingerprint holds of its template.
#[derive(Debug, Clone, Copy, PartialEq)]
struct TemplatePrint {
    /// Of the template together with every template it uses, directly or not.
    print: Print,
    /// Whether one of them may read the `pages` of the `section` value
    /// ([`may_read_section_pages`]).
    reads_section_pages: bool,
    /// Whether one of them may read the `terms` of the `taxonomy` value
    /// ([`may_read_taxonomy_terms`]).
    reads_taxonomy_terms: bool,
}

/// What one template's own text tells [`template_prints`], each text read once.
struct TemplateFacts {
    /// [`uses`].
    uses: Option<Vec<String>>,
    /// Whether it defines a component (`{% component name(...) %}`).
    defines_component: bool,
    /// [`may_call_component`].
    calls_component: bool,
    /// [`may_read_section_pages`].
    reads_section_pages: bool,
    /// [`may_read_taxonomy_terms`].
    reads_taxonomy_terms: bool,
}

impl TemplateFacts {
    fn of(text: &str) -> TemplateFacts {
        let code = template_code(text);
        let tokens = code_tokens(&code);
        TemplateFacts {
            uses: uses(text),
            defines_component: statement_tags(text)
                .any(|tag| tag.split_whitespace().next() == Some("component")),
            calls_component: may_call_component(&tokens),
            reads_section_pages: may_read_section_pages(&tokens),
            reads_taxonomy_terms: may_read_taxonomy_terms(&tokens),
        }
    }
}

/// Whether a template (its [`code_tokens`]) may read the `pages` of the `section` value
/// ([`may_read_field`]). A list rendered with templates that do not is not rendered again
/// when only the pages it does not show change (a body edit of an article in a section of
/// 750 list pages).
fn may_read_section_pages(tokens: &[&str]) -> bool {
    may_read_field(tokens, "section", "pages")
}

/// Whether a template (its [`code_tokens`]) may read the `terms` of the `taxonomy` value
/// ([`may_read_field`]). A term's list rendered with templates that do not is not rendered
/// again when another term of its taxonomy comes, goes or changes its count (a new tag on
/// one article: the other 2,800 term pages of the language stay as they are).
fn may_read_taxonomy_terms(tokens: &[&str]) -> bool {
    may_read_field(tokens, "taxonomy", "terms")
}

/// The code in a template's tags (`{{ }}`, `{% %}`), string literals (with their escaped
/// quotes) and comments left out, each tag followed by a space.
fn template_code(text: &str) -> String {
    let mut code = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('{') {
        rest = &rest[at..];
        let close = match rest.get(..2) {
            Some("{{") => "}}",
            Some("{%") => "%}",
            Some("{#") => {
                rest = rest.find("#}").map_or("", |e| &rest[e + 2..]);
                continue;
            }
            _ => {
                rest = &rest[1..];
                continue;
            }
        };
        rest = &rest[2..];
        // Up to the closing delimiter outside string literals.
        let mut quote: Option<char> = None;
        let mut escaped = false;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            match quote {
                Some(_) if escaped => escaped = false,
                Some(_) if c == '\\' => escaped = true,
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
                None if rest[i..].starts_with(close) => {
                    end = i;
                    break;
                }
                None => code.push(c),
            }
        }
        code.push(' ');
        rest = rest.get(end + 2..).unwrap_or("");
    }
    code
}

/// The tokens of [`template_code`]: names and single signs, spaces left out
/// (`section . title` reads as `section.title`).
fn code_tokens(code: &str) -> Vec<&str> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut tokens: Vec<&str> = Vec::new();
    let mut chars = code.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let mut end = i + c.len_utf8();
        if ident(c) {
            while let Some(&(j, d)) = chars.peek().filter(|&&(_, d)| ident(d)) {
                end = j + d.len_utf8();
                chars.next();
            }
        } else if c.is_whitespace() {
            continue;
        }
        tokens.push(&code[i..end]);
    }
    tokens
}

/// Whether a template (its [`code_tokens`]) may call a component (Tera's
/// `{{ <name ... /> }}` or `{% <name> %}`): a `<` followed by a name. A comparison `a < b`
/// counts too, which only costs precision. Components are global in Tera, so such a
/// template may use any template that defines one, without naming it.
fn may_call_component(tokens: &[&str]) -> bool {
    (tokens.windows(2))
        .any(|w| w[0] == "<" && w[1].starts_with(|c: char| c.is_alphabetic() || c == '_'))
}

/// Whether a template may read `field` of the value `value`, judged from the code in its
/// tags (`{{ }}`, `{% %}`; string literals and comments left out): it reads `value.field`,
/// uses `value` other than to read a field of it, to test whether it is defined or as the
/// name of a keyword argument (`section.title`, `section is defined`, `f(section=1)`;
/// given whole to a `set`, a loop, a filter or a
/// macro, or indexed with `[ ]`, the value may be read in full), or dumps the context
/// (`__tera_context`). (`get_section` and `get_taxonomy` are dependencies of their own, on
/// the whole value.)
fn may_read_field(tokens: &[&str], value: &str, field: &str) -> bool {
    let next = |i: usize, n: usize| tokens.get(i + n).copied();
    tokens.iter().enumerate().any(|(i, &t)| {
        if t == "__tera_context" {
            return true;
        }
        if t != value {
            return false;
        }
        match next(i, 1) {
            Some(".") => next(i, 2) == Some(field),
            // A keyword argument of that name (`t(key="x", taxonomy=taxonomy.name)`), or
            // a `set` of it; `==` compares the value whole.
            Some("=") => next(i, 2) == Some("="),
            // `value is defined`, `value is not defined`, `value is undefined`.
            Some("is") => {
                let test = match next(i, 2) {
                    Some("not") => next(i, 3),
                    test => test,
                };
                !matches!(test, Some("defined" | "undefined"))
            }
            _ => true,
        }
    })
}

/// The fingerprint of each template together with every template it uses, directly or
/// not: a change to any of them changes it.
fn template_prints(templates: &TemplateSet) -> HashMap<String, TemplatePrint> {
    let texts: BTreeMap<&str, &str> = templates.sources().collect();
    let facts: HashMap<&str, TemplateFacts> = (texts.iter())
        .map(|(&n, &t)| (n, TemplateFacts::of(t)))
        .collect();
    let mut all = blake3::Hasher::new();
    for (n, t) in &texts {
        all.update(n.as_bytes());
        all.update(&[0]);
        all.update(t.as_bytes());
        all.update(&[0]);
    }
    let all = all.finalize();
    // Templates that define components, which any template may call without naming them.
    let components: Vec<&str> = (texts.keys())
        .filter(|n| facts.get(*n).is_some_and(|f| f.defines_component))
        .copied()
        .collect();
    texts
        .keys()
        .map(|&name| {
            let mut seen: BTreeSet<&str> = BTreeSet::new();
            let mut todo = vec![name];
            let mut dynamic = false;
            while let Some(n) = todo.pop() {
                if !seen.insert(n) {
                    continue;
                }
                let Some(f) = facts.get(n) else {
                    continue;
                };
                if f.calls_component {
                    todo.extend(&components);
                }
                match &f.uses {
                    Some(names) => todo.extend(
                        names
                            .iter()
                            .filter_map(|u| texts.get_key_value(u.as_str()).map(|(k, _)| *k)),
                    ),
                    None => dynamic = true,
                }
            }
            let mut h = blake3::Hasher::new();
            if dynamic {
                h.update(all.as_bytes());
            }
            let mut reads_section_pages = dynamic;
            let mut reads_taxonomy_terms = dynamic;
            for n in seen {
                let text = texts.get(n).copied().unwrap_or("");
                h.update(n.as_bytes());
                h.update(&[0]);
                h.update(text.as_bytes());
                h.update(&[0]);
                if let Some(f) = facts.get(n) {
                    reads_section_pages |= f.reads_section_pages;
                    reads_taxonomy_terms |= f.reads_taxonomy_terms;
                }
            }
            let print = TemplatePrint {
                print: h.finalize(),
                reads_section_pages,
                reads_taxonomy_terms,
            };
            (name.to_string(), print)
        })
        .collect()
}

/// The fingerprint of what a page's view reads of the site besides the page itself: the
/// key, language, title, path, neighbours, section and related pages of every page, in
/// order, and the directory, language, title, path and parent of every section (the
/// language switcher, `prev`, `next`, `original`, `related` and `ancestors` are made of
/// those). When it is the same in two generations, a page equal to its predecessor has the
/// same view: [`Renderer::next`] then keeps its value and fingerprints without making its
/// view again (and checks, in builds with debug assertions, that making it gives the same).
fn structure_print(model: &SiteModel, related: &[Vec<PageId>]) -> Print {
    let mut buf: Vec<u8> = Vec::with_capacity(model.pages.len() * 160);
    fn put(buf: &mut Vec<u8>, b: &[u8]) {
        buf.extend_from_slice(b);
        buf.push(0);
    }
    fn index(buf: &mut Vec<u8>, k: Option<usize>) {
        // `usize::MAX` for none: no list is that long.
        buf.extend_from_slice(&k.unwrap_or(usize::MAX).to_le_bytes());
    }
    for (i, p) in model.pages.iter().enumerate() {
        put(&mut buf, p.key.as_bytes());
        put(&mut buf, p.lang.as_bytes());
        put(&mut buf, p.doc.title.as_bytes());
        put(&mut buf, p.path.as_bytes());
        buf.push(u8::from(p.fallback));
        index(&mut buf, p.prev.map(PageId::index));
        index(&mut buf, p.next.map(PageId::index));
        index(&mut buf, Some(p.section.index()));
        let related = related.get(i).map_or(&[][..], Vec::as_slice);
        index(&mut buf, Some(related.len()));
        for &k in related {
            index(&mut buf, Some(k.index()));
        }
    }
    put(&mut buf, b"sections");
    for s in &model.sections {
        put(&mut buf, s.dir.as_bytes());
        put(&mut buf, s.lang.as_bytes());
        put(&mut buf, s.title.as_bytes());
        put(&mut buf, s.path.as_bytes());
        buf.push(u8::from(s.fallback));
        index(&mut buf, s.parent.map(SectionId::index));
    }
    blake3::hash(&buf)
}

/// For each item of `new`, whether it equals the item at its place in `old` (all false
/// when the two differ in length).
fn equal_at<T: PartialEq>(new: &[T], old: &[T]) -> Vec<bool> {
    if new.len() == old.len() {
        new.iter().zip(old).map(|(x, y)| x == y).collect()
    } else {
        vec![false; new.len()]
    }
}

/// What the views of other pages read of one page: a fingerprint of its title and path,
/// and whether it is a fallback copy. Made for every page in one pass ([`link_prints`]), so
/// that each page's [`context_print`] reads its neighbours from one array instead of from
/// each neighbour's page and strings, scattered in memory.
#[derive(Clone, Copy)]
struct LinkPrint {
    print: Print,
    fallback: bool,
}

/// The [`LinkPrint`] of every page, by page index.
fn link_prints(model: &SiteModel) -> Vec<LinkPrint> {
    (model.pages.par_iter())
        .map(|q| {
            // One buffer hashed: blake3 is slower fed many small pieces.
            let mut buf = Vec::with_capacity(8 + q.doc.title.len() + q.path.len());
            buf.extend_from_slice(&q.doc.title.len().to_le_bytes());
            buf.extend_from_slice(q.doc.title.as_bytes());
            buf.extend_from_slice(q.path.as_bytes());
            LinkPrint {
                print: blake3::hash(&buf),
                fallback: q.fallback,
            }
        })
        .collect()
}

/// The fingerprint of what page `i`'s view reads of other pages and of the sections: the
/// title and path of its neighbours (`prev`, `next`), of its original, of each of its
/// translations and of its related pages (from `links`, [`link_prints`]), the title and
/// path of every section from the home page down to its own, and its section's directory.
/// A page that is the same but for its place in the model
/// ([`crate::model::Page::same_but_places`]) and has the same context has the same view.
/// (A translation's view reads only its path; its title is in the print too, which makes
/// a page's view computed again, to the same value, after a translation's title changed.)
fn context_print(
    model: &SiteModel,
    related: &[Vec<PageId>],
    links: &[LinkPrint],
    i: PageId,
) -> Print {
    fn put(buf: &mut Vec<u8>, b: &[u8]) {
        buf.extend_from_slice(&b.len().to_le_bytes());
        buf.extend_from_slice(b);
    }
    let link = |buf: &mut Vec<u8>, page: Option<PageId>| match page {
        Some(k) => {
            buf.push(1);
            buf.extend_from_slice(links[k.index()].print.as_bytes());
        }
        None => buf.push(0),
    };
    let p = &model.pages[i];
    let mut buf = Vec::with_capacity(512);
    link(&mut buf, p.prev);
    link(&mut buf, p.next);
    link(&mut buf, model.original_id(i));
    for l in &model.config.languages {
        let translation =
            (model.pages.translation(i, &l.code)).filter(|k| !links[k.index()].fallback);
        link(&mut buf, translation);
    }
    put(
        &mut buf,
        model
            .sections
            .get(p.section.index())
            .map_or("", |s| s.dir.as_str())
            .as_bytes(),
    );
    for k in section_ids(model, Some(p.section)) {
        let s = &model.sections[k];
        put(&mut buf, s.title.as_bytes());
        put(&mut buf, s.path.as_bytes());
    }
    buf.push(2);
    for &k in related.get(i.index()).map_or(&[][..], Vec::as_slice) {
        link(&mut buf, Some(k));
    }
    blake3::hash(&buf)
}

/// The fingerprints of one page's value.
#[derive(Clone, Copy)]
struct PagePrints {
    /// Of its view ([`page_print`]).
    view: Print,
    /// Of its HTML ([`content_print`]).
    content: Print,
    /// Of what its view reads of other pages ([`context_print`]).
    context: Print,
}

/// The fingerprints of each page's value, in parallel.
fn page_prints(model: &SiteModel, related: &[Vec<PageId>]) -> Vec<PagePrints> {
    let links = link_prints(model);
    (0..model.pages.len())
        .into_par_iter()
        .map(PageId::new)
        .map(|i| {
            let content = content_print(&model.pages[i].html);
            PagePrints {
                view: page_print(&mut page_view(model, related, i), content),
                content,
                context: context_print(model, related, &links, i),
            }
        })
        .collect()
}

/// What the fingerprints of the generation served give the next one, when everything
/// every job reads besides pages, sections and taxonomies (the menus, the feed plan, the
/// configuration, the templates, the interface translations: [`Reuse::same_site`]) is the
/// same: a job that read
/// no other page through a function keeps its fingerprint when what it shows is the same.
/// A page's job when its page kept its view (`pages`). When the structure of the site is
/// the same too (see [`structure_print`]): a section's list when the section is equal and
/// so is its value's fingerprint (which holds its pages'); a taxonomy's index when the
/// taxonomy is equal; a term's list when the taxonomy is equal and the pages the list shows
/// kept their views; a 404 page always.
struct Reuse<'a> {
    /// The generation before (its fingerprints: [`Reuse::old`]).
    before: &'a Renderer,
    /// Whether the structure of the site is the same.
    same_structure: bool,
    /// By page index: whether the page kept its view.
    pages: &'a [bool],
    /// By section index: whether the section is equal to its predecessor.
    sections: &'a [bool],
    /// By taxonomy index: whether the taxonomy is equal to its predecessor.
    taxonomies: &'a [bool],
}

impl Reuse<'_> {
    /// The fingerprints of the generation before.
    fn old(&self) -> &Prints {
        self.before.prints()
    }

    /// Whether what every job reads of the site as a whole is the same in `next` (whose
    /// values' fingerprints are `prints`) as in the generation before: the configuration,
    /// the templates, the interface translations, the menus and the feeds of languages
    /// and sections. Otherwise no job keeps its fingerprint. (The feeds of terms, which
    /// only a term's own pages link to, are compared in [`Reuse::keeps`]: a new tag adds
    /// one.)
    fn same_site(&self, next: &Renderer, prints: &Prints) -> bool {
        let (feeds, before) = (&next.values.feeds, &self.before.values.feeds);
        self.old().configs == prints.configs
            && self.old().templates == prints.templates
            && next.language_prints == self.before.language_prints
            && next.model.menus == self.before.model.menus
            && feeds.language == before.language
            && feeds.section == before.section
    }

    /// Whether `job` keeps its fingerprint (given the conditions above), `prints` being
    /// those of the new generation's values.
    fn keeps(&self, next: &Renderer, prints: &Prints, job: &Job) -> bool {
        let model = &next.model;
        let kept = |v: &[bool], i: usize| v.get(i) == Some(&true);
        let all_kept = |shown: &[PageId]| shown.iter().all(|k| kept(self.pages, k.index()));
        match job {
            Job::Page(i) => kept(self.pages, i.index()),
            _ if !self.same_structure => false,
            Job::Section(i, _) => {
                kept(self.sections, i.index())
                    && self.old().sections.get(i.index()) == prints.sections.get(i.index())
            }
            Job::TaxonomyIndex(t) => kept(self.taxonomies, t.index()),
            Job::Term(id, n) => {
                let tax = &model.taxonomies[id.taxonomy];
                let term = model.term(*id);
                let per = taxonomy_paginate(&model.config, &tax.name);
                kept(self.taxonomies, id.taxonomy.index())
                    && next.values.feeds.term.get(id) == self.before.values.feeds.term.get(id)
                    && all_kept(Paginator::new(&term.path, &term.pages, *n, per).shown())
            }
            Job::NotFound(_) => true,
        }
    }
}

/// The fingerprints of the values (pages given) of a generation, and of its jobs (those of
/// the pages' jobs taken from `reuse` where they can be), with, by job (in the order of
/// [`Renderer::job_list`]), whether its fingerprint was made again (not taken).
fn make_prints(
    r: &Renderer,
    pages: Vec<PagePrints>,
    deps: &rustc_hash::FxHashMap<JobKey, Vec<Dep>>,
    structure: Print,
    reuse: Option<Reuse<'_>>,
) -> (Prints, Vec<bool>) {
    let contents = pages.iter().map(|p| p.content).collect();
    let contexts = pages.iter().map(|p| p.context).collect();
    let pages: Vec<Print> = pages.iter().map(|p| p.view).collect();
    let model = &r.model;
    let config = &model.config;
    let section_views: Vec<Print> = (model.section_ids())
        .map(|i| print(&section_view(model, i)))
        .collect();
    let sections = (model.section_ids())
        .map(|i| {
            let mut h = blake3::Hasher::new();
            h.update(section_views[i.index()].as_bytes());
            for &k in &model.sections[i].pages {
                h.update(pages[k.index()].as_bytes());
            }
            h.finalize()
        })
        .collect();
    let taxonomies = (model.taxonomies.iter())
        .map(|t| print(&taxonomy_view(config, t)))
        .collect();
    let taxonomy_heads = (model.taxonomies.iter())
        .map(|t| {
            let head = TaxonomyView {
                terms: Vec::new(),
                ..taxonomy_view(config, t)
            };
            print(&head)
        })
        .collect();
    let configs = (config.languages.iter())
        .map(|l| (l.code.clone(), print(&config_view(config, l))))
        .collect();
    // Each language's bytes gathered, then hashed at once (hashing many small pieces is
    // slower than one long one).
    let mut languages: HashMap<&str, Vec<u8>> = HashMap::new();
    for (i, p) in model.pages.iter().enumerate() {
        let b = languages.entry(p.lang.code()).or_default();
        b.extend_from_slice(p.key.as_bytes());
        b.push(0);
        b.extend_from_slice(pages[i].as_bytes());
    }
    let mut prints = Prints {
        structure,
        pages,
        contents,
        contexts,
        sections,
        section_views,
        taxonomies,
        taxonomy_heads,
        configs,
        // The same templates (most updates): the same fingerprints.
        templates: match &reuse {
            Some(u) if r.templates.sources().eq(u.before.templates.sources()) => {
                u.old().templates.clone()
            }
            _ => template_prints(&r.templates),
        },
        jobs: JobPrints {
            list: r.job_list().clone(),
            prints: Vec::new(),
        },
        // Made by the caller: an update makes the files anyway (see [`Renderer::next`]).
        plain: HashMap::new(),
        feeds: HashMap::new(),
        entries: Vec::new(),
        languages: (languages.into_iter())
            .map(|(l, b)| (l.to_string(), blake3::hash(&b)))
            .collect(),
    };
    let same_site = reuse.as_ref().is_some_and(|u| u.same_site(r, &prints));
    let list = r.job_list();
    let kept: Vec<Option<JobPrint>> = (list.jobs.par_iter().zip(&list.keys))
        .enumerate()
        .map(|(n, (job, key))| {
            let deps = deps.get(key);
            let kept = match &reuse {
                Some(u)
                    if same_site
                        && deps.is_none_or(|d| d.is_empty())
                        && u.keeps(r, &prints, job) =>
                {
                    u.old().jobs.at(list, n).cloned()
                }
                _ => None,
            }?;
            debug_assert_eq!(
                kept,
                job_print(r, &prints, job, deps, None).0,
                "the fingerprint kept for {key:?} is not the one its inputs give"
            );
            Some(kept)
        })
        .collect();
    // The jobs made again: the first page of each list (and every job that is not a page
    // of a list) first, keeping the values it hashed; then the other pages of the lists,
    // which share those values and hash only their paginator (a tag of 3,000 pages is
    // 300 jobs, one list).
    let pending = |later: bool| {
        (list.jobs.par_iter().zip(&list.keys).zip(&kept)).map(
            move |((job, key), kept)| match kept {
                Some(_) => None,
                None if later != list_of(job).is_some_and(|(_, n)| n > 0) => None,
                None => Some((job, key)),
            },
        )
    };
    let firsts: Vec<Option<(JobPrint, Shared)>> = pending(false)
        .map(|job| job.map(|(job, key)| job_print(r, &prints, job, deps.get(key), None)))
        .collect();
    let shared: rustc_hash::FxHashMap<List, &Shared> = (list.jobs.iter().zip(&firsts))
        .filter_map(|(job, made)| Some((list_of(job)?.0, &made.as_ref()?.1)))
        .collect();
    let laters: Vec<Option<JobPrint>> = pending(true)
        .map(|todo| {
            let (job, key) = todo?;
            let values = list_of(job).and_then(|(l, _)| shared.get(&l).copied());
            Some(job_print(r, &prints, job, deps.get(key), values.map(Vec::as_slice)).0)
        })
        .collect();
    let made: Vec<(JobPrint, bool)> = (kept.into_iter().zip(firsts).zip(laters))
        .map(|((kept, first), later)| match (kept, first, later) {
            (Some(kept), _, _) => (kept, false),
            (None, Some((made, _)), _) | (None, None, Some(made)) => (made, true),
            // Every job is kept, first or later.
            (None, None, None) => unreachable!("a job neither kept nor made"),
        })
        .collect();
    let (made, made_again) = made.into_iter().unzip();
    prints.jobs.prints = made;
    (prints, made_again)
}

/// The fingerprint of a job, with the file it writes.
type JobPrint = (Print, Arc<str>);

/// A paginated list: the jobs of its pages put the same values in their contexts but for
/// the paginator.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum List {
    Section(SectionId),
    Term(crate::model::TermId),
}

/// The list `job` renders a page of, and which page (from 0).
fn list_of(job: &Job) -> Option<(List, usize)> {
    match *job {
        Job::Section(i, n) => Some((List::Section(i), n)),
        Job::Term(id, n) => Some((List::Term(id), n)),
        _ => None,
    }
}

/// The fingerprints of the values one job of a list hashed with [`Inputs::list_value`], by
/// name: the same for every page of the list.
type Shared = Vec<(&'static str, Print)>;

/// The fingerprint of `job` (see the module header), and the file it writes.
fn job_print(
    r: &Renderer,
    prints: &Prints,
    job: &Job,
    deps: Option<&Vec<Dep>>,
    shared: Option<&[(&'static str, Print)]>,
) -> (JobPrint, Shared) {
    let model = &r.model;
    let mut h = Hashing {
        prints,
        h: blake3::Hasher::new(),
        section: None,
        taxonomy: None,
        shared,
        // Kept for the first page of a list, whose values the others share.
        values: list_of(job).is_some_and(|(_, n)| n == 0).then(Vec::new),
    };
    let meta = job_inputs(r.prepared(), job, &mut h);
    let Hashing {
        mut h,
        section,
        taxonomy,
        values,
        ..
    } = h;
    for part in [&meta.lang, &meta.template, &meta.rel, &meta.path] {
        h.update(part.as_bytes());
        h.update(&[0]);
    }
    h.update(meta.source.as_deref().unwrap_or("\u{0}none").as_bytes());
    let none = blake3::hash(b"");
    let template = prints.templates.get(&meta.template);
    h.update(template.map_or(&none, |t| &t.print).as_bytes());
    if let Some(i) = section {
        // The section's pages count only for templates that may read them.
        let value = if template.is_none_or(|t| t.reads_section_pages) {
            &prints.sections
        } else {
            &prints.section_views
        };
        h.update(value[i.index()].as_bytes());
    }
    if let Some(tax) = taxonomy {
        // The taxonomy's terms count only for templates that may read them.
        let value = if template.is_none_or(|t| t.reads_taxonomy_terms) {
            &prints.taxonomies
        } else {
            &prints.taxonomy_heads
        };
        h.update(value[tax.index()].as_bytes());
    }
    h.update(
        r.language_prints
            .get(&meta.lang)
            .unwrap_or(&none)
            .as_bytes(),
    );
    for dep in deps.into_iter().flatten() {
        let found = match dep {
            Dep::Page(key, lang) => model
                .page_at(lang, key)
                .filter(|&i| !model.pages[i].fallback)
                .map(|i| prints.pages[i.index()]),
            Dep::Section(dir, lang) => (model.config.lang(lang))
                .and_then(|lang| model.section_index.get(&(dir.clone(), lang)))
                .map(|&i| prints.sections[i.index()]),
        };
        h.update(format!("{dep:?}").as_bytes());
        h.update(found.unwrap_or(none).as_bytes());
    }
    ((h.finalize(), meta.rel.into()), values.unwrap_or_default())
}

/// Inputs hashed into a job's fingerprint.
struct Hashing<'a> {
    prints: &'a Prints,
    h: blake3::Hasher,
    /// The section whose value the job was given.
    section: Option<SectionId>,
    /// The taxonomy whose value the job was given.
    taxonomy: Option<TaxonomyId>,
    /// The fingerprints of the values, by name, of another page of the job's list (the
    /// same for each of its pages: see `make_prints`).
    shared: Option<&'a [(&'static str, Print)]>,
    /// The fingerprints of the values hashed that every page of a list shares
    /// ([`Inputs::list_value`]), by name, when the job renders the first page of a list.
    values: Option<Shared>,
}

impl Hashing<'_> {
    fn name(&mut self, name: &str) {
        self.h.update(name.as_bytes());
        self.h.update(&[0]);
    }
}

impl Inputs for Hashing<'_> {
    fn value<T: Serialize + ?Sized>(&mut self, name: &'static str, v: &T) {
        self.name(name);
        self.h.update(print(v).as_bytes());
    }
    fn list_value<T: Serialize + ?Sized>(&mut self, name: &'static str, v: &T) {
        self.name(name);
        let known =
            (self.shared.into_iter().flatten()).find_map(|(n, p)| (*n == name).then_some(*p));
        debug_assert!(
            known.is_none_or(|p| p == print(v)),
            "the value `{name}` differs between two pages of one list"
        );
        let p = known.unwrap_or_else(|| print(v));
        self.h.update(p.as_bytes());
        if let Some(values) = &mut self.values {
            values.push((name, p));
        }
    }
    fn page(&mut self, name: &'static str, i: PageId) {
        self.name(name);
        self.h.update(self.prints.pages[i.index()].as_bytes());
    }
    fn section(&mut self, name: &'static str, i: SectionId) {
        // Hashed once the template is known (see `job_print`).
        self.name(name);
        self.section = Some(i);
    }
    fn taxonomy(&mut self, name: &'static str, t: TaxonomyId) {
        // Hashed once the template is known (see `job_print`).
        self.name(name);
        self.taxonomy = Some(t);
    }
    fn config(&mut self, lang: &str) {
        self.name("config");
        if let Some(c) = self.prints.configs.get(lang) {
            self.h.update(c.as_bytes());
        }
    }
    fn paginator(&mut self, name: &'static str, pager: &Paginator) {
        self.name(name);
        let (total, per) = pager.sizes();
        let shape = format!(
            "{}|{}|{:?}|{:?}|{total}|{per}|{}",
            pager.path(),
            pager.number_pagers(),
            pager.previous(),
            pager.next(),
            pager.page_path(pager.number_pagers() - 1),
        );
        self.h.update(shape.as_bytes());
        for &k in pager.shown() {
            self.h.update(self.prints.pages[k.index()].as_bytes());
        }
    }
}

/// The files an incremental update rendered, not written yet: one generation's difference
/// to the previous one.
pub struct Pending {
    files: Vec<(String, Vec<u8>)>,
    /// Files to copy: (source, output path).
    copies: Vec<(PathBuf, String)>,
    /// Files of the previous generation that this one does not have.
    remove: Vec<String>,
}

impl Pending {
    /// The output paths this update writes, copies or removes, sorted.
    pub fn paths(&self) -> Vec<String> {
        let mut all: Vec<String> = (self.files.iter().map(|(rel, _)| rel.clone()))
            .chain(self.copies.iter().map(|(_, rel)| rel.clone()))
            .chain(self.remove.iter().cloned())
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// Makes the removals, then writes the files and copies (a file may take the place of
    /// a directory the removals emptied, `events` of `events/index.html`, or the other way
    /// round); returns how many files were written or copied.
    pub fn write(self, sink: &dyn Sink) -> Result<usize, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        for rel in &self.remove {
            if let Err(e) = sink.remove(rel) {
                diags.push(Diagnostic::error(format!("cannot remove {rel}: {e}")));
            }
        }
        diags.extend(write_files(sink, &self.files));
        for (abs, rel) in &self.copies {
            if let Err(e) = sink.copy(abs, rel) {
                diags.push(Diagnostic::error(format!(
                    "cannot copy {} to {rel}: {e}",
                    abs.display()
                )));
            }
        }
        if diags.is_empty() {
            Ok(self.files.len() + self.copies.len())
        } else {
            Err(diags)
        }
    }
}

impl Renderer {
    /// The fingerprints of this generation (made once).
    fn prints(&self) -> &Prints {
        self.prints.get_or_init(|| {
            let pages = page_prints(&self.model, &self.values.related.pages);
            let structure = structure_print(&self.model, &self.values.related.pages);
            let (mut prints, _) = make_prints(self, pages, &self.deps, structure, None);
            prints.entries = entry_prints(&self.model, &prints.contents);
            let (plain, feeds) = plain_files_and_feed_prints(
                self.prepared(),
                &prints.entries,
                &mut |_, _| false,
                false,
                None,
            );
            prints.feeds = feeds;
            prints.plain = (plain.into_par_iter())
                .map(|(rel, bytes)| (rel, blake3::hash(&bytes)))
                .collect();
            prints
        })
    }

    /// Makes the fingerprints of this generation now, so that the first update after a full
    /// build does not wait for them (`qiao serve` calls it while it waits for a change).
    pub fn warm(&self) {
        let _ = self.prints();
    }

    /// Sets the fingerprint of the interface translations of each language: a job of a
    /// language whose fingerprint changes between generations is rendered again.
    pub fn set_language_prints(&mut self, prints: HashMap<String, blake3::Hash>) {
        self.language_prints = prints;
    }

    /// The fingerprints set by [`Renderer::set_language_prints`].
    pub fn language_prints(&self) -> &HashMap<String, blake3::Hash> {
        &self.language_prints
    }

    /// The output files of this generation (whose fingerprints are `old`) that `next`
    /// (whose fingerprints are `prints`) does not write, sorted; `Err` when two of its files
    /// claim one output path (the full build that follows names them). Paths only, borrowed
    /// and sorted: this runs over every file of the site.
    fn outputs_removed(
        &self,
        old: &Prints,
        next: &Renderer,
        prints: &Prints,
    ) -> Result<Vec<String>, String> {
        let mut now: Vec<&str> = (prints.jobs.files())
            .chain(prints.plain.keys().map(String::as_str))
            .chain(next.search_files.values().flatten().map(String::as_str))
            .chain(next.copies.keys().map(String::as_str))
            .collect();
        now.sort_unstable();
        if now.windows(2).any(|w| w[0] == w[1]) {
            return Err("two files would be written to one output path".into());
        }
        let before = (old.jobs.files())
            .chain(old.plain.keys().map(String::as_str))
            .chain(self.search_files.values().flatten().map(String::as_str))
            .chain(self.copies.keys().map(String::as_str));
        let mut remove: Vec<String> = before
            .filter(|rel| now.binary_search(rel).is_err())
            .map(str::to_string)
            .collect();
        remove.sort();
        remove.dedup();
        Ok(remove)
    }

    /// The next generation of the site, from `model` (made by the build's pipeline from the
    /// sources as they are now), `templates` and `intl`, with the fingerprints of the
    /// interface translations of each language; `changed` are the files that changed
    /// since this generation (for static copies). Returns the new renderer and the files to
    /// write and remove; `Err` says why a full build is needed instead (a template or a file
    /// failed, two files claim one output path, a function read could not be recorded).
    ///
    /// `edited`, when the model is this generation's with only those pages made again in
    /// their places, front matter unchanged ([`crate::model::Derivation::edited_pages`]):
    /// the related lists and the structure are then this generation's, and every other
    /// page keeps its value and fingerprints without being compared (builds with debug
    /// assertions check all three).
    #[allow(clippy::too_many_arguments)]
    pub fn next(
        &self,
        model: SiteModel,
        templates: TemplateSet,
        intl: &Intl,
        language_prints: HashMap<String, blake3::Hash>,
        changed: &[PathBuf],
        edited: Option<&[PageId]>,
        trace: &crate::trace::Trace,
    ) -> Result<(Renderer, Pending), String> {
        if self.untracked {
            return Err("a template read a page where its file was not known".into());
        }
        let old = self.prints();
        trace.stage("update: fingerprints of the served generation");
        let edited: Option<Vec<bool>> = edited
            .filter(|_| model.pages.len() == self.model.pages.len())
            .map(|ids| {
                let mut mask = vec![false; model.pages.len()];
                for i in ids {
                    mask[i.index()] = true;
                }
                mask
            });
        // The values of the new model, each page's kept (shared) when its view is the same.
        let related = match &edited {
            Some(_) => self.values.related.kept(&model),
            None => Related::of(&model, Some((&self.values.related, &self.model))),
        };
        trace.stage(&format!(
            "update: related pages ({} of {} computed)",
            related.computed,
            related.pages.len()
        ));
        // A page equal to its predecessor, in a site whose structure (what views read of
        // other pages) is the same, has the same view: its value and fingerprints are kept
        // without making the view (see `structure_print`).
        let structure = match &edited {
            Some(_) => {
                debug_assert_eq!(old.structure, structure_print(&model, &related.pages));
                old.structure
            }
            None => structure_print(&model, &related.pages),
        };
        let same_structure =
            old.structure == structure && model.pages.len() == self.model.pages.len();
        // A page that is the same but for its place, with the same context (see
        // `context_print`), has the same view: its value and fingerprints are kept. When
        // the structure is the same, every page's context is.
        // Where each page was in the generation served, when the structure changed (both
        // lists walked once).
        let positions = if same_structure {
            Vec::new()
        } else {
            model.pages.positions_in(&self.model.pages)
        };
        let links = if same_structure {
            Vec::new()
        } else {
            link_prints(&model)
        };
        let made: Vec<(tera::Value, PagePrints, Option<PageId>)> = (0..model.pages.len())
            .into_par_iter()
            .map(PageId::new)
            .map(|i| {
                let page = &model.pages[i];
                // A page the derivation did not make again (after a body edit, when the
                // structure is the same) is the page served, in its place: it is not compared.
                let untouched = edited.as_ref().is_some_and(|mask| !mask[i.index()]);
                debug_assert!(!untouched || self.model.pages[i].same_but_places(page));
                let before = if same_structure {
                    Some(i)
                } else {
                    positions[i.index()]
                };
                let context = match before {
                    Some(j) if same_structure => old.contexts[j.index()],
                    _ => context_print(&model, &related.pages, &links, i),
                };
                if let Some(j) = before
                    && old.contexts[j.index()] == context
                    && (untouched || self.model.pages[j].same_but_places(page))
                {
                    let kept = PagePrints {
                        view: old.pages[j.index()],
                        content: old.contents[j.index()],
                        context,
                    };
                    debug_assert_eq!(
                        kept.view,
                        page_print(&mut page_view(&model, &related.pages, i), kept.content),
                        "the view of {} {} changed, but neither its page nor its context did",
                        page.lang,
                        page.key
                    );
                    return (self.values.page_values[j.index()].clone(), kept, Some(j));
                }
                let content = match before {
                    Some(j) if self.model.pages[j].html.shares(&page.html) => {
                        old.contents[j.index()]
                    }
                    _ => content_print(&page.html),
                };
                let mut view = page_view(&model, &related.pages, i);
                let view_print = page_print(&mut view, content);
                let prints = PagePrints {
                    view: view_print,
                    content,
                    context,
                };
                match before.filter(|&j| old.pages[j.index()] == view_print) {
                    Some(j) => (self.values.page_values[j.index()].clone(), prints, None),
                    None => (val(&view), prints, None),
                }
            })
            .collect();
        let mut page_values = Vec::with_capacity(made.len());
        let mut pages = Vec::with_capacity(made.len());
        // Whether each page kept its value, and from which page of the generation before.
        let mut kept = Vec::with_capacity(made.len());
        let mut kept_from = Vec::with_capacity(made.len());
        for (value, prints, from) in made {
            page_values.push(value);
            pages.push(prints);
            kept.push(from.is_some());
            kept_from.push(from);
        }
        trace.stage(&format!(
            "update: page values ({} of {} kept)",
            kept.iter().filter(|&&k| k).count(),
            kept.len()
        ));
        let config = &model.config;
        let values = Values {
            section_values: (model.section_ids())
                .map(|i| section_value(&model, i, &page_values))
                .collect(),
            page_values,
            taxonomy_values: (model.taxonomies.iter())
                .map(|t| val(&taxonomy_view(config, t)))
                .collect(),
            config_values: (config.languages.iter())
                .map(|l| (l.code.clone(), val(&config_view(config, l))))
                .collect(),
            feeds: plan_feeds(&model),
            related,
        };
        trace.stage("update: other values");
        // After a body edit, pages and sections are where they were, with their paths.
        let lookup = match &edited {
            Some(_) => Lookup::with_index(&model, &values, self.lookup_index.clone()),
            None => Lookup::new(&model, &values),
        };
        let mut next = Renderer::with_lookup(model, templates, intl, values, lookup)
            .map_err(|_| "a template has errors".to_string())?;
        next.language_prints = language_prints;
        // After a body edit, the jobs are the same: their list and what they read are kept.
        if edited.is_some() {
            let list = self.job_list().clone();
            debug_assert!(list.keys == JobList::of(&next.model).keys);
            let _ = next.job_list.set(list);
            next.deps = self.deps.clone();
        } else {
            next.deps = (next.job_list().keys.iter())
                .filter_map(|k| self.deps.get(k).map(|d| (k.clone(), d.clone())))
                .collect();
        }
        let list = next.job_list().clone();
        trace.stage("update: values of the new model");
        // The fingerprints of jobs are kept too when nothing else they read changed (see
        // `Reuse`).
        let (sections, taxonomies) = if same_structure {
            (
                equal_at(&next.model.sections, &self.model.sections),
                equal_at(&next.model.taxonomies, &self.model.taxonomies),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        let reuse = Reuse {
            before: self,
            same_structure,
            pages: &kept,
            sections: &sections,
            taxonomies: &taxonomies,
        };
        let (mut prints, made_again) =
            make_prints(&next, pages, &next.deps, structure, Some(reuse));
        trace.stage("update: fingerprints");

        // Render what is new or changed.
        // (A fingerprint taken from the generation before is the one it had.)
        let render: Vec<usize> = (0..list.jobs.len())
            .filter(|&n| made_again[n] && old.jobs.at(&list, n) != prints.jobs.prints.get(n))
            .collect();
        let render_jobs: Vec<Job> = render.iter().map(|&n| list.jobs[n].clone()).collect();
        let mut files: Files = Vec::new();
        let mut failures = Vec::new();
        let rendered = next.render_jobs(&render_jobs, Ok);
        for (job, r, deps) in rendered {
            match r {
                Ok((rel, html, _)) => files.push((rel, html.into_bytes())),
                Err(f) => failures.push(f),
            }
            next.remember(&job, deps);
        }
        if !failures.is_empty() {
            return Err("a template failed".into());
        }
        if next.reads.untracked() {
            return Err("a template read a page where its file was not known".into());
        }
        // Their fingerprints with what they read now.
        for n in render {
            let (p, _) = job_print(
                &next,
                &prints,
                &list.jobs[n],
                next.deps.get(&list.keys[n]),
                None,
            );
            prints.jobs.prints[n] = p;
        }
        trace.stage(&format!("update: {} files rendered", render_jobs.len()));

        // Files that need no template: written when their bytes changed. With the same
        // configuration, a feed whose inputs have the same fingerprint
        // ([`PlannedFeed::inputs`]: its title and list, and what it reads of its pages)
        // is the same, whatever else changed; so are the sitemaps, in a site of the same
        // structure, when the taxonomies are equal and no page changed its dates. Those are
        // not made again, and keep their fingerprints.
        let same_config = old.configs == prints.configs;
        let sitemaps = same_config
            && same_structure
            && taxonomies.iter().all(|&same| same)
            && (next.model.pages.iter().zip(&self.model.pages))
                .zip(&kept)
                .all(|((new, old), &kept)| {
                    kept || (new.doc.date == old.doc.date && new.doc.updated == old.doc.updated)
                });
        // What feeds read of each page: made again for the pages that did not keep their
        // value (after a body edit, the edited pages); a page that kept it is equal to its
        // predecessor in all a feed reads of it (`Page::same_but_places`).
        prints.entries = (kept_from.par_iter().enumerate())
            .map(|(i, from)| match from {
                Some(j) => old.entries[j.index()],
                None => feeds::entry_print(&next.model.pages[PageId::new(i)], &prints.contents[i]),
            })
            .collect();
        debug_assert_eq!(prints.entries, entry_prints(&next.model, &prints.contents));
        let mut unchanged: Vec<String> = Vec::new();
        let (plain, feeds) = plain_files_and_feed_prints(
            next.prepared(),
            &prints.entries,
            &mut |rel, print| {
                let same =
                    same_config && old.feeds.get(rel) == Some(print) && old.plain.contains_key(rel);
                if same {
                    unchanged.push(rel.to_string());
                }
                same
            },
            sitemaps,
            edited.as_deref().map(|mask| (&old.feeds, mask)),
        );
        prints.feeds = feeds;
        let feeds_kept = unchanged.len();
        if sitemaps {
            unchanged.extend(old.plain.keys().filter(|rel| xml::is_sitemap(rel)).cloned());
        }
        let mut plain_prints = HashMap::new();
        for rel in unchanged {
            if let Some(&p) = old.plain.get(&rel) {
                plain_prints.insert(rel, p);
            }
        }
        #[cfg(debug_assertions)]
        for (rel, bytes) in plain_files(next.prepared(), None) {
            if let Some(kept) = plain_prints.get(&rel) {
                assert_eq!(
                    *kept,
                    blake3::hash(&bytes),
                    "{rel} was left as it was, but it changed"
                );
            }
        }
        for (rel, bytes) in plain {
            let p = blake3::hash(&bytes);
            if old.plain.get(&rel) != Some(&p) {
                files.push((rel.clone(), bytes));
            }
            plain_prints.insert(rel, p);
        }
        prints.plain = plain_prints;
        trace.stage(&format!(
            "update: feeds ({feeds_kept} of {} kept), sitemaps, redirects",
            prints.feeds.len()
        ));

        // The search index of each language whose pages changed.
        let codes: Vec<&str> = (next.model.config.languages.iter())
            .map(|l| l.code.as_str())
            .filter(|c| old.languages.get(*c) != prints.languages.get(*c))
            .collect();
        let (search, search_files) = search_index(&next.model, codes);
        files.extend(search);
        next.search_files = self.search_files.clone();
        next.search_files.extend(search_files);
        trace.stage("update: search index");

        // Static copies.
        let copies = plan_copies(&next.model, &next.templates);
        let to_copy: Vec<(PathBuf, String)> = (copies.iter())
            .filter(|(rel, abs)| {
                self.copies.get(*rel) != Some(*abs) || changed.iter().any(|c| c == *abs)
            })
            .map(|(rel, abs)| (abs.clone(), rel.clone()))
            .collect();
        next.copies = copies;

        // Every output of the new generation: two claims to one file fail it (the full build
        // that follows names them); files of the old one that it does not have are removed.
        // After a body edit, when the files besides the jobs' are the ones of the generation
        // before, so are all (the jobs are the same): nothing is removed, nothing clashes.
        let same_files = edited.is_some()
            && next.copies == self.copies
            && next.search_files == self.search_files
            && prints.plain.len() == old.plain.len()
            && prints.plain.keys().all(|rel| old.plain.contains_key(rel));
        let remove = if same_files {
            debug_assert_eq!(self.outputs_removed(old, &next, &prints), Ok(Vec::new()));
            Vec::new()
        } else {
            self.outputs_removed(old, &next, &prints)?
        };
        next.untracked = false;
        let _ = next.prints.set(prints);
        Ok((
            next,
            Pending {
                files,
                copies: to_copy,
                remove,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_hashes_as_its_json_whatever_the_size_of_the_writes() {
        // Small writes, a write that overflows the buffer, a write larger than it.
        for len in [0, 10, 4090, 4096, 5000, 20_000] {
            let v = ("a".repeat(len), vec![1, 2, 3], "x".repeat(len / 3));
            let json = serde_json::to_vec(&v).expect("JSON");
            assert_eq!(print(&v), blake3::hash(&json), "{len}");
        }
    }

    #[test]
    fn a_template_may_read_the_pages_of_its_section_when_its_code_names_them() {
        let reads = |t: &str| TemplateFacts::of(t).reads_section_pages;
        // The built-in lists show `paginator.pages` and read fields of `section`.
        assert!(!reads(include_str!(
            "../theme/builtin/templates/section.html"
        )));
        assert!(!reads(include_str!(
            "../theme/builtin/templates/index.html"
        )));
        assert!(!reads(include_str!("../theme/builtin/templates/base.html")));
        assert!(!reads(
            "<section>{% for p in paginator.pages %}{{ p.title }}{% endfor %}</section>"
        ));
        assert!(!reads(
            "{{ t(key=\"pages-count\", count=section.page_count) }}"
        ));
        assert!(!reads(
            "{# section.pages #}{{ section.title }}{{ subsections }}"
        ));
        assert!(!reads(
            "{% if section.subsections %}{{ get_section_x }}{% endif %}"
        ));
        // Named, or the section given away whole, or the context dumped.
        assert!(reads(include_str!(
            "../../themes/zone/templates/section.html"
        )));
        assert!(reads("{% for p in section.pages %}{% endfor %}"));
        assert!(reads("{{ section . pages | length }}"));
        assert!(reads("{% set s = section %}{{ s.title }}"));
        assert!(reads("{{ section | json_encode }}"));
        assert!(reads("{{ section[\"pa\" ~ \"ges\"] }}"));
        // Tested for being defined: not read.
        assert!(!reads(
            "{% if section is defined %}{{ section.title }}{% endif %}"
        ));
        assert!(!reads("{% if section is not defined %}x{% endif %}"));
        assert!(reads("{% if section is iterable %}x{% endif %}"));
        assert!(reads("{% for k, v in section %}{% endfor %}"));
        assert!(reads("{{ m::list(s=section) }}"));
        assert!(reads("{{ __tera_context }}"));
        assert!(reads("{{ section?.title }}"));
        assert!(!reads("{% for item in language.legal.pages %}{% endfor %}"));
        // A string that holds a closing delimiter does not end the tag.
        assert!(reads("{{ \"}}\" ~ section.pages }}"));
    }

    #[test]
    fn a_template_may_read_the_terms_of_its_taxonomy_when_its_code_names_them() {
        let reads = |t: &str| TemplateFacts::of(t).reads_taxonomy_terms;
        // A term's list in both themes reads fields of `taxonomy`, and the zone theme's
        // language switcher tests whether it is defined.
        let builtin = include_str!("../theme/builtin/templates/taxonomy_single.html");
        let zone = include_str!("../../themes/zone/templates/taxonomy_single.html");
        let switcher = include_str!("../../themes/zone/templates/partials/languages.html");
        assert!(switcher.contains("taxonomy is defined"));
        for t in [builtin, zone, switcher] {
            assert!(!reads(t), "{t}");
        }
        // The index of a taxonomy lists its terms.
        assert!(reads(include_str!(
            "../theme/builtin/templates/taxonomy_list.html"
        )));
        assert!(reads(
            "{% for t in taxonomy.terms %}{{ t.name }}{% endfor %}"
        ));
        assert!(reads("{{ taxonomy | json_encode }}"));
        assert!(reads("{{ taxonomy[\"terms\"] }}"));
        assert!(!reads(
            "{{ taxonomy.name }} {{ term.name }} {{ section.pages }}"
        ));
        assert!(!reads("{{ t(key=\"x\", taxonomy=taxonomy.name) }}"));
        assert!(reads("{% if taxonomy == other %}x{% endif %}"));
        // An escaped quote does not end a string literal.
        assert!(reads(
            "{{ 'it\\'s' }}{% for t in taxonomy.terms %}{{ t.name }}{% endfor %}"
        ));
        let quoted = "{{ \"a \\\" b\" }}{% for p in section.pages %}{% endfor %}";
        assert!(TemplateFacts::of(quoted).reads_section_pages);
    }

    #[test]
    fn component_calls_and_definitions_are_recognised() {
        let may_call_component = |t: &str| TemplateFacts::of(t).calls_component;
        let defines_component = |t: &str| TemplateFacts::of(t).defines_component;
        assert!(may_call_component("{{<cloud />}}"));
        assert!(may_call_component("{{ <cloud title=\"x\" /> }}"));
        assert!(may_call_component(
            "{% <outer title=\"x\"> %}y{% </outer> %}"
        ));
        assert!(!may_call_component("{{ a }} <p>{{ b }}</p> {{ \"<x\" }}"));
        assert!(defines_component(
            "{% component cloud(@taxonomy) %}x{% endcomponent cloud %}"
        ));
        assert!(defines_component(
            "{%- component cloud() -%}x{% endcomponent %}"
        ));
        assert!(!defines_component("{% include \"component.html\" %}"));
    }

    /// A new article changes the inputs of the feeds that list it, and of no other: an
    /// update makes only those again, even though every page index after it moved.
    #[test]
    fn a_new_article_changes_the_inputs_of_the_feeds_that_list_it_only() {
        use super::super::testing::site;
        let files = |extra: Option<(&'static str, &'static str)>| {
            let mut f = vec![
                ("news/_index.md", "---\ntitle: 新闻\n---\n"),
                (
                    "news/b.md",
                    "---\ntitle: 乙\ndate: 2020-02-01\ntags: [甲]\n---\n乙。\n",
                ),
                (
                    "news/c.md",
                    "---\ntitle: 丙\ndate: 2020-03-01\ntags: [乙]\n---\n丙。\n",
                ),
                ("docs/_index.md", "---\ntitle: 文档\n---\n"),
                (
                    "docs/d.md",
                    "---\ntitle: 丁\ndate: 2020-04-01\ntags: [丙]\n---\n丁。\n",
                ),
            ];
            f.extend(extra);
            f
        };
        let feeds = |m: &SiteModel| {
            let values = Values::compute(m);
            let p = Prepared {
                model: m,
                v: &values,
            };
            let contents: Vec<Print> = (page_prints(m, &values.related.pages).iter())
                .map(|p| p.content)
                .collect();
            let entries = entry_prints(m, &contents);
            plain_files_and_feed_prints(p, &entries, &mut |_, _| true, true, None).1
        };
        let before = feeds(&site(&files(None)));
        // `a` sorts first: every page index moves.
        let after = feeds(&site(&files(Some((
            "news/a.md",
            "---\ntitle: 甲\ndate: 2020-05-01\ntags: [甲]\n---\n甲。\n",
        )))));
        let changed: BTreeSet<&str> = (after.iter())
            .filter(|(rel, p)| before.get(*rel) != Some(p))
            .map(|(rel, _)| rel.as_str())
            .collect();
        assert_eq!(
            changed,
            BTreeSet::from(["atom.xml", "news/atom.xml", "tags/甲/atom.xml"]),
            "{after:?}"
        );
        assert!(after.contains_key("docs/atom.xml") && after.contains_key("tags/乙/atom.xml"));
    }

    #[test]
    fn the_templates_a_template_uses_are_read_from_its_tags() {
        let text = "{% extends \"base.html\" %}{% block x %}{%- include 'partials/a.html' -%}\
                    {{ include }}{% if include %}{% endif %}{% endblock x %}";
        assert_eq!(
            uses(text),
            Some(vec!["base.html".to_string(), "partials/a.html".to_string()])
        );
        assert_eq!(uses("{{ page.title }}"), Some(vec![]));
        // A name that is not written out: any template may be used.
        assert_eq!(uses("{% include name %}"), None);
    }
}
