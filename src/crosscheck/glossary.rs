//! The terminology glossary, `i18n/glossary.toml`: for a source term, the rendering each
//! language requires and the variants it forbids.
//!
//! ```toml
//! [[term]]
//! source = "核心区"                 # as written in default-language sources
//! en = "core zone"                 # a string or a list of accepted renderings
//! de = "Kernzone"
//! forbidden = { de = ["Kerngebiet"], en = ["core area"] }   # optional
//! note = "一区 / 核心区 of 一中心+一区+N基地"                  # optional, shown in findings
//! case_sensitive = true            # optional; folded matching by default
//! ```
//!
//! Terms are compared as token runs, with the search index's rules
//! ([`crate::tokenize`]): each CJK character is a token, every other run of letters
//! and digits a word, folded (`München` = `munchen`) and stemmed with the language's
//! stemmer until it no longer changes, so that `Kernzone`, `Kernzonen` and `core zones`
//! meet their rendering. A rendering of several words must appear as a contiguous run. In
//! German, the last word of a required rendering may also begin a compound
//! (`Kernzonenverwaltung` uses `Kernzone`); a forbidden variant must match whole words.

use std::collections::HashMap;
use std::path::Path;

use toml::de::{DeTable, DeValue};

use crate::config::Config;
use crate::diagnostics::{Diagnostic, LineIndex};
use crate::tokenize::{Analyzer, fold, is_cjk};

/// Where the glossary lives, relative to the site root.
pub const FILE: &str = "i18n/glossary.toml";

/// One term of the glossary, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The term in the default language.
    pub source: String,
    /// Accepted renderings per language code, in file order.
    pub required: Vec<(String, Vec<String>)>,
    /// Forbidden variants per language code.
    pub forbidden: Vec<(String, Vec<String>)>,
    /// Shown with each finding about this term.
    pub note: Option<String>,
    /// Compare as written instead of folded.
    pub case_sensitive: bool,
    /// 1-based line of `source` in the glossary file.
    pub line: usize,
}

/// The whole glossary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Glossary {
    /// Its terms, in file order.
    pub terms: Vec<Term>,
}

/// Reads `i18n/glossary.toml` under `root`, if there is one. Every problem is an error
/// with its line and column; the terms that are well-formed are kept.
pub fn load(root: &Path, config: &Config) -> (Option<Glossary>, Vec<Diagnostic>) {
    let path = root.join(FILE);
    if !path.is_file() {
        return (None, Vec::new());
    }
    match crate::text::read_text(&path, FILE) {
        Ok(text) => {
            let (g, ds) = parse(&text, config);
            (Some(g), ds.into_iter().map(|d| d.in_file(FILE)).collect())
        }
        Err(d) => (None, vec![d]),
    }
}

const TERM_KEYS: [&str; 4] = ["source", "note", "case_sensitive", "forbidden"];

/// Parses the text of a glossary. Diagnostics carry line and column but no path.
pub fn parse(text: &str, config: &Config) -> (Glossary, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let index = LineIndex::new(text);
    let error_at = |span: std::ops::Range<usize>, msg: String, hint: String| {
        let (line, col) = index.line_col(span.start);
        Diagnostic::error(msg)
            .at_text(index.line(line), line, col)
            .with_hint(hint)
    };
    let table = match DeTable::parse(text) {
        Ok(t) => t.into_inner(),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            errors.push(error_at(
                span,
                format!("{FILE}: {}", e.message().trim()),
                "see \"Checks across languages\" in docs/translating.md for the format".into(),
            ));
            return (Glossary::default(), errors);
        }
    };
    let languages: Vec<&str> = config
        .languages
        .iter()
        .filter(|l| !l.is_default)
        .map(|l| l.code.as_str())
        .collect();
    let mut glossary = Glossary::default();
    for (key, value) in &table {
        if key.get_ref() != "term" {
            errors.push(error_at(
                key.span(),
                format!("unknown key `{}` in the glossary", key.get_ref()),
                nearest(key.get_ref(), &["term"])
                    .unwrap_or_else(|| "the glossary holds [[term]] tables only".to_string()),
            ));
            continue;
        }
        let DeValue::Array(items) = value.get_ref() else {
            errors.push(error_at(
                value.span(),
                "`term` must be a list of tables, written [[term]]".into(),
                "start each term with a line [[term]]".into(),
            ));
            continue;
        };
        for item in items {
            match item.get_ref() {
                DeValue::Table(t) => {
                    if let Some(term) =
                        parse_term(t, item.span(), config, &languages, &mut |s, m, h| {
                            errors.push(error_at(s, m, h))
                        })
                    {
                        let line = index.line_col(item.span().start).0;
                        glossary.terms.push(Term { line, ..term });
                    }
                }
                _ => errors.push(error_at(
                    item.span(),
                    "each `term` must be a table".into(),
                    "start each term with a line [[term]]".into(),
                )),
            }
        }
    }
    (glossary, errors)
}

