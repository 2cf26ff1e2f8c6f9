//! Bad input and the guarantees of the output directory: every error reported at once with
//! file and line, exit codes, a failed build leaving `public/` untouched, byte-identical
//! output across runs and thread counts.

mod common;

use std::path::Path;

use common::{build_root, copy_fixture, fixture, qiao, tree};

fn located(ds: &[qiao::diagnostics::Diagnostic]) -> Vec<(String, Option<usize>, String)> {
    ds.iter()
        .map(|d| {
            (
                d.path
                    .as_deref()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                d.line,
                d.message.clone(),
            )
        })
        .collect()
}

#[test]
fn every_error_of_the_invalid_site_is_reported_at_once() {
    let errs = build_root(&fixture("invalid"), |_| {})
        .err()
        .expect("the build must fail");
    let got = located(&errs);
    let expect: &[(&str, Option<usize>, &str)] = &[
        (
            "content/news/bad-date.md",
            Some(3),
            "`date: 2016-02-30` is not a valid date",
        ),
        (
            "content/news/bad-yaml.md",
            Some(3),
            "opened with `[` is not closed",
        ),
        (
            "content/news/clash-b.md",
            None,
            "would both be written to /news/same/",
        ),
        (
            "content/news/escape.md",
            Some(3),
            "invalid slug `../../etc`",
        ),
        (
            "content/news/links.md",
            Some(6),
            "link to `@/news/nowhere.md`, which does not exist",
        ),
        (
            "content/news/links.md",
            Some(7),
            "has no heading or anchor `nowhere`",
        ),
        ("content/news/no-title.md", Some(1), "the page has no title"),
        (
            "content/news/typo.md",
            Some(3),
            "unknown front matter field `tgas`",
        ),
        (
            "content/news/wrong-lang.fr.md",
            None,
            "`.fr` in the file name is a language code that is not configured",
        ),
    ];
    assert_eq!(got.len(), expect.len(), "{got:#?}");
    for ((path, line, msg), (epath, eline, emsg)) in got.iter().zip(expect) {
        assert_eq!(path, epath);
        assert_eq!(line, eline, "{path}");
        assert!(msg.contains(emsg), "{path}: {msg}");
    }
    let typo = errs.iter().find(|d| d.message.contains("tgas")).unwrap();
    assert_eq!(typo.hint.as_deref(), Some("did you mean `tags`?"));
    assert_eq!(typo.source_line.as_deref(), Some("tgas: [江门]"));
    let clash = errs.iter().find(|d| d.message.contains("same")).unwrap();
    assert!(clash.message.contains("clash-a.md"), "names both files");
}

