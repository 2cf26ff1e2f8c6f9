//! `qiao init`: a new, working multilingual site in an empty directory.
//!
//! The first thing a new editor runs. What it writes builds at once, passes `qiao check
//! --strict` and `qiao status --strict`, and shows every setting of `site.toml` with a comment,
//! so that the file itself is the reference an editor needs first:
//!
//! - `site.toml`, every key present or commented out;
//! - `content/_index.md` (the home page) and a `news/` section with one article, in every
//!   language, the translations already marked as made from the current source;
//! - `i18n/<code>/site.ftl` for the site's own interface words, `.gitignore` for `public/`,
//!   and a CI workflow that checks and builds the site.
//!
//! It never overwrites a file: it refuses a directory that already holds a site, and a
//! non-empty one unless `--force` is given, and even then it stops before writing anything
//! when one of its files exists already.

use std::path::{Path, PathBuf};

use crate::config::{self, CONFIG_FILE};
use crate::diagnostics::Diagnostic;
use crate::scaffold::quoted;

/// What `qiao init` is asked to create.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The directory of the new site (created when missing).
    pub dir: PathBuf,
    /// Language codes, in the order of the language switcher.
    pub languages: Vec<String>,
    /// The default language (served at `/`); the first of `languages` when not given.
    pub default: Option<String>,
    /// Write into a non-empty directory that holds no site yet.
    pub force: bool,
    /// Today's date (`YYYY-MM-DD`), for the first article.
    pub today: String,
}

/// What `qiao init` wrote.
#[derive(Debug)]
pub struct Created {
    /// The site's directory.
    pub dir: PathBuf,
    /// Files written, relative to `dir`, in the order they were written.
    pub files: Vec<String>,
    /// The default language.
    pub default: String,
}

/// Words of the scaffold in one language.
struct Words {
    name: &'static str,
    locale: &'static str,
    site_title: &'static str,
    description: &'static str,
    home: &'static str,
    news: &'static str,
    news_text: &'static str,
    article: &'static str,
    article_text: &'static str,
}

fn words(code: &str) -> Words {
    match code {
        "zh" => Words {
            name: "中文",
            locale: "zh-Hans",
            site_title: "我的网站",
            description: "用 qiao 建立的多语种网站。",
            home: "欢迎来到本站。这是首页：编辑 `content/_index.md`，保存后浏览器会自动刷新。",
            news: "新闻",
            news_text: "本栏目的全部文章，最新的在前。",
            article: "欢迎",
            article_text: "这是第一篇文章。用 `qiao new news/文章名` 新建文章，用 `qiao translate` 为它生成译文草稿。",
        },
        "de" => Words {
            name: "Deutsch",
            locale: "de",
            site_title: "Meine Website",
            description: "Eine mehrsprachige Website, erstellt mit qiao.",
            home: "Willkommen. Dies ist die Startseite: Bearbeiten Sie `content/_index.de.md`; beim Speichern lädt der Browser die Seite neu.",
            news: "Nachrichten",
            news_text: "Alle Artikel dieser Rubrik, die neuesten zuerst.",
            article: "Willkommen",
            article_text: "Dies ist der erste Artikel. `qiao new news/name` legt einen neuen an, `qiao translate` einen Übersetzungsentwurf.",
        },
        _ => Words {
            name: match code {
                "en" => "English",
                "fr" => "Français",
                "es" => "Español",
                "it" => "Italiano",
                "ja" => "日本語",
                "ko" => "한국어",
                "pt" => "Português",
                "ru" => "Русский",
                "nl" => "Nederlands",
                _ => "",
            },
            locale: "",
            site_title: "My site",
            description: "A multilingual site built with qiao.",
            home: "Welcome. This is the home page: edit `content/_index.md` and the browser reloads when you save.",
            news: "News",
            news_text: "Every article of this section, newest first.",
            article: "Welcome",
            article_text: "This is the first article. `qiao new news/name` creates another one, and `qiao translate` a draft of its translation.",
        },
    }
}

/// Creates the site. Nothing is written when any check fails.
pub fn init(opts: &InitOptions) -> Result<Created, Diagnostic> {
    let (languages, default) = validate_languages(&opts.languages, opts.default.as_deref())?;
    check_directory(&opts.dir, opts.force)?;
    let files = plan(&languages, &default, &opts.today);
    let existing: Vec<&str> = files
        .iter()
        .filter(|(rel, _)| opts.dir.join(rel).symlink_metadata().is_ok())
        .map(|(rel, _)| rel.as_str())
        .collect();
    if !existing.is_empty() {
        return Err(Diagnostic::error(format!(
            "{} exists already: qiao init never overwrites a file",
            existing.join(", ")
        ))
        .in_file(&opts.dir)
        .with_hint("move those files away, or run qiao init in another directory"));
    }
    let mut written = Vec::new();
    for (rel, text) in &files {
        let path = opts.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error(parent, &e))?;
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| io_error(&path, &e))?;
        std::io::Write::write_all(&mut f, text.as_bytes()).map_err(|e| io_error(&path, &e))?;
        written.push(rel.clone());
    }
    // The translations were written from the current source: record that, with the same
    // command an editor uses, so that `qiao status` starts clean instead of "untracked".
    for lang in languages.iter().filter(|l| **l != default) {
        for source in [
            "content/_index.md",
            "content/news/_index.md",
            "content/news/welcome.md",
        ] {
            crate::status::mark_current(&opts.dir, source, lang)?;
        }
    }
    Ok(Created {
        dir: opts.dir.clone(),
        files: written,
        default,
    })
}