type Report<'r> = &'r mut dyn FnMut(std::ops::Range<usize>, String, String);

fn parse_term(
    t: &DeTable<'_>,
    span: std::ops::Range<usize>,
    config: &Config,
    languages: &[&str],
    report: Report<'_>,
) -> Option<Term> {
    let mut source = None;
    let mut term = Term {
        source: String::new(),
        required: Vec::new(),
        forbidden: Vec::new(),
        note: None,
        case_sensitive: false,
        line: 0,
    };
    let mut ok = true;
    for (key, value) in t {
        let k = key.get_ref().as_ref();
        match k {
            "source" => match value.get_ref() {
                DeValue::String(s) if !s.trim().is_empty() => {
                    source = Some(s.trim().to_string());
                }
                _ => {
                    report(
                        value.span(),
                        "`source` must be a non-empty string".into(),
                        "write the term as the default-language pages write it: source = \"核心区\"".into(),
                    );
                    ok = false;
                }
            },
            "note" => match value.get_ref() {
                DeValue::String(s) => term.note = Some(s.to_string()),
                _ => report(
                    value.span(),
                    "`note` must be a string".into(),
                    "note = \"...\"".into(),
                ),
            },
            "case_sensitive" => match value.get_ref() {
                DeValue::Boolean(b) => term.case_sensitive = *b,
                _ => report(
                    value.span(),
                    "`case_sensitive` must be true or false".into(),
                    "case_sensitive = true".into(),
                ),
            },
            "forbidden" => {
                let DeValue::Table(f) = value.get_ref() else {
                    report(
                        value.span(),
                        "`forbidden` must be a table of languages".into(),
                        "forbidden = { de = [\"Kerngebiet\"] }".into(),
                    );
                    continue;
                };
                for (lang, list) in f {
                    if language_key(lang, config, languages, report)
                        && let Some(v) = renderings(list, report)
                    {
                        term.forbidden.push((lang.get_ref().to_string(), v));
                    }
                }
            }
            _ if languages.contains(&k) => {
                if let Some(v) = renderings(value, report) {
                    term.required.push((k.to_string(), v));
                }
            }
            _ => {
                language_key(key, config, languages, report);
            }
        }
    }
    match source {
        Some(s) if ok => Some(Term { source: s, ..term }),
        Some(_) => None,
        None => {
            if ok {
                report(
                    span,
                    "this term has no `source`".into(),
                    "add source = \"...\": the term as the default-language pages write it".into(),
                );
            }
            None
        }
    }
}

/// Whether `key` is a configured language other than the default; reports why not.
fn language_key(
    key: &toml::Spanned<std::borrow::Cow<'_, str>>,
    config: &Config,
    languages: &[&str],
    report: Report<'_>,
) -> bool {
    let k = key.get_ref().as_ref();
    if languages.contains(&k) {
        return true;
    }
    let (msg, hint) = if k == config.default_language {
        (
            format!("`{k}` is the default language: its term is `source`"),
            "give the renderings of the other languages here".to_string(),
        )
    } else if k.len() <= 3 && k.chars().all(|c| c.is_ascii_lowercase()) {
        (
            format!("language `{k}` is not configured in site.toml"),
            format!(
                "the languages to translate into are {}; add [languages.{k}] to site.toml or remove this key",
                languages.join(", ")
            ),
        )
    } else {
        let mut valid: Vec<&str> = TERM_KEYS.to_vec();
        valid.extend(languages);
        (
            format!("unknown key `{k}` in a glossary term"),
            nearest(k, &valid)
                .unwrap_or_else(|| format!("valid keys here are: {}", valid.join(", "))),
        )
    };
    report(key.span(), msg, hint);
    false
}