#[test]
fn the_cli_prints_file_line_and_exits_1() {
    let root = fixture("invalid");
    let out = tempfile::tempdir().unwrap();
    let o = qiao(
        &[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--output",
            out.path().join("p").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--> content/news/bad-date.md:3:7"), "{err}");
    assert!(err.contains("3 | date: 2016-02-30"), "{err}");
    assert!(
        err.contains("the site has 8 errors and 1 warning; nothing was written"),
        "{err}"
    );
    assert!(!out.path().join("p").exists());
}

#[test]
fn bad_usage_exits_2_and_help_and_version_work() {
    assert_eq!(
        qiao(&["build", "--no-such-flag"], &[]).status.code(),
        Some(2)
    );
    assert_eq!(qiao(&["frobnicate"], &[]).status.code(), Some(2));
    let help = qiao(&["--help"], &[]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("build"));
    let v = qiao(&["--version"], &[]);
    assert!(String::from_utf8_lossy(&v.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn strict_turns_warnings_into_errors() {
    let root = fixture("trilingual");
    let out = tempfile::tempdir().unwrap();
    let p = out.path().join("p");
    let args = |strict: bool| {
        let mut a = vec![
            "build",
            "--root",
            root.to_str().unwrap(),
            "--output",
            p.to_str().unwrap(),
        ];
        if strict {
            a.push("--strict");
        }
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| qiao(&a.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    let ok = run(args(false));
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("built: pages zh 6, en 3, de 2;"));
    assert!(
        String::from_utf8_lossy(&ok.stderr)
            .contains("warning: `@/news/only-zh.md` has no en translation")
    );
    let strict = run(args(true));
    assert_eq!(strict.status.code(), Some(1));
    let c = qiao(
        &["check", "--root", root.to_str().unwrap(), "--strict"],
        &[],
    );
    assert_eq!(c.status.code(), Some(1));
}

#[test]
fn a_failed_build_leaves_the_previous_output_exactly_as_it_was() {
    let site = copy_fixture("trilingual");
    let out = site.path().join("public");
    let first = qiao(&["build", "--root", site.path().to_str().unwrap()], &[]);
    assert_eq!(first.status.code(), Some(0));
    let before = tree(&out);
    assert!(before.len() > 30);
    std::fs::write(
        site.path().join("content/news/broken.md"),
        "---\ntitle: x\ndate: 2016-02-30\n---\n",
    )
    .unwrap();
    let second = qiao(&["build", "--root", site.path().to_str().unwrap()], &[]);
    assert_eq!(second.status.code(), Some(1));
    assert_eq!(tree(&out), before);
    // and no staging directory is left behind
    let leftovers: Vec<_> = std::fs::read_dir(site.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("staging"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_template_error_also_leaves_the_output_and_names_template_and_line() {
    let site = copy_fixture("trilingual");
    let out = site.path().join("public");
    assert!(build_root(site.path(), |o| o.output = Some(out.clone())).is_ok());
    let before = tree(&out);
    std::fs::create_dir_all(site.path().join("templates")).unwrap();
    std::fs::write(
        site.path().join("templates/page.html"),
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ page.title }}</h1>\n{{ page.no_such_field }}\n{% endblock content %}\n",
    )
    .unwrap();
    let errs = build_root(site.path(), |o| o.output = Some(out.clone()))
        .err()
        .unwrap();
    assert_eq!(tree(&out), before);
    let d = errs
        .iter()
        .find(|d| d.message.starts_with("template error"))
        .unwrap();
    assert_eq!(d.path.as_deref(), Some(Path::new("templates/page.html")));
    assert_eq!(d.line, Some(4));
    assert!(d.message.contains("no_such_field"), "{}", d.message);
}

#[test]
fn stale_files_disappear_on_the_next_successful_build() {
    let site = copy_fixture("trilingual");
    let out = site.path().join("public");
    build_root(site.path(), |o| o.output = Some(out.clone())).unwrap();
    assert!(out.join("about/index.html").exists());
    std::fs::remove_file(site.path().join("content/about.md")).unwrap();
    build_root(site.path(), |o| o.output = Some(out.clone())).unwrap();
    assert!(!out.join("about").exists());
}

#[test]
fn output_is_byte_identical_across_runs_and_thread_counts() {
    let root = fixture("trilingual");
    let dir = tempfile::tempdir().unwrap();
    let mut trees = Vec::new();
    for (n, threads) in [("a", "1"), ("b", "4"), ("c", "4")] {
        let p = dir.path().join(n);
        common::build_with_threads(&root, &p, threads);
        trees.push(tree(&p));
    }
    assert_eq!(trees[0], trees[1]);
    assert_eq!(trees[1], trees[2]);
}

#[test]
fn refuses_outputs_that_would_destroy_sources() {
    let site = copy_fixture("trilingual");
    for bad in ["content", ".", "static"] {
        let errs = build_root(site.path(), |o| o.output = Some(site.path().join(bad)))
            .err()
            .unwrap();
        assert!(
            errs[0].message.contains("refusing to use"),
            "{bad}: {}",
            errs[0].message
        );
    }
    // a directory qiao did not write is never replaced
    let foreign = site.path().join("elsewhere");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "keep me").unwrap();
    assert!(build_root(site.path(), |o| o.output = Some(foreign.clone())).is_err());
    assert_eq!(
        std::fs::read_to_string(foreign.join("notes.txt")).unwrap(),
        "keep me"
    );
    assert!(site.path().join("content/_index.md").exists());
}

#[test]
fn check_writes_nothing() {
    let site = copy_fixture("trilingual");
    let o = qiao(&["check", "--root", site.path().to_str().unwrap()], &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("checked: "));
    assert!(!site.path().join("public").exists());
}

#[test]
fn config_errors_suggest_the_nearest_key() {
    let site = copy_fixture("trilingual");
    let toml = site.path().join("site.toml");
    let text = std::fs::read_to_string(&toml)
        .unwrap()
        .replace("paginate = 2", "pagiante = 2");
    std::fs::write(&toml, text).unwrap();
    let errs = build_root(site.path(), |_| {}).err().unwrap();
    assert_eq!(errs[0].path.as_deref(), Some(Path::new("site.toml")));
    assert_eq!(errs[0].line, Some(3));
    assert_eq!(errs[0].message, "unknown key `pagiante`");
    assert_eq!(errs[0].hint.as_deref(), Some("did you mean `paginate`?"));
}

#[test]
fn new_creates_a_scaffold_and_never_overwrites() {
    let site = copy_fixture("trilingual");
    let root = site.path().to_str().unwrap();
    let o = qiao(
        &["new", "news/fresh-news", "--lang", "en", "--root", root],
        &[],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let created = site.path().join("content/news/fresh-news.en.md");
    let text = std::fs::read_to_string(&created).unwrap();
    assert!(
        text.starts_with("---\ntitle: \"Fresh news\"\ndate: "),
        "{text}"
    );
    assert!(!text.contains("summary"), "no empty fields: {text}");
    assert!(text.contains("draft: true"));
    std::fs::write(&created, "edited").unwrap();
    let again = qiao(
        &["new", "news/fresh-news", "--lang", "en", "--root", root],
        &[],
    );
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&created).unwrap(), "edited");
    let bad = qiao(&["new", "../escape", "--root", root], &[]);
    assert_eq!(bad.status.code(), Some(1));
    // the scaffold builds (as a draft)
    std::fs::remove_file(&created).unwrap();
    qiao(&["new", "news/fresh-news", "--root", root], &[]);
    assert!(
        build_root(site.path(), |o| o.drafts = true)
            .unwrap()
            .exists("news/fresh-news/index.html")
    );
}

/// `x.md` and `x.zh.md` when zh is the default language are one page in one language, even
/// with different slugs (and so different addresses): an error that names both and says
/// which suffix is implied, not two pages of which links and the language switcher would
/// find only one.
#[test]
fn two_files_for_one_page_in_one_language_are_an_error() {
    let site = copy_fixture("trilingual");
    for (name, slug) in [("dup.md", "dup-a"), ("dup.zh.md", "dup-b")] {
        std::fs::write(
            site.path().join("content").join(name),
            format!("---\ntitle: 重复\nslug: {slug}\n---\n\n正文。\n"),
        )
        .unwrap();
    }
    let errs = build_root(site.path(), |_| {}).err().unwrap();
    let errors: Vec<&qiao::diagnostics::Diagnostic> =
        errs.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let d = errors[0];
    assert_eq!(
        d.message,
        "content/dup.zh.md and content/dup.md are both the 中文 version of `dup`"
    );
    assert_eq!(
        d.path.as_deref(),
        Some(std::path::Path::new("content/dup.zh.md"))
    );
    assert!(
        d.hint
            .as_deref()
            .is_some_and(|h| h.contains("already in the default language (zh)")),
        "{:?}",
        d.hint
    );
}

#[test]
fn a_slug_that_takes_a_generated_path_is_an_error() {
    let site = copy_fixture("trilingual");
    std::fs::write(
        site.path().join("content/clash.md"),
        "---\ntitle: x\nslug: tags\n---\n",
    )
    .unwrap();
    let errs = build_root(site.path(), |_| {}).err().unwrap();
    let d = errs.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(
        d.message,
        "content/clash.md and the page /tags/ would both be written to tags/index.html"
    );
}

#[test]
fn no_input_makes_qiao_panic() {
    let site = copy_fixture("trilingual");
    let nasty: &[(&str, &[u8])] = &[
        ("empty.md", b""),
        ("binary.md", &[0xff, 0xfe, 0x00, 0x9f, 0x92, 0x96]),
        ("only-dashes.md", b"---\n---\n---\n"),
        ("nul.md", b"---\ntitle: \"a\\0b\"\n---\n\0\0\0"),
        ("deep.md", b"---\ntitle: deep\n---\n>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>> x\n"),
        ("weird-yaml.md", b"---\ntitle: [unclosed\nextra: *alias\n---\n"),
        ("tags-not-list.md", b"---\ntitle: t\ntags: 5\n---\n"),
        ("extra-scalar.md", b"---\ntitle: t\nextra: 5\n---\n"),
        ("huge-weight.md", b"---\ntitle: t\nweight: 999999999999999999999999\n---\n"),
        ("link-chaos.md", b"---\ntitle: t\n---\n[a](@/) [b](@/.md) [c](@/../../etc/passwd.md) [d](@/#) ![e](@/x.png)\n"),
        ("dot.en.en.md", b"---\ntitle: t\n---\n"),
        (".md", b"---\ntitle: t\n---\n"),
    ];
    for (name, bytes) in nasty {
        std::fs::write(site.path().join("content").join(name), bytes).unwrap();
    }
    // Errors are expected; a panic would abort the test.
    let errs = build_root(site.path(), |_| {}).err().unwrap();
    assert!(
        errs.iter().filter(|d| d.is_error()).count() >= 8,
        "{errs:#?}"
    );
    assert!(
        errs.iter().all(|d| d.path.is_some()),
        "every error names its file: {errs:#?}"
    );
}

#[test]
fn drafts_and_future_pages_are_held_back_and_the_summary_says_so() {
    let site = copy_fixture("trilingual");
    let root = site.path().to_str().unwrap();
    std::fs::write(
        site.path().join("content/news/later.md"),
        "---\ntitle: 以后\ndate: 2999-01-01\n---\n正文\n",
    )
    .unwrap();
    std::fs::write(
        site.path().join("content/news/later.en.md"),
        "---\ntitle: Later\ndate: 2999-01-01\ndraft: true\n---\nText\n",
    )
    .unwrap();
    let o = qiao(&["build", "--root", root], &[]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(
            "\nnot built: 2 drafts (zh 1, en 1), 1 page dated in the future (--drafts, --future include them)\n"
        ),
        "{out}"
    );
    assert!(!site.path().join("public/news/later/index.html").exists());
    let o = qiao(&["build", "--root", root, "--future"], &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(site.path().join("public/news/later/index.html").exists());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("\nnot built: 2 drafts (zh 1, en 1) (--drafts includes them)\n"),
        "{out}"
    );
    let o = qiao(&["check", "--root", root, "--future", "--drafts"], &[]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.contains("not built"), "{out}");
}

/// Template mistakes are reported like every other error: what is wrong in the editor's
/// words, at the template's file, line and column, all of them at once.
#[test]
fn template_and_message_errors_point_at_the_template() {
    let site = copy_fixture("trilingual");
    let tpl = site.path().join("templates");
    std::fs::create_dir_all(&tpl).unwrap();
    let page = "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ page.title | shout }}</p>\n<p>{{ page.title | whisper }}</p>{% endblock content %}\n";
    std::fs::write(tpl.join("page.html"), page).unwrap();
    let errs = build_root(site.path(), |_| {}).err().unwrap();
    let got: Vec<(String, Option<usize>, Option<usize>, String)> = errs
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            (
                d.path.as_ref().unwrap().display().to_string(),
                d.line,
                d.column,
                d.message.clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "templates/page.html".to_string(),
                Some(3),
                Some(20),
                "unknown filter `shout`".to_string()
            ),
            (
                "templates/page.html".to_string(),
                Some(4),
                Some(20),
                "unknown filter `whisper`".to_string()
            ),
        ]
    );

    std::fs::write(
        tpl.join("page.html"),
        "{% extends \"base.html\" %}\n{% block content %}\n{% shout %}{% endblock content %}\n",
    )
    .unwrap();
    let errs = build_root(site.path(), |_| {}).err().unwrap();
    let e = errs.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(e.message, "unknown tag `shout` in a template");
    assert_eq!((e.line, e.column), (Some(3), Some(4)));

    // a message defined in no language: one error, at the t() call
    std::fs::write(
        tpl.join("page.html"),
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ t(key=\"no-such-message\") }}</p>{% endblock content %}\n",
    )
    .unwrap();
    let errs = build_root(site.path(), |_| {}).err().unwrap();
    let errors: Vec<_> = errs.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = errors[0];
    assert!(
        e.message
            .starts_with("the message `no-such-message` is not defined in any language (used by "),
        "{}",
        e.message
    );
    assert_eq!(
        e.path.as_deref(),
        Some(std::path::Path::new("templates/page.html"))
    );
    assert_eq!((e.line, e.column), (Some(3), Some(9)));
}

/// A link to a page that is not published says why: a draft or a future page is a warning
/// naming the reason and the fix; a page whose front matter is broken has its own error, and
/// links to it add nothing but noise.
#[test]
fn links_to_unpublished_pages_say_why() {
    let site = copy_fixture("trilingual");
    let content = site.path().join("content");
    std::fs::write(
        content.join("news/linker.md"),
        "---\ntitle: 链接\n---\n[草稿](@/news/draft.md)、[以后](@/news/later.md)\n\n[草稿](/news/draft/)、[以后](../later/)\n",
    )
    .unwrap();
    std::fs::write(
        content.join("news/later.md"),
        "---\ntitle: 以后\ndate: 2999-01-01\n---\n正文\n",
    )
    .unwrap();
    let (code, _, err) = {
        let o = qiao(&["check", "--root", site.path().to_str().unwrap()], &[]);
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("warning: link to `@/news/draft.md`, a draft: it is not published, so the link leads nowhere yet"),
        "{err}"
    );
    assert!(
        err.contains("publish it by deleting `draft: true` in content/news/draft.md"),
        "{err}"
    );
    assert!(
        err.contains(
            "warning: link to `@/news/later.md`, dated 2999-01-01: it is not published before then"
        ),
        "{err}"
    );
    // plain links to the addresses they would have say the same
    assert!(
        err.contains("warning: link to `/news/draft/`, a draft: it is not published"),
        "{err}"
    );
    assert!(
        err.contains("warning: link to `../later/`, dated 2999-01-01: it is not published"),
        "{err}"
    );
    assert!(!err.contains("not a page or file of the site"), "{err}");
    // broken.md does not exist yet: a plain error
    std::fs::write(
        content.join("news/linker.md"),
        "---\ntitle: 链接\n---\n[坏的](@/news/broken.md)\n",
    )
    .unwrap();
    let errs = build_root(site.path(), |_| {}).err().unwrap();
    assert!(
        errs.iter()
            .any(|d| d.message.contains("which does not exist"))
    );
    // it exists but its front matter is broken: only its own error
    std::fs::write(
        content.join("news/broken.md"),
        "---\ntitle: [unclosed\n---\n",
    )
    .unwrap();
    let errs = build_root(site.path(), |_| {}).err().unwrap();
    let errors: Vec<_> = errs.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(
        errors[0].path.as_deref(),
        Some(Path::new("content/news/broken.md"))
    );
    // with --drafts the link to the draft resolves
    std::fs::remove_file(content.join("news/broken.md")).unwrap();
    std::fs::write(
        content.join("news/linker.md"),
        "---\ntitle: 链接\n---\n[草稿](@/news/draft.md)\n",
    )
    .unwrap();
    let b = build_root(site.path(), |o| o.drafts = true).unwrap();
    assert!(
        b.report
            .warnings
            .iter()
            .all(|w| !w.message.contains("draft"))
    );
}