fn io_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(format!("cannot write {}: {e}", path.display()))
}

fn validate_languages(
    codes: &[String],
    default: Option<&str>,
) -> Result<(Vec<String>, String), Diagnostic> {
    let mut languages: Vec<String> = Vec::new();
    for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        if !config::is_language_code(code) {
            return Err(Diagnostic::error(format!(
                "`{code}` is not a language code"
            ))
            .with_hint("use lower-case ISO 639 codes such as zh, en, de (the locale, zh-Hans or en-GB, is set in site.toml)"));
        }
        if !languages.iter().any(|l| l == code) {
            languages.push(code.to_string());
        }
    }
    if languages.is_empty() {
        return Err(Diagnostic::error("no language given")
            .with_hint("write --languages zh,en,de (the first is the default language)"));
    }
    let default = default.unwrap_or(&languages[0]).to_string();
    if !languages.contains(&default) {
        return Err(Diagnostic::error(format!(
            "the default language `{default}` is not one of --languages {}",
            languages.join(",")
        ))
        .with_hint(format!(
            "add it: --languages {default},{}",
            languages.join(",")
        )));
    }
    // The default language comes first in site.toml and in the switcher.
    languages.retain(|l| *l != default);
    languages.insert(0, default.clone());
    Ok((languages, default))
}

fn check_directory(dir: &Path, force: bool) -> Result<(), Diagnostic> {
    if dir.join(CONFIG_FILE).exists() {
        return Err(Diagnostic::error(format!(
            "{} holds a site already (it has a {CONFIG_FILE})",
            dir.display()
        ))
        .with_hint("qiao init starts a new site; in an existing one, add pages with qiao new"));
    }
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() && !force {
                return Err(Diagnostic::error(format!(
                    "{} is not empty",
                    dir.display()
                ))
                .with_hint("use an empty or new directory, or add --force to add a site beside the files there (no file is ever overwritten)"));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Diagnostic::error(format!(
            "cannot read {}: {e}",
            dir.display()
        ))),
    }
}

fn suffix(lang: &str, default: &str) -> String {
    if lang == default {
        String::new()
    } else {
        format!(".{lang}")
    }
}

/// Every file of the new site, relative to its directory, with its text.
fn plan(languages: &[String], default: &str, today: &str) -> Vec<(String, String)> {
    let mut files = vec![(CONFIG_FILE.to_string(), site_toml(languages, default))];
    for lang in languages {
        let w = words(lang);
        let s = suffix(lang, default);
        files.push((
            format!("content/_index{s}.md"),
            format!("---\ntitle: {}\n---\n\n{}\n", quoted(w.site_title), w.home),
        ));
        files.push((
            format!("content/news/_index{s}.md"),
            format!("---\ntitle: {}\n---\n\n{}\n", quoted(w.news), w.news_text),
        ));
        files.push((
            format!("content/news/welcome{s}.md"),
            format!(
                "---\ntitle: {}\ndate: {today}\ntags: [qiao]\n---\n\n{}\n",
                quoted(w.article),
                w.article_text
            ),
        ));
        files.push((format!("i18n/{lang}/site.ftl"), ftl(lang)));
    }
    files.push((
        ".gitignore".into(),
        "# Written by qiao build; never edit or commit it.\n/public/\n\
         # Resized images, kept between builds (qiao build makes them again).\n/.qiao/cache/\n"
            .into(),
    ));
    files.push((".github/workflows/site.yml".into(), CI_EXAMPLE.into()));
    files
}