/// "did you mean `x`?" for the valid key nearest to `key`, if one is near.
fn nearest(key: &str, valid: &[&str]) -> Option<String> {
    valid
        .iter()
        .map(|v| (strsim::jaro_winkler(key, v), *v))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, v)| format!("did you mean `{v}`?"))
}

/// A rendering or a list of them: non-empty strings.
fn renderings(value: &toml::Spanned<DeValue<'_>>, report: Report<'_>) -> Option<Vec<String>> {
    let bad = |report: Report<'_>, span| {
        report(
            span,
            "a rendering must be a non-empty string or a list of them".into(),
            "de = \"Kernzone\" or de = [\"Kernzone\", \"Kerngebiet der Zone\"]".into(),
        );
        None
    };
    match value.get_ref() {
        DeValue::String(s) if !s.trim().is_empty() => Some(vec![s.trim().to_string()]),
        DeValue::Array(items) if !items.is_empty() => {
            let mut out = Vec::new();
            for i in items {
                match i.get_ref() {
                    DeValue::String(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
                    _ => return bad(report, i.span()),
                }
            }
            Some(out)
        }
        _ => bad(report, value.span()),
    }
}

/// A token of a text: a CJK character or a word, as compared (folded and stemmed), with
/// its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What is compared.
    pub key: String,
    /// Byte offset where it starts.
    pub start: usize,
}

/// The stem of a word with `analyzer`'s stemmer applied until it no longer changes: the
/// minimal stemmers take one ending at a time (`kernzone` → `kernzon` → `kernzo`,
/// `kernzonen` → `kernzo`).
fn stem(analyzer: Analyzer, word: &str) -> String {
    let mut w = analyzer.word_term(word).into_owned();
    for _ in 0..4 {
        let next = analyzer.word_term(&w);
        if next == w {
            break;
        }
        w = next.into_owned();
    }
    w
}

/// The tokens of `text` (see the module header).
pub fn tokens(text: &str, analyzer: Analyzer, case_sensitive: bool) -> Vec<Token> {
    let mut out = Vec::new();
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if is_cjk(c) {
            out.push(Token {
                key: c.to_string(),
                start: i,
            });
        } else if c.is_alphanumeric() {
            let mut end = i + c.len_utf8();
            while let Some(&(j, n)) = iter.peek() {
                if !n.is_alphanumeric() || is_cjk(n) {
                    break;
                }
                end = j + n.len_utf8();
                iter.next();
            }
            let word = &text[i..end];
            let key = if case_sensitive {
                stem(analyzer, word)
            } else {
                stem(analyzer, &fold(word))
            };
            out.push(Token { key, start: i });
        }
    }
    out
}

/// The index of the first token where `run` starts in `tokens`. With `compound`, the last
/// word of `run` may be the beginning of a longer word.
fn find_run(tokens: &[Token], run: &[String], compound: bool) -> Option<usize> {
    let n = run.len();
    if n == 0 || tokens.len() < n {
        return None;
    }
    (0..=tokens.len() - n).find(|&i| {
        run.iter().enumerate().all(|(k, want)| {
            let have = &tokens[i + k].key;
            have == want || (compound && k == n - 1 && have.starts_with(want.as_str()))
        })
    })
}

/// A term compiled for matching: token runs per language.
#[derive(Debug)]
struct Compiled {
    source: Vec<String>,
    case_sensitive: bool,
    /// Per language code: required renderings (as written, as tokens) and forbidden ones.
    langs: HashMap<String, Renderings>,
}

#[derive(Debug, Default)]
struct Renderings {
    required: Vec<(String, Vec<String>)>,
    forbidden: Vec<(String, Vec<String>)>,
}

/// A glossary ready for matching, for the languages of one site.
#[derive(Debug)]
pub struct Matcher<'g> {
    glossary: &'g Glossary,
    terms: Vec<Compiled>,
    /// First token of the source → terms that start with it: folded ones, then
    /// case-sensitive ones.
    first: [HashMap<String, Vec<usize>>; 2],
    source_analyzer: Analyzer,
    analyzers: HashMap<String, Analyzer>,
    any_case_sensitive: bool,
}

/// A term a translated unit fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss<'g> {
    /// None of the accepted renderings is there.
    Missing {
        /// The term.
        term: &'g Term,
        /// Its index in the glossary.
        index: usize,
        /// The renderings accepted in this language.
        renderings: &'g [String],
    },
    /// A forbidden variant is there, at this byte offset of the text.
    Forbidden {
        /// The term.
        term: &'g Term,
        /// Its index in the glossary.
        index: usize,
        /// The variant as the glossary writes it.
        variant: String,
        /// Byte offset in the translated text.
        at: usize,
        /// The renderings accepted in this language (may be empty).
        renderings: &'g [String],
    },
}

impl<'g> Matcher<'g> {
    /// Compiles `glossary` with the stemmers of the site's languages.
    pub fn new(glossary: &'g Glossary, config: &Config) -> Matcher<'g> {
        let analyzer_of = |code: &str| {
            config
                .languages
                .iter()
                .find(|l| l.code == code)
                .map_or(Analyzer::Plain, |l| Analyzer::for_locale(&l.locale))
        };
        let source_analyzer = analyzer_of(&config.default_language);
        let analyzers: HashMap<String, Analyzer> = config
            .languages
            .iter()
            .map(|l| (l.code.clone(), Analyzer::for_locale(&l.locale)))
            .collect();
        let keys = |text: &str, a: Analyzer, cs: bool| -> Vec<String> {
            tokens(text, a, cs).into_iter().map(|t| t.key).collect()
        };
        let mut terms = Vec::new();
        let mut first: [HashMap<String, Vec<usize>>; 2] = Default::default();
        for t in &glossary.terms {
            let cs = t.case_sensitive;
            let source = keys(&t.source, source_analyzer, cs);
            let mut langs: HashMap<String, Renderings> = HashMap::new();
            for (lang, list) in &t.required {
                let a = analyzer_of(lang);
                let r = langs.entry(lang.clone()).or_default();
                r.required
                    .extend(list.iter().map(|s| (s.clone(), keys(s, a, cs))));
            }
            for (lang, list) in &t.forbidden {
                let a = analyzer_of(lang);
                let r = langs.entry(lang.clone()).or_default();
                r.forbidden
                    .extend(list.iter().map(|s| (s.clone(), keys(s, a, cs))));
            }
            if let Some(k) = source.first() {
                first[usize::from(cs)]
                    .entry(k.clone())
                    .or_default()
                    .push(terms.len());
            }
            terms.push(Compiled {
                source,
                case_sensitive: cs,
                langs,
            });
        }
        Matcher {
            glossary,
            any_case_sensitive: terms.iter().any(|t| t.case_sensitive),
            terms,
            first,
            source_analyzer,
            analyzers,
        }
    }

    /// Whether there is nothing to check.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The terms a default-language text contains, in glossary order.
    pub fn terms_in(&self, text: &str) -> Vec<usize> {
        let mut found = Vec::new();
        for cs in [false, true] {
            if cs && !self.any_case_sensitive {
                continue;
            }
            let toks = tokens(text, self.source_analyzer, cs);
            for (i, t) in toks.iter().enumerate() {
                let Some(candidates) = self.first[usize::from(cs)].get(t.key.as_str()) else {
                    continue;
                };
                for &c in candidates {
                    let run = &self.terms[c].source;
                    let rest = &toks[i..];
                    if rest.len() >= run.len()
                        && run.iter().zip(rest).all(|(want, have)| *want == have.key)
                    {
                        found.push(c);
                    }
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    /// What a translated text in `lang` fails of the terms `terms` (indices from
    /// [`Matcher::terms_in`]).
    pub fn check(&self, terms: &[usize], lang: &str, text: &str) -> Vec<Miss<'g>> {
        let analyzer = self.analyzers.get(lang).copied().unwrap_or(Analyzer::Plain);
        let compound = analyzer == Analyzer::German;
        let mut folded: Option<Vec<Token>> = None;
        let mut exact: Option<Vec<Token>> = None;
        let mut out = Vec::new();
        for &i in terms {
            let c = &self.terms[i];
            let term = &self.glossary.terms[i];
            let Some(r) = c.langs.get(lang) else { continue };
            let toks: &[Token] = if c.case_sensitive {
                exact.get_or_insert_with(|| tokens(text, analyzer, true))
            } else {
                folded.get_or_insert_with(|| tokens(text, analyzer, false))
            };
            let renderings: &'g [String] = term
                .required
                .iter()
                .find(|(l, _)| l == lang)
                .map_or(&[], |(_, v)| v.as_slice());
            let forbidden = r
                .forbidden
                .iter()
                .find_map(|(written, run)| find_run(toks, run, false).map(|k| (written, k)));
            if let Some((written, k)) = forbidden {
                out.push(Miss::Forbidden {
                    term,
                    index: i,
                    variant: written.clone(),
                    at: toks[k].start,
                    renderings,
                });
            } else if !r.required.is_empty()
                && !r
                    .required
                    .iter()
                    .any(|(_, run)| find_run(toks, run, compound).is_some())
            {
                out.push(Miss::Missing {
                    term,
                    index: i,
                    renderings,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::parse(
            "base_url = \"https://x.org/\"\ndefault_language = \"zh\"\n\
             [languages.zh]\nname = \"中文\"\nlocale = \"zh-Hans\"\ntitle = \"x\"\n\
             [languages.en]\nname = \"English\"\nlocale = \"en\"\ntitle = \"x\"\n\
             [languages.de]\nname = \"Deutsch\"\nlocale = \"de\"\ntitle = \"x\"\n",
        )
        .unwrap()
    }

    const CORE: &str = "[[term]]\nsource = \"核心区\"\nen = \"core zone\"\nde = \"Kernzone\"\n\
                        forbidden = { de = [\"Kerngebiet\"], en = [\"core area\"] }\n";

    #[test]
    fn stems_meet_inflections() {
        let keys = |s: &str, a| -> Vec<String> {
            tokens(s, a, false).into_iter().map(|t| t.key).collect()
        };
        assert_eq!(
            keys("Kernzonen", Analyzer::German),
            keys("Kernzone", Analyzer::German)
        );
        assert_eq!(
            keys("core zones", Analyzer::English),
            keys("Core Zone", Analyzer::English)
        );
        assert_eq!(keys("合作\n区", Analyzer::Plain), ["合", "作", "区"]);
    }

    #[test]
    fn required_and_forbidden() {
        let c = config();
        let (g, ds) = parse(CORE, &c);
        assert!(ds.is_empty(), "{ds:?}");
        let m = Matcher::new(&g, &c);
        let terms = m.terms_in("一区［中欧（江门）中小企业国际合作区（核\n心区）］");
        assert_eq!(terms, [0]);
        assert!(m.check(&terms, "de", "die Kernzonen der Stadt").is_empty());
        assert!(m.check(&terms, "de", "Kernzonenverwaltung").is_empty());
        assert!(m.check(&terms, "en", "two core zones").is_empty());
        assert!(matches!(
            m.check(&terms, "de", "das Kerngebiet")[..],
            [Miss::Forbidden { at: 4, .. }]
        ));
        assert!(matches!(
            m.check(&terms, "en", "the zone's core")[..],
            [Miss::Missing { .. }]
        ));
        assert!(m.terms_in("合作区的中心").is_empty());
    }

    #[test]
    fn errors_name_the_key() {
        let c = config();
        let (_, ds) = parse(
            "[[term]]\nsource = \"x\"\nnotes = \"y\"\nfr = \"z\"\nzh = \"w\"\n[[term]]\nen = \"a\"\n[[term]]\nsource = \"\"\n",
            &c,
        );
        let shown: Vec<String> = ds
            .iter()
            .map(|d| d.clone().in_file(FILE).to_string())
            .collect();
        assert_eq!(
            shown,
            [
                "i18n/glossary.toml:3:1: error: unknown key `notes` in a glossary term (hint: did you mean `note`?)",
                "i18n/glossary.toml:4:1: error: language `fr` is not configured in site.toml (hint: the languages to translate into are en, de; add [languages.fr] to site.toml or remove this key)",
                "i18n/glossary.toml:5:1: error: `zh` is the default language: its term is `source` (hint: give the renderings of the other languages here)",
                "i18n/glossary.toml:6:1: error: this term has no `source` (hint: add source = \"...\": the term as the default-language pages write it)",
                "i18n/glossary.toml:9:10: error: `source` must be a non-empty string (hint: write the term as the default-language pages write it: source = \"核心区\")",
            ]
        );
        let (_, ds) = parse("[[terms]]\nsource = 1", &c);
        assert_eq!(
            ds[0].clone().in_file(FILE).to_string(),
            "i18n/glossary.toml:1:3: error: unknown key `terms` in the glossary (hint: did you mean `term`?)"
        );
    }
}