fn site_toml(languages: &[String], default: &str) -> String {
    let mut t = String::from(
        "# The site's settings. Every key qiao reads is here, set or commented out; the README\n\
         # (section \"site.toml\") describes each one. An unknown key is an error that names it.\n\n\
         # The address the site is published at. A path (https://example.github.io/site/)\n\
         # prefixes every link. `qiao serve` replaces it with its own address.\n\
         base_url = \"https://example.org/\"\n\n",
    );
    t.push_str(&format!(
        "# The language of files without a language suffix (x.md); it is served at /, every\n\
         # other language at /<code>/ (x.en.md becomes /en/...).\n\
         default_language = {}\n\n",
        quoted(default)
    ));
    t.push_str(
        "# A theme in themes/<name>/ (templates/, static/, i18n/); without it, the built-in theme.\n\
         # theme = \"mytheme\"\n\n\
         # Items per list page, and entries per Atom feed.\n\
         # paginate = 10\n\
         # feed_limit = 20\n\n\
         # How taxonomy terms become URLs: \"unicode\" keeps /tags/江门/, \"ascii\" gives /tags/jiang-men/.\n\
         # term_slugs = \"unicode\"\n\n\
         # A page missing in a language: \"omit\" publishes it only where it is written;\n\
         # \"fallback\" also shows the default-language text there, with a notice.\n\
         # missing_translation = \"omit\"\n\n\
         # The time zone of dates written without an offset (an IANA name; default UTC).\n",
    );
    t.push_str(match default {
        "zh" => "timezone = \"Asia/Shanghai\"\n\n",
        "de" => "timezone = \"Europe/Berlin\"\n\n",
        _ => "# timezone = \"UTC\"\n\n",
    });
    for lang in languages {
        let w = words(lang);
        // Where this language's missing interface messages come from: another language than
        // itself (the chain always ends with the default language).
        let other = languages
            .iter()
            .find(|l| *l != lang && l.as_str() != default)
            .unwrap_or(&languages[0]);
        let name = if w.name.is_empty() {
            lang.as_str()
        } else {
            w.name
        };
        let locale = if w.locale.is_empty() {
            lang.as_str()
        } else {
            w.locale
        };
        t.push_str(&format!(
            "[languages.{lang}]\n\
             name = {}  # in the language switcher\n\
             locale = {}  # BCP 47: <html lang>, hreflang, dates and numbers\n\
             title = {}\n\
             description = {}\n\
             # fallback = [{}]  # where missing interface messages come from\n\
             # reading_speed = 250  # characters or words per minute, for reading time\n\n",
            quoted(name),
            quoted(locale),
            quoted(w.site_title),
            quoted(w.description),
            quoted(other),
        ));
    }
    t.push_str(
        "# Tags and categories (each optional): an index of terms and a page per term.\n\
         [taxonomies.tags]\n\
         # paginate = 10\n\
         feed = true                     # an Atom feed per tag\n\n\
         # [taxonomies.categories]\n\n\
         # Which translations must exist, and after how many days a stale one is reported.\n\
         # [translation]\n\
         # required = { en = [\"\"] }        # en: every page; de = [\"news\"]: the news section\n\
         # stale_days = 30\n\n\
         # Full-text search (docs/search.md in qiao's repository).\n\
         # [search]\n\
         # enabled = true\n\n\
         # Free settings for your theme's templates (config.extra).\n\
         [extra]\n",
    );
    t
}

fn ftl(lang: &str) -> String {
    format!(
        "# The site's own interface messages in `{lang}` (Fluent, https://projectfluent.org/).\n\
         # A message here replaces the theme's message of the same name; templates show one with\n\
         # {{{{ t(key=\"name\") }}}}. For example:\n\
         #\n\
         # read-more = …\n"
    )
}

const CI_EXAMPLE: &str = "\
# Checks the site on every push and pull request, and builds it for publishing.
# qiao is installed from its source repository: set the repository variable QIAO_GIT
# (Settings > Secrets and variables > Actions > Variables) to the git address of qiao.
name: site
on: [push, pull_request]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/cache@v4
        with:
          path: ~/.cargo/bin/qiao
          key: qiao-${{ vars.QIAO_GIT }}
      - run: command -v qiao || cargo install --locked --git \"${{ vars.QIAO_GIT }}\" qiao
      - run: qiao check --strict
      - run: qiao status --strict
      - run: qiao build
      - uses: actions/upload-artifact@v4
        with:
          name: public
          path: public/
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_language_comes_first_and_must_be_listed() {
        let langs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (l, d) = validate_languages(&langs(&["en", "zh", "de"]), Some("zh")).unwrap();
        assert_eq!((l, d.as_str()), (langs(&["zh", "en", "de"]), "zh"));
        let (l, d) = validate_languages(&langs(&["de", "en", "de"]), None).unwrap();
        assert_eq!((l, d.as_str()), (langs(&["de", "en"]), "de"));
        let e = validate_languages(&langs(&["en", "de"]), Some("zh")).unwrap_err();
        assert!(e.message.contains("`zh` is not one of"), "{}", e.message);
        let e = validate_languages(&langs(&["en", "EN-gb"]), None).unwrap_err();
        assert!(e.message.contains("`EN-gb`"), "{}", e.message);
    }

    #[test]
    fn the_site_toml_written_is_valid_and_complete() {
        let langs = vec!["zh".to_string(), "en".into(), "de".into()];
        let text = site_toml(&langs, "zh");
        let c = crate::config::Config::parse(&text).unwrap_or_else(|ds| panic!("{ds:?}\n{text}"));
        assert_eq!(c.default_language, "zh");
        let codes: Vec<&str> = c.languages.iter().map(|l| l.code.as_str()).collect();
        assert_eq!(codes, ["zh", "en", "de"]);
        for key in [
            "theme",
            "paginate",
            "feed_limit",
            "term_slugs",
            "missing_translation",
            "timezone",
            "fallback",
            "reading_speed",
            "[translation]",
            "[search]",
            "[extra]",
        ] {
            assert!(text.contains(key), "site.toml does not mention {key}");
        }
    }
}
